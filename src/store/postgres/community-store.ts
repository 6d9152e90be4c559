/**
 * The community facet on PostgreSQL. Every change that moves a paper's counts does so in the same
 * transaction, under the paper's row lock, so that concurrent votes from any number of processes end exact.
 */
import { randomBytes } from 'node:crypto';
import type {
  Account,
  AccountDeletion,
  ChooseHandleResult,
  CommentRecord,
  CommunityStore,
  LinkChange,
  ModerationEntry,
  PaperLinks,
  PaperUpvoters,
  RateLimitResult,
  Role,
  SessionRecord,
  SetLinksResult,
  SubmitResult,
  VoteResult,
} from '../community-store.ts';
import { DELETED_MEMBER, randomHandle, tombstoneName } from '../../domain/handles.ts';
import type { Queryable, Runner } from './runner.ts';
import { LOGIN_TOKEN_KEPT_MS, sameLinks } from '../community-store.ts';
import { emailKey } from '../subscription-store.ts';
import {
  ACCOUNT_COLUMNS,
  COMMENT_SELECT,
  LINK_CHANGE_SELECT,
  MEMBER_LOG_ACTIONS,
  MODERATION_LOG_SELECT,
  PUBLIC_UPVOTERS_SELECT,
  UPVOTE_COUNTS_SELECT,
  nullableString,
  rowToAccount,
  rowToComment,
  rowToLinkChange,
  rowToModerationEntry,
  rowsToUpvoters,
} from '../rows.ts';

const UNIQUE_VIOLATION = '23505';

export class PostgresCommunityStore implements CommunityStore {
  readonly #db: Runner;
  #instanceSecret: string | null = null;

  constructor(db: Runner) {
    this.#db = db;
  }

