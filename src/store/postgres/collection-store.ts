/**
 * The collections facet on PostgreSQL. Limits are checked under a row lock (the member's row for their
 * collections and follows, the collection's row for its papers), so that concurrent requests from any
 * number of processes never go past them, and positions within a collection stay unique.
 */
import {
  COLLECTION_ITEMS_MAX,
  COLLECTIONS_PER_MEMBER_MAX,
  FOLLOWS_PER_MEMBER_MAX,
  type AddItemResult,
  type Collection,
  type CollectionInput,
  type CollectionItem,
  type CollectionStore,
  type Follow,
  type FollowKind,
} from '../collection-store.ts';
import type { Queryable, Runner } from './runner.ts';
import { rowToCollection } from '../rows.ts';

const COLLECTION_SELECT = `SELECT c.id, c.member_id, m.name AS owner_name, c.name, c.description, c.is_public, c.created_at, c.updated_at,
  (SELECT count(*) FROM collection_items i JOIN papers p ON p.id = i.paper_id WHERE i.collection_id = c.id AND p.hidden_at IS NULL) AS papers
  FROM collections c JOIN members m ON m.id = c.member_id`;

export class PostgresCollectionStore implements CollectionStore {
  readonly #db: Runner;

  constructor(db: Runner) {
    this.#db = db;
  }

