/**
 * The authorship facet on PostgreSQL. Filing and deciding a claim lock the paper's row first, so that claims on
 * one paper are taken one at a time from any number of processes; the partial unique indexes stand behind that.
 */
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
import type { Queryable, Runner } from './runner.ts';

const VISIBLE_PAPER = 'EXISTS (SELECT 1 FROM papers p WHERE p.id = k.paper_id AND p.hidden_at IS NULL)';

export class PostgresClaimStore implements ClaimStore {
  readonly #db: Runner;

  constructor(db: Runner) {
    this.#db = db;
  }

  async fileClaim(input: ClaimInput, now: Date): Promise<FileClaimResult> {
    return this.#db.transaction(async (tx): Promise<FileClaimResult> => {
      const [paper] = await tx.query('SELECT 1 FROM papers WHERE id = $1 AND hidden_at IS NULL FOR UPDATE', [
        input.paperId,
      ]);
      if (!paper) return { status: 'no-paper' };
      const [taken] = await tx.query(
        `SELECT 1 FROM author_claims WHERE paper_id = $1 AND position = $2 AND status = 'approved'`,
        [input.paperId, input.position],
      );
      if (taken) return { status: 'taken' };
      const [twice] = await tx.query(
        `SELECT 1 FROM author_claims WHERE paper_id = $1 AND member_id = $2 AND (status <> 'rejected' OR position = $3)`,
        [input.paperId, input.memberId, input.position],
      );
      if (twice) return { status: 'twice' };
      const approved = input.approveReason !== null;
      const at = now.toISOString();
      const [row] = await tx.query(
        `INSERT INTO author_claims (paper_id, position, author_name, member_id, status, approved_via, created_at,
          decided_at, decided_by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
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
        ],
      );
      if (input.approveReason !== null)
        await log(
          tx,
          input.memberId,
          'auto-approve-claim',
          claimLogTarget(input.paperId, input.position, input.authorName),
          input.approveReason,
          at,
        );
      return { status: 'filed', claim: (await claimById(tx, Number(row!.id)))! };
    });
  }

  async getClaim(id: number): Promise<AuthorClaim | null> {
    return claimById(this.#db, id);
  }

  async pendingClaims(limit: number): Promise<AuthorClaim[]> {
    const rows = await this.#db.query(
      `${CLAIM_SELECT} WHERE k.status = 'pending' AND ${VISIBLE_PAPER} ORDER BY k.id LIMIT $1`,
      [limit],
    );
    return rows.map(rowToClaim);
  }

  async decideClaim(
    id: number,
    moderatorId: number,
    decision: 'approve' | 'reject',
    reason: string,
    now: Date,
  ): Promise<DecideResult> {
    return this.#db.transaction(async (tx): Promise<DecideResult> => {
      const before = await claimById(tx, id);
      if (!before) return 'not-pending';
      // The paper's row first, as fileClaim takes it: then the claim, which cannot change under us any more.
      await tx.query('SELECT 1 FROM papers WHERE id = $1 FOR UPDATE', [before.paperId]);
      const claim = await claimById(tx, id);
      if (claim?.status !== 'pending') return 'not-pending';
      const at = now.toISOString();
      const target = claimLogTarget(claim.paperId, claim.position, claim.authorName);
      if (decision === 'reject') {
        await tx.query(
          `UPDATE author_claims SET status = 'rejected', decided_at = $1, decided_by = $2, reason = $3 WHERE id = $4`,
          [at, moderatorId, reason, id],
        );
        await log(tx, moderatorId, 'reject-claim', target, reason, at);
        return 'done';
      }
      const [taken] = await tx.query(
        `SELECT 1 FROM author_claims WHERE paper_id = $1 AND position = $2 AND status = 'approved'`,
        [claim.paperId, claim.position],
      );
      if (taken) return 'taken';
      await tx.query(
        `UPDATE author_claims SET status = 'approved', approved_via = 'moderator', decided_at = $1, decided_by = $2,
          reason = $3 WHERE id = $4`,
        [at, moderatorId, reason, id],
      );
      await tx.query(
        `UPDATE author_claims SET status = 'rejected', decided_at = $1, decided_by = $2, reason = $3
          WHERE paper_id = $4 AND position = $5 AND status = 'pending'`,
        [at, moderatorId, OTHER_CLAIM_APPROVED, claim.paperId, claim.position],
      );
      await log(tx, moderatorId, 'approve-claim', target, reason, at);
      return 'done';
    });
  }

  async revokeClaim(id: number, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const at = now.toISOString();
      const [row] = await tx.query(
        `UPDATE author_claims SET status = 'rejected', decided_at = $1, decided_by = $2, reason = $3
          WHERE id = $4 AND status = 'approved' RETURNING paper_id, position, author_name`,
        [at, moderatorId, reason, id],
      );
      if (!row) return false;
      await log(
        tx,
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
    const rows = await this.#db.query(
      `DELETE FROM author_claims WHERE id = $1 AND member_id = $2 AND status <> 'rejected' RETURNING id`,
      [id, memberId],
    );
    return rows.length > 0;
  }

  async claimsOnPaper(paperId: string): Promise<AuthorClaim[]> {
    const rows = await this.#db.query(
      `${CLAIM_SELECT} WHERE k.paper_id = $1 AND k.status <> 'rejected' ORDER BY k.position, k.id`,
      [paperId],
    );
    return rows.map(rowToClaim);
  }

  async claimsOf(memberId: number): Promise<AuthorClaim[]> {
    const rows = await this.#db.query(
      `${CLAIM_SELECT} WHERE k.member_id = $1 AND ${VISIBLE_PAPER} ORDER BY k.id DESC`,
      [memberId],
    );
    return rows.map(rowToClaim);
  }

  async setShowOnProfile(claimId: number, memberId: number, show: boolean): Promise<boolean> {
    const rows = await this.#db.query(
      'UPDATE author_claims SET show_on_profile = $1 WHERE id = $2 AND member_id = $3 RETURNING id',
      [show, claimId, memberId],
    );
    return rows.length > 0;
  }

  async papersWithAuthorComments(paperIds: readonly string[]): Promise<Set<string>> {
    if (paperIds.length === 0) return new Set();
    const rows = await this.#db.query(
      `SELECT DISTINCT c.paper_id FROM comments c
        JOIN author_claims k ON k.paper_id = c.paper_id AND k.member_id = c.member_id AND k.status = 'approved'
        WHERE c.paper_id = ANY($1::text[]) AND c.deleted_at IS NULL AND c.hidden_at IS NULL`,
      [paperIds],
    );
    return new Set(rows.map((r) => String(r.paper_id)));
  }

  async authorEntries(name: string, limit: number): Promise<AuthorEntry[]> {
    const rows = await this.#db.query(
      `SELECT pa.paper_id, pa.position, p.published_at, (p.authors -> pa.position) ->> 'hfUser' AS hf_user,
          m.id AS member_id, m.name AS member_name,
          m.fullname AS member_fullname, m.avatar_url AS member_avatar_url
        FROM authors a JOIN paper_authors pa ON pa.author_id = a.id JOIN papers p ON p.id = pa.paper_id
        LEFT JOIN author_claims k ON k.paper_id = pa.paper_id AND k.position = pa.position AND k.status = 'approved'
          AND k.author_name = a.name
        LEFT JOIN members m ON m.id = k.member_id
        WHERE a.name = $1 AND p.hidden_at IS NULL ORDER BY p.published_at DESC, p.id DESC LIMIT $2`,
      [name, limit],
    );
    return rows.map(rowToAuthorEntry);
  }

  async tieDomain(organization: string, domain: string, adminId: number, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const at = now.toISOString();
      const added = await tx.query(
        `INSERT INTO organization_domains (organization_name, domain, created_by, created_at)
          SELECT name, $1, $2, $3 FROM organizations WHERE name = $4 ON CONFLICT DO NOTHING RETURNING domain`,
        [domain, adminId, at, organization],
      );
      if (added.length > 0) await log(tx, adminId, 'tie-domain', tieTarget(organization, domain), TIE_REASON, at);
      return added.length > 0;
    });
  }

  async untieDomain(organization: string, domain: string, adminId: number, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const removed = await tx.query(
        'DELETE FROM organization_domains WHERE organization_name = $1 AND domain = $2 RETURNING domain',
        [organization, domain],
      );
      if (removed.length > 0)
        await log(tx, adminId, 'untie-domain', tieTarget(organization, domain), UNTIE_REASON, now.toISOString());
      return removed.length > 0;
    });
  }

  async domainTies(): Promise<DomainTie[]> {
    return (await this.#db.query(`${DOMAIN_TIE_SELECT} ORDER BY t.organization_name, t.domain`)).map(rowToDomainTie);
  }

  async isDomainTied(organization: string, domain: string): Promise<boolean> {
    const rows = await this.#db.query(
      'SELECT 1 FROM organization_domains WHERE organization_name = $1 AND domain = $2',
      [organization, domain],
    );
    return rows.length > 0;
  }
}

async function claimById(db: Queryable, id: number): Promise<AuthorClaim | null> {
  const [row] = await db.query(`${CLAIM_SELECT} WHERE k.id = $1`, [id]);
  return row ? rowToClaim(row) : null;
}

async function log(
  tx: Queryable,
  moderatorId: number,
  action: ModerationEntry['action'],
  target: string,
  reason: string,
  at: string,
): Promise<void> {
  await tx.query('INSERT INTO moderation_log (moderator_id, action, target, reason, at) VALUES ($1, $2, $3, $4, $5)', [
    moderatorId,
    action,
    target,
    reason,
    at,
  ]);
}
