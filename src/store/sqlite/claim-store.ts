/** The authorship facet on SQLite. Writes take the database's one write lock (BEGIN IMMEDIATE): claims are filed
 *  and decided one at a time, whatever the number of processes. */
import type {
  AuthorClaim,
  AuthorEntry,
  ClaimInput,
  ClaimStore,
  DecideResult,
  DomainTie,
  FileClaimResult,
} from '../claim-store.ts';
import type { ModerationEntry } from '../community-store.ts';
import {
  CLAIM_SELECT,
  DOMAIN_TIE_SELECT,
  OTHER_CLAIM_APPROVED,
  TIE_REASON,
  UNTIE_REASON,
  claimLogTarget,
  rowToAuthorEntry,
  rowToClaim,
  rowToDomainTie,
  tieTarget,
} from '../claim-rows.ts';
import type { SqliteDatabase } from './database.ts';

const VISIBLE_PAPER = 'EXISTS (SELECT 1 FROM papers p WHERE p.id = k.paper_id AND p.hidden_at IS NULL)';

export class SqliteClaimStore implements ClaimStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async fileClaim(input: ClaimInput, now: Date): Promise<FileClaimResult> {
    return this.#db.transaction((): FileClaimResult => {
      const sql = (text: string) => this.#db.sql(text);
      if (!sql('SELECT 1 FROM papers WHERE id = ? AND hidden_at IS NULL').get(input.paperId))
        return { status: 'no-paper' };
      if (
        sql(`SELECT 1 FROM author_claims WHERE paper_id = ? AND position = ? AND status = 'approved'`).get(
          input.paperId,
          input.position,
        )
      )
        return { status: 'taken' };
      if (
        sql(
          `SELECT 1 FROM author_claims WHERE paper_id = ? AND member_id = ? AND (status <> 'rejected' OR position = ?)`,
        ).get(input.paperId, input.memberId, input.position)
      )
        return { status: 'twice' };
      const approved = input.approveReason !== null;
      const at = now.toISOString();
      const row = sql(`INSERT INTO author_claims (paper_id, position, author_name, member_id, status, approved_via,
        created_at, decided_at, decided_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`).get(
        input.paperId,
        input.position,
        input.authorName,
        input.memberId,
        approved ? 'approved' : 'pending',
        approved ? 'domain' : null,
        at,
        approved ? at : null,
        approved ? input.memberId : null,
        input.approveReason,
      )!;
      if (input.approveReason !== null)
        this.#log(
          input.memberId,
          'auto-approve-claim',
          claimLogTarget(input.paperId, input.position, input.authorName),
          input.approveReason,
          at,
        );
      return { status: 'filed', claim: this.#claim(Number(row.id))! };
    });
  }

  #claim(id: number): AuthorClaim | null {
    const row = this.#db.sql(`${CLAIM_SELECT} WHERE k.id = ?`).get(id);
    return row ? rowToClaim(row) : null;
  }

  async getClaim(id: number): Promise<AuthorClaim | null> {
    return this.#claim(id);
  }

  async pendingClaims(limit: number): Promise<AuthorClaim[]> {
    return this.#db
      .sql(`${CLAIM_SELECT} WHERE k.status = 'pending' AND ${VISIBLE_PAPER} ORDER BY k.id LIMIT ?`)
      .all(limit)
      .map(rowToClaim);
  }

  async decideClaim(
    id: number,
    moderatorId: number,
    decision: 'approve' | 'reject',
    reason: string,
    now: Date,
  ): Promise<DecideResult> {
    return this.#db.transaction((): DecideResult => {
      const claim = this.#claim(id);
      if (claim?.status !== 'pending') return 'not-pending';
      const at = now.toISOString();
      const target = claimLogTarget(claim.paperId, claim.position, claim.authorName);
      if (decision === 'reject') {
        this.#db
          .sql(`UPDATE author_claims SET status = 'rejected', decided_at = ?, decided_by = ?, reason = ? WHERE id = ?`)
          .run(at, moderatorId, reason, id);
        this.#log(moderatorId, 'reject-claim', target, reason, at);
        return 'done';
      }
      const taken = this.#db
        .sql(`SELECT 1 FROM author_claims WHERE paper_id = ? AND position = ? AND status = 'approved'`)
        .get(claim.paperId, claim.position);
      if (taken) return 'taken';
      this.#db
        .sql(`UPDATE author_claims SET status = 'approved', approved_via = 'moderator', decided_at = ?, decided_by = ?,
          reason = ? WHERE id = ?`)
        .run(at, moderatorId, reason, id);
      this.#db
        .sql(`UPDATE author_claims SET status = 'rejected', decided_at = ?, decided_by = ?, reason = ?
          WHERE paper_id = ? AND position = ? AND status = 'pending'`)
        .run(at, moderatorId, OTHER_CLAIM_APPROVED, claim.paperId, claim.position);
      this.#log(moderatorId, 'approve-claim', target, reason, at);
      return 'done';
    });
  }

  async revokeClaim(id: number, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const at = now.toISOString();
      const row = this.#db
        .sql(`UPDATE author_claims SET status = 'rejected', decided_at = ?, decided_by = ?, reason = ?
          WHERE id = ? AND status = 'approved' RETURNING paper_id, position, author_name`)
        .get(at, moderatorId, reason, id);
      if (!row) return false;
      this.#log(
        moderatorId,
        'revoke-claim',
        claimLogTarget(String(row.paper_id), Number(row.position), String(row.author_name)),
        reason,
        at,
      );
      return true;
    });
  }

  async withdrawClaim(id: number, memberId: number): Promise<boolean> {
    return this.#db.transaction(
      () =>
        this.#db
          .sql(`DELETE FROM author_claims WHERE id = ? AND member_id = ? AND status <> 'rejected'`)
          .run(id, memberId).changes > 0,
    );
  }

  async claimsOnPaper(paperId: string): Promise<AuthorClaim[]> {
    return this.#db
      .sql(`${CLAIM_SELECT} WHERE k.paper_id = ? AND k.status <> 'rejected' ORDER BY k.position, k.id`)
      .all(paperId)
      .map(rowToClaim);
  }

  async claimsOf(memberId: number): Promise<AuthorClaim[]> {
    return this.#db
      .sql(`${CLAIM_SELECT} WHERE k.member_id = ? AND ${VISIBLE_PAPER} ORDER BY k.id DESC`)
      .all(memberId)
      .map(rowToClaim);
  }

  async setShowOnProfile(claimId: number, memberId: number, show: boolean): Promise<boolean> {
    return this.#db.transaction(
      () =>
        this.#db
          .sql('UPDATE author_claims SET show_on_profile = ? WHERE id = ? AND member_id = ?')
          .run(show ? 1 : 0, claimId, memberId).changes > 0,
    );
  }

  async papersWithAuthorComments(paperIds: readonly string[]): Promise<Set<string>> {
    if (paperIds.length === 0) return new Set();
    const rows = this.#db
      .sql(`SELECT DISTINCT c.paper_id FROM comments c
        JOIN author_claims k ON k.paper_id = c.paper_id AND k.member_id = c.member_id AND k.status = 'approved'
        WHERE c.paper_id IN (SELECT value FROM json_each(?)) AND c.deleted_at IS NULL AND c.hidden_at IS NULL`)
      .all(JSON.stringify(paperIds));
    return new Set(rows.map((r) => String(r.paper_id)));
  }

  async authorEntries(name: string, limit: number): Promise<AuthorEntry[]> {
    return this.#db
      .sql(`SELECT pa.paper_id, pa.position, p.published_at, json_extract(p.authors, '$[' || pa.position || '].hfUser') AS hf_user,
          m.id AS member_id, m.name AS member_name,
          m.fullname AS member_fullname, m.avatar_url AS member_avatar_url
        FROM authors a JOIN paper_authors pa ON pa.author_id = a.id JOIN papers p ON p.id = pa.paper_id
        LEFT JOIN author_claims k ON k.paper_id = pa.paper_id AND k.position = pa.position AND k.status = 'approved'
          AND k.author_name = a.name
        LEFT JOIN members m ON m.id = k.member_id
        WHERE a.name = ? AND p.hidden_at IS NULL ORDER BY p.published_at DESC, p.id DESC LIMIT ?`)
      .all(name, limit)
      .map(rowToAuthorEntry);
  }

  async tieDomain(organization: string, domain: string, adminId: number, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const at = now.toISOString();
      const added = this.#db
        .sql(`INSERT INTO organization_domains (organization_name, domain, created_by, created_at)
          SELECT name, ?, ?, ? FROM organizations WHERE name = ? ON CONFLICT DO NOTHING`)
        .run(domain, adminId, at, organization).changes;
      if (added > 0) this.#log(adminId, 'tie-domain', tieTarget(organization, domain), TIE_REASON, at);
      return added > 0;
    });
  }

  async untieDomain(organization: string, domain: string, adminId: number, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const removed = this.#db
        .sql('DELETE FROM organization_domains WHERE organization_name = ? AND domain = ?')
        .run(organization, domain).changes;
      if (removed > 0)
        this.#log(adminId, 'untie-domain', tieTarget(organization, domain), UNTIE_REASON, now.toISOString());
      return removed > 0;
    });
  }

  async domainTies(): Promise<DomainTie[]> {
    return this.#db.sql(`${DOMAIN_TIE_SELECT} ORDER BY t.organization_name, t.domain`).all().map(rowToDomainTie);
  }

  async isDomainTied(organization: string, domain: string): Promise<boolean> {
    return (
      this.#db
        .sql('SELECT 1 FROM organization_domains WHERE organization_name = ? AND domain = ?')
        .get(organization, domain) !== undefined
    );
  }

  #log(moderatorId: number, action: ModerationEntry['action'], target: string, reason: string, at: string): void {
    this.#db
      .sql('INSERT INTO moderation_log (moderator_id, action, target, reason, at) VALUES (?, ?, ?, ?, ?)')
      .run(moderatorId, action, target, reason, at);
  }
}