  async createCollection(ownerId: number, input: CollectionInput, now: Date): Promise<Collection | null> {
    const id = await this.#db.transaction(async (tx) => {
      if ((await tx.query('SELECT 1 FROM members WHERE id = $1 FOR UPDATE', [ownerId])).length === 0) return null;
      const [count] = await tx.query('SELECT count(*) AS n FROM collections WHERE member_id = $1', [ownerId]);
      if (Number(count!.n) >= COLLECTIONS_PER_MEMBER_MAX) return null;
      const [row] = await tx.query(
        `INSERT INTO collections (member_id, name, description, is_public, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
        [ownerId, input.name, input.description, input.isPublic, now.toISOString()],
      );
      return Number(row!.id);
    });
    return id === null ? null : this.getCollection(id);
  }

  async updateCollection(id: number, ownerId: number, input: CollectionInput, now: Date): Promise<Collection | null> {
    const rows = await this.#db.query(
      `UPDATE collections SET name = $1, description = $2, is_public = $3, updated_at = $4
      WHERE id = $5 AND member_id = $6 RETURNING id`,
      [input.name, input.description, input.isPublic, now.toISOString(), id, ownerId],
    );
    return rows.length > 0 ? this.getCollection(id) : null;
  }

  async deleteCollection(id: number, ownerId: number): Promise<boolean> {
    return (
      (await this.#db.query('DELETE FROM collections WHERE id = $1 AND member_id = $2 RETURNING id', [id, ownerId]))
        .length > 0
    );
  }

  async getCollection(id: number): Promise<Collection | null> {
    if (!Number.isSafeInteger(id)) return null;
    const [row] = await this.#db.query(`${COLLECTION_SELECT} WHERE c.id = $1`, [id]);
    return row ? rowToCollection(row) : null;
  }

  async collectionsOf(ownerId: number): Promise<Collection[]> {
    return (
      await this.#db.query(`${COLLECTION_SELECT} WHERE c.member_id = $1 ORDER BY c.updated_at DESC, c.id DESC`, [
        ownerId,
      ])
    ).map(rowToCollection);
  }

  async collectionItems(id: number): Promise<CollectionItem[]> {
    return (
      await this.#db.query(
        `SELECT i.paper_id, i.position, i.added_at FROM collection_items i JOIN papers p ON p.id = i.paper_id
      WHERE i.collection_id = $1 AND p.hidden_at IS NULL ORDER BY i.position, i.added_at`,
        [id],
      )
    ).map((r) => ({ paperId: String(r.paper_id), position: Number(r.position), addedAt: String(r.added_at) }));
  }

  async collectionsHolding(ownerId: number, paperIds: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    if (paperIds.length === 0) return out;
    const rows = await this.#db.query(
      `SELECT i.paper_id, i.collection_id FROM collection_items i JOIN collections c ON c.id = i.collection_id
      WHERE c.member_id = $1 AND i.paper_id = ANY($2::text[]) ORDER BY i.collection_id`,
      [ownerId, paperIds],
    );
    for (const r of rows) {
      const id = String(r.paper_id);
      out.set(id, [...(out.get(id) ?? []), Number(r.collection_id)]);
    }
    return out;
  }

  async addItem(collectionId: number, ownerId: number, paperId: string, now: Date): Promise<AddItemResult | null> {
    return this.#db.transaction(async (tx) => {
      if (!(await lockOwned(tx, collectionId, ownerId))) return null;
      if ((await tx.query('SELECT 1 FROM papers WHERE id = $1 AND hidden_at IS NULL', [paperId])).length === 0)
        return null;
      if (
        (
          await tx.query('SELECT 1 FROM collection_items WHERE collection_id = $1 AND paper_id = $2', [
            collectionId,
            paperId,
          ])
        ).length > 0
      )
        return 'exists';
      const [stats] = await tx.query(
        'SELECT count(*) AS n, coalesce(max(position) + 1, 0) AS next FROM collection_items WHERE collection_id = $1',
        [collectionId],
      );
      if (Number(stats!.n) >= COLLECTION_ITEMS_MAX) return 'full';
      await tx.query(
        'INSERT INTO collection_items (collection_id, paper_id, position, added_at) VALUES ($1, $2, $3, $4)',
        [collectionId, paperId, Number(stats!.next), now.toISOString()],
      );
      await touch(tx, collectionId, now);
      return 'added';
    });
  }

  async removeItem(collectionId: number, ownerId: number, paperId: string, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      if (!(await lockOwned(tx, collectionId, ownerId))) return false;
      const removed =
        (
          await tx.query('DELETE FROM collection_items WHERE collection_id = $1 AND paper_id = $2 RETURNING 1', [
            collectionId,
            paperId,
          ])
        ).length > 0;
      if (removed) await touch(tx, collectionId, now);
      return removed;
    });
  }

  async moveItem(
    collectionId: number,
    ownerId: number,
    paperId: string,
    direction: 'up' | 'down',
    now: Date,
  ): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      if (!(await lockOwned(tx, collectionId, ownerId))) return false;
      const [item] = await tx.query(
        'SELECT position FROM collection_items WHERE collection_id = $1 AND paper_id = $2',
        [collectionId, paperId],
      );
      if (!item) return false;
      // The visible neighbour (hidden papers are not on the page, so they are stepped over).
      const [neighbour] = await tx.query(
        `SELECT i.paper_id, i.position FROM collection_items i JOIN papers p ON p.id = i.paper_id
        WHERE i.collection_id = $1 AND p.hidden_at IS NULL AND i.paper_id <> $2 AND ${
          direction === 'up' ? 'i.position < $3 ORDER BY i.position DESC' : 'i.position > $3 ORDER BY i.position'
        } LIMIT 1`,
        [collectionId, paperId, Number(item.position)],
      );
      if (!neighbour) return false;
      // Positions are unique within a collection (appends take max + 1; moves swap): swap the two.
      await tx.query(
        `UPDATE collection_items SET position = CASE paper_id WHEN $2 THEN $3::integer ELSE $4::integer END
        WHERE collection_id = $1 AND paper_id IN ($2, $5)`,
        [collectionId, paperId, Number(neighbour.position), Number(item.position), String(neighbour.paper_id)],
      );
      await touch(tx, collectionId, now);
      return true;
    });
  }

  async savedBy(accountId: number, limit: number): Promise<string[]> {
    return (
      await this.#db.query(
        `SELECT i.paper_id, max(i.added_at) AS at FROM collection_items i JOIN collections c ON c.id = i.collection_id
      JOIN papers p ON p.id = i.paper_id WHERE c.member_id = $1 AND p.hidden_at IS NULL
      GROUP BY i.paper_id ORDER BY at DESC, i.paper_id LIMIT $2`,
        [accountId, limit],
      )
    ).map((r) => String(r.paper_id));
  }

  async dismiss(accountId: number, paperId: string, now: Date): Promise<void> {
    await this.#db.query(
      `INSERT INTO dismissed_papers (member_id, paper_id, created_at)
      SELECT $1, id, $3 FROM papers WHERE id = $2 ON CONFLICT DO NOTHING`,
      [accountId, paperId, now.toISOString()],
    );
  }

  async undismiss(accountId: number, paperId: string): Promise<boolean> {
    return (
      (
        await this.#db.query('DELETE FROM dismissed_papers WHERE member_id = $1 AND paper_id = $2 RETURNING 1', [
          accountId,
          paperId,
        ])
      ).length > 0
    );
  }

  async clearDismissed(accountId: number): Promise<number> {
    return (await this.#db.query('DELETE FROM dismissed_papers WHERE member_id = $1 RETURNING 1', [accountId])).length;
  }

  async dismissedBy(accountId: number, limit: number): Promise<string[]> {
    return (
      await this.#db.query(
        'SELECT paper_id FROM dismissed_papers WHERE member_id = $1 ORDER BY created_at DESC, paper_id LIMIT $2',
        [accountId, limit],
      )
    ).map((r) => String(r.paper_id));
  }

  async follow(accountId: number, kind: FollowKind, target: string, label: string, now: Date): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      if ((await tx.query('SELECT 1 FROM members WHERE id = $1 FOR UPDATE', [accountId])).length === 0) return false;
      if (
        (
          await tx.query('SELECT 1 FROM follows WHERE member_id = $1 AND kind = $2 AND target = $3', [
            accountId,
            kind,
            target,
          ])
        ).length > 0
      )
        return true;
      const [count] = await tx.query('SELECT count(*) AS n FROM follows WHERE member_id = $1', [accountId]);
      if (Number(count!.n) >= FOLLOWS_PER_MEMBER_MAX) return false;
      await tx.query('INSERT INTO follows (member_id, kind, target, label, created_at) VALUES ($1, $2, $3, $4, $5)', [
        accountId,
        kind,
        target,
        label,
        now.toISOString(),
      ]);
      return true;
    });
  }

  async unfollow(accountId: number, kind: FollowKind, target: string): Promise<boolean> {
    return (
      (
        await this.#db.query('DELETE FROM follows WHERE member_id = $1 AND kind = $2 AND target = $3 RETURNING 1', [
          accountId,
          kind,
          target,
        ])
      ).length > 0
    );
  }

  async isFollowing(accountId: number, kind: FollowKind, target: string): Promise<boolean> {
    return (
      (
        await this.#db.query('SELECT 1 FROM follows WHERE member_id = $1 AND kind = $2 AND target = $3', [
          accountId,
          kind,
          target,
        ])
      ).length > 0
    );
  }

  async followsOf(accountId: number): Promise<Follow[]> {
    return (
      await this.#db.query(
        'SELECT kind, target, label, created_at FROM follows WHERE member_id = $1 ORDER BY created_at DESC, kind, target',
        [accountId],
      )
    ).map((r) => ({
      kind: String(r.kind) as FollowKind,
      target: String(r.target),
      label: String(r.label),
      createdAt: String(r.created_at),
    }));
  }

  async accountIdForEmail(email: string): Promise<number | null> {
    const [row] = await this.#db.query('SELECT id FROM members WHERE email = $1', [email.trim().toLowerCase()]);
    return row ? Number(row.id) : null;
  }
}

/** Locks the collection's row if this owner has it (orders every change to one collection). */
async function lockOwned(tx: Queryable, collectionId: number, ownerId: number): Promise<boolean> {
  if (!Number.isSafeInteger(collectionId)) return false;
  return (
    (await tx.query('SELECT 1 FROM collections WHERE id = $1 AND member_id = $2 FOR UPDATE', [collectionId, ownerId]))
      .length > 0
  );
}

async function touch(tx: Queryable, collectionId: number, now: Date): Promise<void> {
  await tx.query('UPDATE collections SET updated_at = $1 WHERE id = $2', [now.toISOString(), collectionId]);
}
