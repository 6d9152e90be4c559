/** The community facet on SQLite. Every change that moves a paper's counts does so in the same transaction. */
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
import type { SqliteDatabase } from './database.ts';
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
import { DELETED_MEMBER, randomHandle, tombstoneName } from '../../domain/handles.ts';

export class SqliteCommunityStore implements CommunityStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async accountForEmail(email: string, now: Date): Promise<Account> {
    return this.#db.transaction(() => {
      const existing = this.#db.sql(`SELECT ${ACCOUNT_COLUMNS} FROM members m WHERE m.email = ?`).get(email);
      if (existing) return rowToAccount(existing);
      let handle = randomHandle();
      while (this.#handleTaken(handle, null)) handle = randomHandle();
      const row = this.#db
        .sql(`INSERT INTO members (name, fullname, email, role, created_at, handle_chosen) VALUES (?, ?, ?, 'member', ?, 0)
        RETURNING id`)
        .get(handle, handle, email, now.toISOString());
      return rowToAccount(
        this.#db.sql(`SELECT ${ACCOUNT_COLUMNS} FROM members m WHERE m.id = ?`).get(Number(row!.id))!,
      );
    });
  }

  /** Whether a member other than `exceptId` holds the handle, in any letter case. */
  #handleTaken(handle: string, exceptId: number | null): boolean {
    return (
      this.#db.sql('SELECT 1 FROM members WHERE lower(name) = ? AND id IS NOT ?').get(handle, exceptId) !== undefined
    );
  }

  async getAccount(id: number): Promise<Account | null> {
    const row = this.#db.sql(`SELECT ${ACCOUNT_COLUMNS} FROM members m WHERE m.id = ?`).get(id);
    return row ? rowToAccount(row) : null;
  }

  async getAccountByName(name: string): Promise<Account | null> {
    const row = this.#db
      .sql(`SELECT ${ACCOUNT_COLUMNS} FROM members m WHERE m.name = ? AND m.deleted_at IS NULL`)
      .get(name);
    return row ? rowToAccount(row) : null;
  }

  async updateProfile(id: number, fullname: string): Promise<void> {
    this.#db.transaction(() => this.#db.sql('UPDATE members SET fullname = ? WHERE id = ?').run(fullname, id));
  }

  async chooseHandle(id: number, handle: string, fullname: string): Promise<ChooseHandleResult> {
    return this.#db.transaction(() => {
      if (this.#handleTaken(handle, id)) return 'taken';
      const row = this.#db.sql('SELECT name FROM members WHERE id = ? AND deleted_at IS NULL').get(id);
      if (!row) throw new Error(`no account ${id}`);
      this.#db
        .sql('UPDATE members SET name = ?, fullname = ?, handle_chosen = 1 WHERE id = ?')
        .run(handle, fullname, id);
      this.#renameInLog(String(row.name), handle);
      return 'chosen';
    });
  }

  /** Log entries about a member name them by handle: they follow the member to a new one. */
  #renameInLog(from: string, to: string): void {
    this.#db.sql(`UPDATE moderation_log SET target = ? WHERE target = ? AND ${MEMBER_LOG_ACTIONS}`).run(to, from);
  }

  async setUpvotesPublic(id: number, upvotesPublic: boolean): Promise<void> {
    this.#db.transaction(() =>
      this.#db.sql('UPDATE members SET upvotes_public = ? WHERE id = ?').run(upvotesPublic ? 1 : 0, id),
    );
  }

  async deleteAccount(id: number, deletion: AccountDeletion, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const member = this.#db.sql('SELECT name, email FROM members WHERE id = ? AND deleted_at IS NULL').get(id);
      if (!member) return false;
      const run = (sql: string, ...params: (string | number | null)[]) => this.#db.sql(sql).run(...params);
      // Each vote leaves its paper's count as toggleVote taking it back would (one vote per member and paper).
      run(
        `UPDATE papers SET local_upvotes = local_upvotes - 1, upvotes = upvotes - 1
        WHERE id IN (SELECT paper_id FROM votes WHERE member_id = ?)`,
        id,
      );
      run('DELETE FROM votes WHERE member_id = ?', id);
      if (deletion.comments === 'remove') {
        // Comments still counted (neither deleted nor hidden) leave their papers' counts, as deleteComment does.
        run(
          `UPDATE papers SET local_comments = local_comments - k.n, num_comments = num_comments - k.n
          FROM (SELECT paper_id, count(*) AS n FROM comments WHERE member_id = ? AND deleted_at IS NULL AND hidden_at IS NULL
            GROUP BY paper_id) AS k WHERE papers.id = k.paper_id`,
          id,
        );
        run(
          `UPDATE comments SET deleted_at = coalesce(deleted_at, ?), body = '' WHERE member_id = ?`,
          now.toISOString(),
          id,
        );
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
        run(`DELETE FROM ${table} WHERE member_id = ?`, id);
      // Their notifications, and those about what they did; their reports (the queue keeps other members' reports).
      run('DELETE FROM notifications WHERE member_id = ? OR actor_id = ?', id, id);
      run('DELETE FROM reports WHERE reporter_id = ?', id);
      run('UPDATE daily_entries SET submitted_by = NULL WHERE submitted_by = ?', id);
      const email = member.email === null ? null : String(member.email);
      if (email !== null) {
        run('DELETE FROM login_tokens WHERE lower(email) = ?', emailKey(email));
        run('DELETE FROM digest_subscriptions WHERE email_key = ?', emailKey(email));
      }
      this.#db
        .sql('DELETE FROM rate_limits WHERE key IN (SELECT value FROM json_each(?))')
        .run(JSON.stringify(deletion.rateLimitKeys));
      const tombstone = tombstoneName(id);
      this.#renameInLog(String(member.name), tombstone);
      run(
        `UPDATE members SET name = ?, fullname = ?, email = NULL, avatar_url = NULL, external_id = NULL, role = 'member',
        created_at = NULL, banned_at = NULL, ban_reason = NULL, handle_chosen = 1, upvotes_public = 1, deleted_at = ? WHERE id = ?`,
        tombstone,
        DELETED_MEMBER,
        now.toISOString(),
        id,
      );
      return true;
    });
  }

  async setRole(id: number, role: Role): Promise<void> {
    this.#db.transaction(() => this.#db.sql('UPDATE members SET role = ? WHERE id = ?').run(role, id));
  }

  async staff(): Promise<Account[]> {
    return this.#db
      .sql(`SELECT ${ACCOUNT_COLUMNS} FROM members m WHERE m.role IN ('admin', 'moderator')
      ORDER BY m.role = 'admin' DESC, m.name`)
      .all()
      .map(rowToAccount);
  }

  async changeRole(accountId: number, from: Role, to: Role, byId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const row = this.#db
        .sql('UPDATE members SET role = ? WHERE id = ? AND role = ? RETURNING name')
        .get(to, accountId, from);
      if (!row) return false;
      this.#log(byId, 'set-role', String(row.name), `${to}: ${reason}`, now);
      return true;
    });
  }

  async countAdmins(): Promise<number> {
    return Number(this.#db.sql(`SELECT count(*) AS n FROM members WHERE role = 'admin'`).get()!.n);
  }

  async offerAdminClaim(codeHash: string, now: Date): Promise<boolean> {
    const result = this.#db
      .sql('INSERT INTO admin_claim (id, code_hash, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING')
      .run(codeHash, now.toISOString());
    return Number(result.changes) > 0;
  }

  async replaceAdminClaim(codeHash: string, now: Date): Promise<void> {
    this.#db
      .sql(`INSERT INTO admin_claim (id, code_hash, created_at) VALUES (1, ?, ?)
      ON CONFLICT (id) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at`)
      .run(codeHash, now.toISOString());
  }

  async spendAdminClaim(codeHash: string, accountId: number): Promise<boolean> {
    // One writer at a time: the first claim deletes the row, every later one finds none.
    return this.#db.transaction(() => {
      const spent = this.#db
        .sql(`DELETE FROM admin_claim WHERE id = 1 AND code_hash = ?
        AND NOT EXISTS (SELECT 1 FROM members WHERE role = 'admin') RETURNING id`)
        .get(codeHash);
      if (!spent) return false;
      this.#db.sql(`UPDATE members SET role = 'admin' WHERE id = ?`).run(accountId);
      return true;
    });
  }

  async createLoginToken(tokenHash: string, email: string, expiresAt: Date): Promise<void> {
    this.#db.transaction(() => {
      // Kept an hour past expiry, so that renewLoginToken can still find the newest one.
      this.#db
        .sql('DELETE FROM login_tokens WHERE expires_at < ?')
        .run(new Date(Date.now() - LOGIN_TOKEN_KEPT_MS).toISOString());
      this.#db
        .sql('INSERT INTO login_tokens (token_hash, email, created_at, expires_at) VALUES (?, ?, ?, ?)')
        .run(tokenHash, email, new Date().toISOString(), expiresAt.toISOString());
    });
  }

  async consumeLoginToken(tokenHash: string, now: Date): Promise<string | null> {
    return this.#db.transaction(() => {
      const row = this.#db
        .sql(`UPDATE login_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
        RETURNING email`)
        .get(now.toISOString(), tokenHash, now.toISOString());
      return row ? String(row.email) : null;
    });
  }

  async renewLoginToken(email: string, issuedAfter: Date, expiresAt: Date): Promise<boolean> {
    return this.#db.transaction(
      () =>
        this.#db
          .sql(`UPDATE login_tokens SET expires_at = ? WHERE token_hash = (
      SELECT token_hash FROM login_tokens WHERE email = ? AND used_at IS NULL AND created_at > ? ORDER BY created_at DESC LIMIT 1)
      RETURNING token_hash`)
          .get(expiresAt.toISOString(), email, issuedAfter.toISOString()) !== undefined,
    );
  }

  async createSession(idHash: string, accountId: number, csrfSecret: string, expiresAt: Date): Promise<void> {
    this.#db.transaction(() => {
      this.#db
        .sql('INSERT INTO sessions (id_hash, member_id, csrf_secret, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run(idHash, accountId, csrfSecret, new Date().toISOString(), expiresAt.toISOString());
    });
  }

  async getSession(idHash: string, now: Date): Promise<SessionRecord | null> {
    const row = this.#db
      .sql(`SELECT ${ACCOUNT_COLUMNS}, s.csrf_secret, s.created_at AS session_created_at, s.expires_at
      FROM sessions s JOIN members m ON m.id = s.member_id WHERE s.id_hash = ? AND s.expires_at > ?`)
      .get(idHash, now.toISOString());
    if (!row) return null;
    return {
      account: rowToAccount(row),
      csrfSecret: String(row.csrf_secret),
      createdAt: String(row.session_created_at),
      expiresAt: String(row.expires_at),
    };
  }

  async deleteSession(idHash: string): Promise<void> {
    this.#db.transaction(() => this.#db.sql('DELETE FROM sessions WHERE id_hash = ?').run(idHash));
  }

  async deleteSessionsOf(accountId: number): Promise<void> {
    this.#db.transaction(() => this.#db.sql('DELETE FROM sessions WHERE member_id = ?').run(accountId));
  }

  async toggleVote(accountId: number, paperId: string, now: Date): Promise<VoteResult | null> {
    return this.#vote(accountId, paperId, null, now);
  }

  async setVote(accountId: number, paperId: string, voted: boolean, now: Date): Promise<VoteResult | null> {
    return this.#vote(accountId, paperId, voted, now);
  }

  /** `want` null: the opposite of the present state. */
  #vote(accountId: number, paperId: string, want: boolean | null, now: Date): VoteResult | null {
    return this.#db.transaction(() => {
      const paper = this.#db.sql('SELECT upvotes FROM papers WHERE id = ? AND hidden_at IS NULL').get(paperId);
      if (!paper) return null;
      const has = this.#db.sql('SELECT 1 FROM votes WHERE member_id = ? AND paper_id = ?').get(accountId, paperId);
      if (want !== null && want === (has !== undefined)) return { voted: want, upvotes: Number(paper.upvotes) };
      const removed = has !== undefined;
      if (removed) this.#db.sql('DELETE FROM votes WHERE member_id = ? AND paper_id = ?').run(accountId, paperId);
      else
        this.#db
          .sql('INSERT INTO votes (member_id, paper_id, created_at) VALUES (?, ?, ?)')
          .run(accountId, paperId, now.toISOString());
      const delta = removed ? -1 : 1;
      const row = this.#db
        .sql(`UPDATE papers SET local_upvotes = local_upvotes + ?, upvotes = upvotes + ? WHERE id = ?
        RETURNING upvotes`)
        .get(delta, delta, paperId);
      return { voted: !removed, upvotes: Number(row!.upvotes) };
    });
  }

  async votedPapers(accountId: number, paperIds: readonly string[]): Promise<Set<string>> {
    if (paperIds.length === 0) return new Set();
    const rows = this.#db
      .sql('SELECT v.paper_id FROM json_each(?) j JOIN votes v ON v.paper_id = j.value AND v.member_id = ?')
      .all(JSON.stringify(paperIds), accountId);
    return new Set(rows.map((r) => String(r.paper_id)));
  }

  async upvotedBy(accountId: number, limit: number): Promise<string[]> {
    return this.#db
      .sql(`SELECT v.paper_id FROM votes v JOIN papers p ON p.id = v.paper_id
      WHERE v.member_id = ? AND p.hidden_at IS NULL ORDER BY v.created_at DESC LIMIT ?`)
      .all(accountId, limit)
      .map((r) => String(r.paper_id));
  }

  async submittedBy(accountId: number, limit: number): Promise<string[]> {
    return this.#db
      .sql(`SELECT e.paper_id FROM daily_entries e JOIN papers p ON p.id = e.paper_id
      WHERE e.submitted_by = ? AND p.hidden_at IS NULL ORDER BY e.submitted_at DESC LIMIT ?`)
      .all(accountId, limit)
      .map((r) => String(r.paper_id));
  }

  async submitPaper(paperId: string, accountId: number, day: string, now: Date): Promise<SubmitResult> {
    return this.#db.transaction(() => {
      const first = this.#db.sql('SELECT min(day) AS day FROM daily_entries WHERE paper_id = ?').get(paperId)!.day;
      if (first !== null && first !== undefined) return { status: 'exists', day: String(first) };
      const paper = this.#db.sql('SELECT published_at FROM papers WHERE id = ?').get(paperId);
      if (!paper) throw new Error(`paper ${paperId} is not in the store`);
      const position = Number(
        this.#db.sql('SELECT coalesce(max(position) + 1, 0) AS n FROM daily_entries WHERE day = ?').get(day)!.n,
      );
      this.#db
        .sql(`INSERT INTO daily_entries (day, paper_id, position, submitted_at, submitted_by, listed_published_at, source)
        VALUES (?, ?, ?, ?, ?, ?, 'member')`)
        .run(day, paperId, position, now.toISOString(), accountId, String(paper.published_at));
      return { status: 'added', day };
    });
  }

  async paperSubmitters(paperId: string): Promise<number[]> {
    return this.#db
      .sql(`SELECT DISTINCT submitted_by FROM daily_entries WHERE paper_id = ? AND source = 'member'
      AND submitted_by IS NOT NULL ORDER BY submitted_by`)
      .all(paperId)
      .map((r) => Number(r.submitted_by));
  }

  async paperUpvoters(paperId: string, limit: number): Promise<PaperUpvoters> {
    const counts = this.#db.sql(`${UPVOTE_COUNTS_SELECT} WHERE v.paper_id = ?`).get(paperId);
    const members = this.#db
      .sql(`${PUBLIC_UPVOTERS_SELECT} AND v.paper_id = ? ORDER BY v.created_at DESC, m.id LIMIT ?`)
      .all(paperId, limit);
    return rowsToUpvoters(counts, members);
  }

  async setPaperLinks(
    paperId: string,
    expected: PaperLinks,
    next: PaperLinks,
    accountId: number,
    now: Date,
  ): Promise<SetLinksResult> {
    return this.#db.transaction(() => {
      const row = this.#db
        .sql('SELECT github_repo, project_page FROM papers WHERE id = ? AND hidden_at IS NULL')
        .get(paperId);
      if (!row) return { status: 'missing' };
      const links = { githubRepo: nullableString(row.github_repo), projectPage: nullableString(row.project_page) };
      if (!sameLinks(links, expected)) return { status: 'conflict', links };
      if (sameLinks(links, next)) return { status: 'unchanged', links };
      const at = now.toISOString();
      this.#db
        .sql(`UPDATE papers SET github_stars = CASE WHEN github_repo IS ? THEN github_stars END, github_repo = ?,
        project_page = ?, links_edited_at = ? WHERE id = ?`)
        .run(next.githubRepo, next.githubRepo, next.projectPage, at, paperId);
      this.#db
        .sql(`INSERT INTO paper_link_changes (paper_id, member_id, at, github_before, github_after, project_before,
        project_after) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(paperId, accountId, at, links.githubRepo, next.githubRepo, links.projectPage, next.projectPage);
      return { status: 'changed', links: { ...next } };
    });
  }

  async paperLinkChanges(paperId: string, limit: number): Promise<LinkChange[]> {
    return this.#db
      .sql(`${LINK_CHANGE_SELECT} WHERE l.paper_id = ? ORDER BY l.id DESC LIMIT ?`)
      .all(paperId, limit)
      .map(rowToLinkChange);
  }

  async linkChangesBy(accountId: number, limit: number): Promise<LinkChange[]> {
    return this.#db
      .sql(`${LINK_CHANGE_SELECT} WHERE l.member_id = ? ORDER BY l.id DESC LIMIT ?`)
      .all(accountId, limit)
      .map(rowToLinkChange);
  }

  async addComment(
    paperId: string,
    accountId: number,
    parentId: number | null,
    body: string,
    now: Date,
  ): Promise<CommentRecord> {
    const id = this.#db.transaction(() => {
      const row = this.#db
        .sql(`INSERT INTO comments (paper_id, member_id, parent_id, body, created_at) VALUES (?, ?, ?, ?, ?)
        RETURNING id`)
        .get(paperId, accountId, parentId, body, now.toISOString());
      this.#countComment(paperId, 1);
      return Number(row!.id);
    });
    return (await this.getComment(id))!;
  }

  #countComment(paperId: string, delta: number): void {
    this.#db
      .sql('UPDATE papers SET local_comments = local_comments + ?, num_comments = num_comments + ? WHERE id = ?')
      .run(delta, delta, paperId);
  }

  async editComment(id: number, accountId: number, body: string, now: Date): Promise<CommentRecord | null> {
    const changed = this.#db.transaction(
      () =>
        this.#db
          .sql(`UPDATE comments SET body = ?, edited_at = ?
      WHERE id = ? AND member_id = ? AND deleted_at IS NULL AND hidden_at IS NULL`)
          .run(body, now.toISOString(), id, accountId).changes,
    );
    return changed > 0 ? this.getComment(id) : null;
  }

  async deleteComment(id: number, accountId: number, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const row = this.#db
        .sql(`UPDATE comments SET deleted_at = ?, body = '' WHERE id = ? AND member_id = ? AND deleted_at IS NULL
        RETURNING paper_id, hidden_at`)
        .get(now.toISOString(), id, accountId);
      if (!row) return false;
      if (row.hidden_at === null) this.#countComment(String(row.paper_id), -1);
      return true;
    });
  }

  async getComment(id: number): Promise<CommentRecord | null> {
    const row = this.#db.sql(`${COMMENT_SELECT} WHERE c.id = ?`).get(id);
    return row ? rowToComment(row) : null;
  }

  async commentsOn(paperId: string): Promise<CommentRecord[]> {
    return this.#db.sql(`${COMMENT_SELECT} WHERE c.paper_id = ? ORDER BY c.id`).all(paperId).map(rowToComment);
  }

  async commentsBy(accountId: number, limit: number): Promise<CommentRecord[]> {
    return this.#db
      .sql(`${COMMENT_SELECT} JOIN papers p ON p.id = c.paper_id WHERE c.member_id = ? AND c.deleted_at IS NULL
      AND c.hidden_at IS NULL AND p.hidden_at IS NULL ORDER BY c.id DESC LIMIT ?`)
      .all(accountId, limit)
      .map(rowToComment);
  }

  async hidePaper(paperId: string, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const changed =
        this.#db
          .sql('UPDATE papers SET hidden_at = ?, hidden_reason = ? WHERE id = ? AND hidden_at IS NULL')
          .run(now.toISOString(), reason, paperId).changes > 0;
      if (changed) this.#log(moderatorId, 'hide-paper', paperId, reason, now);
      return changed;
    });
  }

  async unhidePaper(paperId: string, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const changed =
        this.#db
          .sql('UPDATE papers SET hidden_at = NULL, hidden_reason = NULL WHERE id = ? AND hidden_at IS NOT NULL')
          .run(paperId).changes > 0;
      if (changed) this.#log(moderatorId, 'unhide-paper', paperId, reason, now);
      return changed;
    });
  }

  async hiddenPapers(): Promise<{ id: string; title: string; reason: string; at: string }[]> {
    return this.#db
      .sql('SELECT id, title, hidden_reason, hidden_at FROM papers WHERE hidden_at IS NOT NULL ORDER BY hidden_at DESC')
      .all()
      .map((r) => ({
        id: String(r.id),
        title: String(r.title),
        reason: String(r.hidden_reason),
        at: String(r.hidden_at),
      }));
  }

  async hideComment(commentId: number, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const row = this.#db
        .sql(`UPDATE comments SET hidden_at = ?, hidden_reason = ? WHERE id = ? AND hidden_at IS NULL
        RETURNING paper_id, deleted_at`)
        .get(now.toISOString(), reason, commentId);
      if (!row) return false;
      if (row.deleted_at === null) this.#countComment(String(row.paper_id), -1);
      this.#log(moderatorId, 'hide-comment', String(commentId), reason, now);
      return true;
    });
  }

  async banMember(accountId: number, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const row = this.#db
        .sql('UPDATE members SET banned_at = ?, ban_reason = ? WHERE id = ? AND banned_at IS NULL RETURNING name')
        .get(now.toISOString(), reason, accountId);
      if (!row) return false;
      this.#db.sql('DELETE FROM sessions WHERE member_id = ?').run(accountId);
      this.#log(moderatorId, 'ban-member', String(row.name), reason, now);
      return true;
    });
  }

  async unbanMember(accountId: number, moderatorId: number, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      const row = this.#db
        .sql(
          'UPDATE members SET banned_at = NULL, ban_reason = NULL WHERE id = ? AND banned_at IS NOT NULL RETURNING name',
        )
        .get(accountId);
      if (!row) return false;
      this.#log(moderatorId, 'unban-member', String(row.name), reason, now);
      return true;
    });
  }

  #log(moderatorId: number, action: ModerationEntry['action'], target: string, reason: string, now: Date): void {
    this.#db
      .sql('INSERT INTO moderation_log (moderator_id, action, target, reason, at) VALUES (?, ?, ?, ?, ?)')
      .run(moderatorId, action, target, reason, now.toISOString());
  }

  async moderationLog(limit: number): Promise<ModerationEntry[]> {
    return this.#db.sql(`${MODERATION_LOG_SELECT} ORDER BY l.id DESC LIMIT ?`).all(limit).map(rowToModerationEntry);
  }

  async hitRateLimit(key: string, windowSeconds: number, max: number, now: Date): Promise<RateLimitResult> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const hits = this.#db.transaction(() => {
      this.#db.sql('DELETE FROM rate_limits WHERE key = ? AND window_start < ?').run(key, windowStart);
      return Number(
        this.#db
          .sql(`INSERT INTO rate_limits (key, window_start, hits) VALUES (?, ?, 1)
        ON CONFLICT (key, window_start) DO UPDATE SET hits = hits + 1 RETURNING hits`)
          .get(key, windowStart)!.hits,
      );
    });
    return hits <= max
      ? { allowed: true, retryAfter: 0 }
      : { allowed: false, retryAfter: windowStart + windowSeconds - nowSeconds };
  }

  async instanceSecret(): Promise<string> {
    return this.#db.transaction(() => {
      this.#db
        .sql(`INSERT OR IGNORE INTO job_state (key, value, updated_at) VALUES ('instance-secret', ?, ?)`)
        .run(JSON.stringify(randomBytes(32).toString('hex')), new Date().toISOString());
      return JSON.parse(
        String(this.#db.sql(`SELECT value FROM job_state WHERE key = 'instance-secret'`).get()!.value),
      ) as string;
    });
  }
}