  async accountForEmail(email: string, now: Date): Promise<Account> {
    return this.#db.transaction(async (tx) => {
      // New accounts are made one at a time: two sign-ins of one address make one account, and two new
      // members never pick the same free handle.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':paperboy-accounts'))`);
      const [existing] = await tx.query(`SELECT ${ACCOUNT_COLUMNS} FROM members m WHERE m.email = $1`, [email]);
      if (existing) return rowToAccount(existing);
      // An import may write members meanwhile (it does not take the lock): a handle it takes first is drawn again.
      for (;;) {
        const handle = randomHandle();
        if (await handleTaken(tx, handle, null)) continue;
        const [row] = await tx.query(
          `INSERT INTO members (name, fullname, email, role, created_at, handle_chosen)
          VALUES ($1, $1, $2, 'member', $3, false) ON CONFLICT (name) DO NOTHING
          RETURNING ${ACCOUNT_COLUMNS.replace(/m\./g, '')}`,
          [handle, email, now.toISOString()],
        );
        if (row) return rowToAccount(row);
      }
    });
  }

  async getAccount(id: number): Promise<Account | null> {
    const [row] = await this.#db.query(`SELECT ${ACCOUNT_COLUMNS} FROM members m WHERE m.id = $1`, [id]);
    return row ? rowToAccount(row) : null;
  }

  async getAccountByName(name: string): Promise<Account | null> {
    const [row] = await this.#db.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM members m WHERE m.name = $1 AND m.deleted_at IS NULL`,
      [name],
    );
    return row ? rowToAccount(row) : null;
  }

  async updateProfile(id: number, fullname: string): Promise<void> {
    await this.#db.query('UPDATE members SET fullname = $1 WHERE id = $2', [fullname, id]);
  }

  async chooseHandle(id: number, handle: string, fullname: string): Promise<ChooseHandleResult> {
    try {
      return await this.#db.transaction(async (tx) => {
        if (await handleTaken(tx, handle, id)) return 'taken';
        const [row] = await tx.query('SELECT name FROM members WHERE id = $1 AND deleted_at IS NULL FOR UPDATE', [id]);
        if (!row) throw new Error(`no account ${id}`);
        // Two members choosing one handle at once both find it free; the unique index lets one of them have it.
        await tx.query('UPDATE members SET name = $1, fullname = $2, handle_chosen = true WHERE id = $3', [
          handle,
          fullname,
          id,
        ]);
        await renameInLog(tx, String(row.name), handle);
        return 'chosen' as const;
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) return 'taken';
      throw error;
    }
  }

  async setUpvotesPublic(id: number, upvotesPublic: boolean): Promise<void> {
    await this.#db.query('UPDATE members SET upvotes_public = $1 WHERE id = $2', [upvotesPublic, id]);
  }

  async deleteAccount(id: number, deletion: AccountDeletion, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const [member] = await tx.query(
        'SELECT name, email FROM members WHERE id = $1 AND deleted_at IS NULL FOR UPDATE',
        [id],
      );
      if (!member) return false;
      // The papers' row locks first, in one order, as toggleVote takes them: counts stay exact, and a vote cast
      // at the same moment waits instead of deadlocking. Then each vote leaves its paper's count as taking it back would.
      await tx.query(
        `SELECT 1 FROM papers WHERE id IN (SELECT paper_id FROM votes WHERE member_id = $1) ORDER BY id FOR UPDATE`,
        [id],
      );
      await tx.query(
        `WITH gone AS (DELETE FROM votes WHERE member_id = $1 RETURNING paper_id)
        UPDATE papers SET local_upvotes = local_upvotes - 1, upvotes = upvotes - 1 FROM gone WHERE papers.id = gone.paper_id`,
        [id],
      );
      if (deletion.comments === 'remove') {
        // Comments still counted (neither deleted nor hidden) leave their papers' counts, as deleteComment does.
        await tx.query(
          `UPDATE papers SET local_comments = local_comments - k.n, num_comments = num_comments - k.n
          FROM (SELECT paper_id, count(*)::int AS n FROM comments WHERE member_id = $1 AND deleted_at IS NULL AND hidden_at IS NULL
            GROUP BY paper_id) AS k WHERE papers.id = k.paper_id`,
          [id],
        );
        await tx.query(`UPDATE comments SET deleted_at = coalesce(deleted_at, $1), body = '' WHERE member_id = $2`, [
          now.toISOString(),
          id,
        ]);
      }
      for (const table of [
        'sessions',
        'collections',
        'follows',
        'dismissed_papers',
        'feed_keys',
        'api_tokens',
        'notification_email',
        'author_claims',
      ])
        await tx.query(`DELETE FROM ${table} WHERE member_id = $1`, [id]);
      // Their notifications, and those about what they did; their reports (the queue keeps other members' reports).
      await tx.query('DELETE FROM notifications WHERE member_id = $1 OR actor_id = $1', [id]);
      await tx.query('DELETE FROM reports WHERE reporter_id = $1', [id]);
      await tx.query('UPDATE daily_entries SET submitted_by = NULL WHERE submitted_by = $1', [id]);
      if (member.email !== null) {
        const key = emailKey(String(member.email));
        await tx.query('DELETE FROM login_tokens WHERE lower(email) = $1', [key]);
        await tx.query('DELETE FROM digest_subscriptions WHERE email_key = $1', [key]);
      }
      await tx.query('DELETE FROM rate_limits WHERE key = ANY($1::text[])', [deletion.rateLimitKeys]);
      const tombstone = tombstoneName(id);
      await renameInLog(tx, String(member.name), tombstone);
      await tx.query(
        `UPDATE members SET name = $1, fullname = $2, email = NULL, avatar_url = NULL, external_id = NULL, role = 'member',
        created_at = NULL, banned_at = NULL, ban_reason = NULL, handle_chosen = true, upvotes_public = true, deleted_at = $3 WHERE id = $4`,
        [tombstone, DELETED_MEMBER, now.toISOString(), id],
      );
      return true;
    });
  }

  async setRole(id: number, role: Role): Promise<void> {
    await this.#db.query('UPDATE members SET role = $1 WHERE id = $2', [role, id]);
  }

  async staff(): Promise<Account[]> {
    const rows = await this.#db.query(`SELECT ${ACCOUNT_COLUMNS} FROM members m WHERE m.role IN ('admin', 'moderator')
      ORDER BY m.role = 'admin' DESC, m.name`);
    return rows.map(rowToAccount);
  }

  async changeRole(accountId: number, from: Role, to: Role, byId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.query('UPDATE members SET role = $1 WHERE id = $2 AND role = $3 RETURNING name', [
        to,
        accountId,
        from,
      ]);
      if (!row) return false;
      await log(tx, byId, 'set-role', String(row.name), `${to}: ${reason}`, now);
      return true;
    });
  }

  async countAdmins(): Promise<number> {
    const [row] = await this.#db.query(`SELECT count(*) AS n FROM members WHERE role = 'admin'`);
    return Number(row!.n);
  }

  async offerAdminClaim(codeHash: string, now: Date): Promise<boolean> {
    const stored = await this.#db.query(
      'INSERT INTO admin_claim (id, code_hash, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING RETURNING id',
      [codeHash, now.toISOString()],
    );
    return stored.length > 0;
  }

  async replaceAdminClaim(codeHash: string, now: Date): Promise<void> {
    await this.#db.query(
      `INSERT INTO admin_claim (id, code_hash, created_at) VALUES (1, $1, $2)
      ON CONFLICT (id) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at`,
      [codeHash, now.toISOString()],
    );
  }

  async spendAdminClaim(codeHash: string, accountId: number): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      // A second claim's DELETE waits on the first one's row lock, then finds the row gone.
      const spent = await tx.query(
        `DELETE FROM admin_claim WHERE id = 1 AND code_hash = $1
        AND NOT EXISTS (SELECT 1 FROM members WHERE role = 'admin') RETURNING id`,
        [codeHash],
      );
      if (spent.length === 0) return false;
      await tx.query(`UPDATE members SET role = 'admin' WHERE id = $1`, [accountId]);
      return true;
    });
  }

  async createLoginToken(tokenHash: string, email: string, expiresAt: Date): Promise<void> {
    const now = new Date().toISOString();
    // Kept an hour past expiry, so that renewLoginToken can still find the newest one.
    await this.#db.query(
      `WITH expired AS (DELETE FROM login_tokens WHERE expires_at < $5)
      INSERT INTO login_tokens (token_hash, email, created_at, expires_at) VALUES ($1, $2, $4, $3)`,
      [tokenHash, email, expiresAt.toISOString(), now, new Date(Date.now() - LOGIN_TOKEN_KEPT_MS).toISOString()],
    );
  }

  async consumeLoginToken(tokenHash: string, now: Date): Promise<string | null> {
    const [row] = await this.#db.query(
      `UPDATE login_tokens SET used_at = $1
      WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING email`,
      [now.toISOString(), tokenHash],
    );
    return row ? String(row.email) : null;
  }

  async renewLoginToken(email: string, issuedAfter: Date, expiresAt: Date): Promise<boolean> {
    const rows = await this.#db.query(
      `UPDATE login_tokens SET expires_at = $1 WHERE token_hash = (
      SELECT token_hash FROM login_tokens WHERE email = $2 AND used_at IS NULL AND created_at > $3 ORDER BY created_at DESC LIMIT 1)
      RETURNING token_hash`,
      [expiresAt.toISOString(), email, issuedAfter.toISOString()],
    );
    return rows.length > 0;
  }

  async createSession(idHash: string, accountId: number, csrfSecret: string, expiresAt: Date): Promise<void> {
    await this.#db.query(
      'INSERT INTO sessions (id_hash, member_id, csrf_secret, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [idHash, accountId, csrfSecret, new Date().toISOString(), expiresAt.toISOString()],
    );
  }

  async getSession(idHash: string, now: Date): Promise<SessionRecord | null> {
    const [row] = await this.#db.query(
      `SELECT ${ACCOUNT_COLUMNS}, s.csrf_secret, s.created_at AS session_created_at, s.expires_at
      FROM sessions s JOIN members m ON m.id = s.member_id WHERE s.id_hash = $1 AND s.expires_at > $2`,
      [idHash, now.toISOString()],
    );
    if (!row) return null;
    return {
      account: rowToAccount(row),
      csrfSecret: String(row.csrf_secret),
      createdAt: String(row.session_created_at),
      expiresAt: String(row.expires_at),
    };
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.#db.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteSessionsOf(accountId: number): Promise<void> {
    await this.#db.query('DELETE FROM sessions WHERE member_id = $1', [accountId]);
  }

  async toggleVote(accountId: number, paperId: string, now: Date): Promise<VoteResult | null> {
    return this.#vote(accountId, paperId, null, now);
  }

  async setVote(accountId: number, paperId: string, voted: boolean, now: Date): Promise<VoteResult | null> {
    return this.#vote(accountId, paperId, voted, now);
  }

  /** `want` null: the opposite of the present state. */
  #vote(accountId: number, paperId: string, want: boolean | null, now: Date): Promise<VoteResult | null> {
    return this.#db.transaction(async (tx) => {
      // The paper's row lock orders the votes on it, from every process.
      const [paper] = await tx.query('SELECT upvotes FROM papers WHERE id = $1 AND hidden_at IS NULL FOR UPDATE', [
        paperId,
      ]);
      if (!paper) return null;
      if (want !== null) {
        const has = await tx.query('SELECT 1 FROM votes WHERE member_id = $1 AND paper_id = $2', [accountId, paperId]);
        if (want === has.length > 0) return { voted: want, upvotes: Number(paper.upvotes) };
      }
      const removed =
        (await tx.query('DELETE FROM votes WHERE member_id = $1 AND paper_id = $2 RETURNING 1', [accountId, paperId]))
          .length > 0;
      if (!removed) {
        await tx.query('INSERT INTO votes (member_id, paper_id, created_at) VALUES ($1, $2, $3)', [
          accountId,
          paperId,
          now.toISOString(),
        ]);
      }
      const delta = removed ? -1 : 1;
      const [row] = await tx.query(
        `UPDATE papers SET local_upvotes = local_upvotes + $1, upvotes = upvotes + $1 WHERE id = $2
        RETURNING upvotes`,
        [delta, paperId],
      );
      return { voted: !removed, upvotes: Number(row!.upvotes) };
    });
  }

  async votedPapers(accountId: number, paperIds: readonly string[]): Promise<Set<string>> {
    if (paperIds.length === 0) return new Set();
    const rows = await this.#db.query(
      'SELECT paper_id FROM votes WHERE member_id = $1 AND paper_id = ANY($2::text[])',
      [accountId, paperIds],
    );
    return new Set(rows.map((r) => String(r.paper_id)));
  }

  async upvotedBy(accountId: number, limit: number): Promise<string[]> {
    return (
      await this.#db.query(
        `SELECT v.paper_id FROM votes v JOIN papers p ON p.id = v.paper_id
      WHERE v.member_id = $1 AND p.hidden_at IS NULL ORDER BY v.created_at DESC LIMIT $2`,
        [accountId, limit],
      )
    ).map((r) => String(r.paper_id));
  }

  async submittedBy(accountId: number, limit: number): Promise<string[]> {
    return (
      await this.#db.query(
        `SELECT e.paper_id FROM daily_entries e JOIN papers p ON p.id = e.paper_id
      WHERE e.submitted_by = $1 AND p.hidden_at IS NULL ORDER BY e.submitted_at DESC LIMIT $2`,
        [accountId, limit],
      )
    ).map((r) => String(r.paper_id));
  }

  async submitPaper(paperId: string, accountId: number, day: string, now: Date): Promise<SubmitResult> {
    return this.#db.transaction(async (tx) => {
      // The paper's row lock: two members submitting it at once put it on the feed once.
      const [paper] = await tx.query('SELECT published_at FROM papers WHERE id = $1 FOR UPDATE', [paperId]);
      const [first] = await tx.query('SELECT min(day) AS day FROM daily_entries WHERE paper_id = $1', [paperId]);
      if (first?.day !== null && first?.day !== undefined) return { status: 'exists', day: String(first.day) };
      if (!paper) throw new Error(`paper ${paperId} is not in the store`);
      await tx.query(
        `INSERT INTO daily_entries (day, paper_id, position, submitted_at, submitted_by, listed_published_at, source)
        VALUES ($1, $2, (SELECT coalesce(max(position) + 1, 0) FROM daily_entries WHERE day = $1), $3, $4, $5, 'member')`,
        [day, paperId, now.toISOString(), accountId, String(paper.published_at)],
      );
      return { status: 'added', day };
    });
  }

  async paperSubmitters(paperId: string): Promise<number[]> {
    return (
      await this.#db.query(
        `SELECT DISTINCT submitted_by FROM daily_entries WHERE paper_id = $1 AND source = 'member'
      AND submitted_by IS NOT NULL ORDER BY submitted_by`,
        [paperId],
      )
    ).map((r) => Number(r.submitted_by));
  }

  async paperUpvoters(paperId: string, limit: number): Promise<PaperUpvoters> {
    const [[counts], members] = await Promise.all([
      this.#db.query(`${UPVOTE_COUNTS_SELECT} WHERE v.paper_id = $1`, [paperId]),
      this.#db.query(`${PUBLIC_UPVOTERS_SELECT} AND v.paper_id = $1 ORDER BY v.created_at DESC, m.id LIMIT $2`, [
        paperId,
        limit,
      ]),
    ]);
    return rowsToUpvoters(counts, members);
  }

  async setPaperLinks(
    paperId: string,
    expected: PaperLinks,
    next: PaperLinks,
    accountId: number,
    now: Date,
  ): Promise<SetLinksResult> {
    return this.#db.transaction(async (tx) => {
      // The paper's row lock orders edits from every process: the second of two finds the first's links.
      const [row] = await tx.query(
        'SELECT github_repo, project_page FROM papers WHERE id = $1 AND hidden_at IS NULL FOR UPDATE',
        [paperId],
      );
      if (!row) return { status: 'missing' };
      const links = { githubRepo: nullableString(row.github_repo), projectPage: nullableString(row.project_page) };
      if (!sameLinks(links, expected)) return { status: 'conflict', links };
      if (sameLinks(links, next)) return { status: 'unchanged', links };
      const at = now.toISOString();
      await tx.query(
        `UPDATE papers SET github_stars = CASE WHEN github_repo IS NOT DISTINCT FROM $1 THEN github_stars END,
        github_repo = $1, project_page = $2, links_edited_at = $3 WHERE id = $4`,
        [next.githubRepo, next.projectPage, at, paperId],
      );
      await tx.query(
        `INSERT INTO paper_link_changes (paper_id, member_id, at, github_before, github_after, project_before,
        project_after) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [paperId, accountId, at, links.githubRepo, next.githubRepo, links.projectPage, next.projectPage],
      );
      return { status: 'changed', links: { ...next } };
    });
  }

  async paperLinkChanges(paperId: string, limit: number): Promise<LinkChange[]> {
    return (
      await this.#db.query(`${LINK_CHANGE_SELECT} WHERE l.paper_id = $1 ORDER BY l.id DESC LIMIT $2`, [paperId, limit])
    ).map(rowToLinkChange);
  }
  async linkChangesBy(accountId: number, limit: number): Promise<LinkChange[]> {
    return (
      await this.#db.query(`${LINK_CHANGE_SELECT} WHERE l.member_id = $1 ORDER BY l.id DESC LIMIT $2`, [
        accountId,
        limit,
      ])
    ).map(rowToLinkChange);
  }

  async addComment(
    paperId: string,
    accountId: number,
    parentId: number | null,
    body: string,
    now: Date,
  ): Promise<CommentRecord> {
    const id = await this.#db.transaction(async (tx) => {
      const [row] = await tx.query(
        `INSERT INTO comments (paper_id, member_id, parent_id, body, created_at) VALUES ($1, $2, $3, $4, $5)
        RETURNING id`,
        [paperId, accountId, parentId, body, now.toISOString()],
      );
      await countComment(tx, paperId, 1);
      return Number(row!.id);
    });
    return (await this.getComment(id))!;
  }

  async editComment(id: number, accountId: number, body: string, now: Date): Promise<CommentRecord | null> {
    const changed = await this.#db.query(
      `UPDATE comments SET body = $1, edited_at = $2
      WHERE id = $3 AND member_id = $4 AND deleted_at IS NULL AND hidden_at IS NULL RETURNING id`,
      [body, now.toISOString(), id, accountId],
    );
    return changed.length > 0 ? this.getComment(id) : null;
  }

  async deleteComment(id: number, accountId: number, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.query(
        `UPDATE comments SET deleted_at = $1, body = '' WHERE id = $2 AND member_id = $3 AND deleted_at IS NULL
        RETURNING paper_id, hidden_at`,
        [now.toISOString(), id, accountId],
      );
      if (!row) return false;
      if (row.hidden_at === null) await countComment(tx, String(row.paper_id), -1);
      return true;
    });
  }

  async getComment(id: number): Promise<CommentRecord | null> {
    const [row] = await this.#db.query(`${COMMENT_SELECT} WHERE c.id = $1`, [id]);
    return row ? rowToComment(row) : null;
  }

  async commentsOn(paperId: string): Promise<CommentRecord[]> {
    return (await this.#db.query(`${COMMENT_SELECT} WHERE c.paper_id = $1 ORDER BY c.id`, [paperId])).map(rowToComment);
  }

  async commentsBy(accountId: number, limit: number): Promise<CommentRecord[]> {
    return (
      await this.#db.query(
        `${COMMENT_SELECT} JOIN papers p ON p.id = c.paper_id WHERE c.member_id = $1 AND c.deleted_at IS NULL
      AND c.hidden_at IS NULL AND p.hidden_at IS NULL ORDER BY c.id DESC LIMIT $2`,
        [accountId, limit],
      )
    ).map(rowToComment);
  }

  async hidePaper(paperId: string, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const changed =
        (
          await tx.query(
            'UPDATE papers SET hidden_at = $1, hidden_reason = $2 WHERE id = $3 AND hidden_at IS NULL RETURNING 1',
            [now.toISOString(), reason, paperId],
          )
        ).length > 0;
      if (changed) await log(tx, moderatorId, 'hide-paper', paperId, reason, now);
      return changed;
    });
  }

  async unhidePaper(paperId: string, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const changed =
        (
          await tx.query(
            'UPDATE papers SET hidden_at = NULL, hidden_reason = NULL WHERE id = $1 AND hidden_at IS NOT NULL RETURNING 1',
            [paperId],
          )
        ).length > 0;
      if (changed) await log(tx, moderatorId, 'unhide-paper', paperId, reason, now);
      return changed;
    });
  }

  async hiddenPapers(): Promise<{ id: string; title: string; reason: string; at: string }[]> {
    return (
      await this.#db.query(
        'SELECT id, title, hidden_reason, hidden_at FROM papers WHERE hidden_at IS NOT NULL ORDER BY hidden_at DESC',
      )
    ).map((r) => ({
      id: String(r.id),
      title: String(r.title),
      reason: String(r.hidden_reason),
      at: String(r.hidden_at),
    }));
  }

  async hideComment(commentId: number, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.query(
        `UPDATE comments SET hidden_at = $1, hidden_reason = $2 WHERE id = $3 AND hidden_at IS NULL
        RETURNING paper_id, deleted_at`,
        [now.toISOString(), reason, commentId],
      );
      if (!row) return false;
      if (row.deleted_at === null) await countComment(tx, String(row.paper_id), -1);
      await log(tx, moderatorId, 'hide-comment', String(commentId), reason, now);
      return true;
    });
  }

  async banMember(accountId: number, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.query(
        'UPDATE members SET banned_at = $1, ban_reason = $2 WHERE id = $3 AND banned_at IS NULL RETURNING name',
        [now.toISOString(), reason, accountId],
      );
      if (!row) return false;
      await tx.query('DELETE FROM sessions WHERE member_id = $1', [accountId]);
      await log(tx, moderatorId, 'ban-member', String(row.name), reason, now);
      return true;
    });
  }

  async unbanMember(accountId: number, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.query(
        'UPDATE members SET banned_at = NULL, ban_reason = NULL WHERE id = $1 AND banned_at IS NOT NULL RETURNING name',
        [accountId],
      );
      if (!row) return false;
      await log(tx, moderatorId, 'unban-member', String(row.name), reason, now);
      return true;
    });
  }

  async moderationLog(limit: number): Promise<ModerationEntry[]> {
    return (await this.#db.query(`${MODERATION_LOG_SELECT} ORDER BY l.id DESC LIMIT $1`, [limit])).map(
      rowToModerationEntry,
    );
  }

  async hitRateLimit(key: string, windowSeconds: number, max: number, now: Date): Promise<RateLimitResult> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    // One statement: the count is exact across processes, and old windows of the key go in passing.
    const [row] = await this.#db.query(
      `WITH old AS (DELETE FROM rate_limits WHERE key = $1 AND window_start < $2)
      INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
      ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits`,
      [key, windowStart],
    );
    const hits = Number(row!.hits);
    return hits <= max
      ? { allowed: true, retryAfter: 0 }
      : { allowed: false, retryAfter: windowStart + windowSeconds - nowSeconds };
  }

  async instanceSecret(): Promise<string> {
    if (this.#instanceSecret) return this.#instanceSecret;
    const read = async () => (await this.#db.query(`SELECT value FROM job_state WHERE key = 'instance-secret'`))[0];
    // Written once by whichever process comes first (and only then, so that reading it moves no data version).
    let row = await read();
    if (!row) {
      await this.#db.query(
        `INSERT INTO job_state (key, value, updated_at) VALUES ('instance-secret', $1, $2) ON CONFLICT (key) DO NOTHING`,
        [JSON.stringify(randomBytes(32).toString('hex')), new Date().toISOString()],
      );
      row = await read();
    }
    this.#instanceSecret = JSON.parse(String(row!.value)) as string;
    return this.#instanceSecret;
  }
}

/** Whether a member other than `exceptId` holds the handle, in any letter case. */
async function handleTaken(tx: Queryable, handle: string, exceptId: number | null): Promise<boolean> {
  return (
    (await tx.query('SELECT 1 FROM members WHERE lower(name) = $1 AND id IS DISTINCT FROM $2', [handle, exceptId]))
      .length > 0
  );
}

/** Log entries about a member name them by handle: they follow the member to a new one. */
async function renameInLog(tx: Queryable, from: string, to: string): Promise<void> {
  await tx.query(`UPDATE moderation_log SET target = $1 WHERE target = $2 AND ${MEMBER_LOG_ACTIONS}`, [to, from]);
}

async function countComment(tx: Queryable, paperId: string, delta: number): Promise<void> {
  await tx.query(
    'UPDATE papers SET local_comments = local_comments + $1, num_comments = num_comments + $1 WHERE id = $2',
    [delta, paperId],
  );
}

async function log(
  tx: Queryable,
  moderatorId: number,
  action: ModerationEntry['action'],
  target: string,
  reason: string,
  now: Date,
): Promise<void> {
  await tx.query('INSERT INTO moderation_log (moderator_id, action, target, reason, at) VALUES ($1, $2, $3, $4, $5)', [
    moderatorId,
    action,
    target,
    reason,
    now.toISOString(),
  ]);
}
