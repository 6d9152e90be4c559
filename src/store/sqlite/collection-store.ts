/** The collections facet on SQLite: reading lists, dismissed recommendations, follows. */
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
import type { SqliteDatabase } from './database.ts';
import { rowToCollection } from '../rows.ts';

const COLLECTION_SELECT = `SELECT c.id, c.member_id, m.name AS owner_name, c.name, c.description, c.is_public, c.created_at, c.updated_at,
  (SELECT count(*) FROM collection_items i JOIN papers p ON p.id = i.paper_id WHERE i.collection_id = c.id AND p.hidden_at IS NULL) AS papers
  FROM collections c JOIN members m ON m.id = c.member_id`;

export class SqliteCollectionStore implements CollectionStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async createCollection(ownerId: number, input: CollectionInput, now: Date): Promise<Collection | null> {
    const id = this.#db.transaction(() => {
      const count = Number(this.#db.sql('SELECT count(*) AS n FROM collections WHERE member_id = ?').get(ownerId)!.n);
      if (count >= COLLECTIONS_PER_MEMBER_MAX) return null;
      const row = this.#db
        .sql(`INSERT INTO collections (member_id, name, description, is_public, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?) RETURNING id`)
        .get(ownerId, input.name, input.description, input.isPublic ? 1 : 0, now.toISOString(), now.toISOString());
      return Number(row!.id);
    });
    return id === null ? null : this.getCollection(id);
  }

  async updateCollection(id: number, ownerId: number, input: CollectionInput, now: Date): Promise<Collection | null> {
    const changed = this.#db.transaction(
      () =>
        this.#db
          .sql(`UPDATE collections SET name = ?, description = ?, is_public = ?, updated_at = ?
      WHERE id = ? AND member_id = ?`)
          .run(input.name, input.description, input.isPublic ? 1 : 0, now.toISOString(), id, ownerId).changes,
    );
    return changed > 0 ? this.getCollection(id) : null;
  }

  async deleteCollection(id: number, ownerId: number): Promise<boolean> {
    return this.#db.transaction(
      () => this.#db.sql('DELETE FROM collections WHERE id = ? AND member_id = ?').run(id, ownerId).changes > 0,
    );
  }

  async getCollection(id: number): Promise<Collection | null> {
    const row = this.#db.sql(`${COLLECTION_SELECT} WHERE c.id = ?`).get(id);
    return row ? rowToCollection(row) : null;
  }

  async collectionsOf(ownerId: number): Promise<Collection[]> {
    return this.#db
      .sql(`${COLLECTION_SELECT} WHERE c.member_id = ? ORDER BY c.updated_at DESC, c.id DESC`)
      .all(ownerId)
      .map(rowToCollection);
  }

  async collectionItems(id: number): Promise<CollectionItem[]> {
    return this.#db
      .sql(`SELECT i.paper_id, i.position, i.added_at FROM collection_items i JOIN papers p ON p.id = i.paper_id
      WHERE i.collection_id = ? AND p.hidden_at IS NULL ORDER BY i.position, i.added_at`)
      .all(id)
      .map((r) => ({ paperId: String(r.paper_id), position: Number(r.position), addedAt: String(r.added_at) }));
  }

  async collectionsHolding(ownerId: number, paperIds: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    if (paperIds.length === 0) return out;
    const rows = this.#db
      .sql(`SELECT i.paper_id, i.collection_id FROM json_each(?) j
      JOIN collection_items i ON i.paper_id = j.value JOIN collections c ON c.id = i.collection_id
      WHERE c.member_id = ? ORDER BY i.collection_id`)
      .all(JSON.stringify(paperIds), ownerId);
    for (const r of rows) {
      const id = String(r.paper_id);
      out.set(id, [...(out.get(id) ?? []), Number(r.collection_id)]);
    }
    return out;
  }

  async addItem(collectionId: number, ownerId: number, paperId: string, now: Date): Promise<AddItemResult | null> {
    return this.#db.transaction(() => {
      if (!this.#owns(collectionId, ownerId)) return null;
      if (!this.#db.sql('SELECT 1 FROM papers WHERE id = ? AND hidden_at IS NULL').get(paperId)) return null;
      if (
        this.#db
          .sql('SELECT 1 FROM collection_items WHERE collection_id = ? AND paper_id = ?')
          .get(collectionId, paperId)
      )
        return 'exists';
      const stats = this.#db
        .sql(
          'SELECT count(*) AS n, coalesce(max(position) + 1, 0) AS next FROM collection_items WHERE collection_id = ?',
        )
        .get(collectionId)!;
      if (Number(stats.n) >= COLLECTION_ITEMS_MAX) return 'full';
      this.#db
        .sql('INSERT INTO collection_items (collection_id, paper_id, position, added_at) VALUES (?, ?, ?, ?)')
        .run(collectionId, paperId, Number(stats.next), now.toISOString());
      this.#touch(collectionId, now);
      return 'added';
    });
  }

  async removeItem(collectionId: number, ownerId: number, paperId: string, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      if (!this.#owns(collectionId, ownerId)) return false;
      const removed =
        this.#db.sql('DELETE FROM collection_items WHERE collection_id = ? AND paper_id = ?').run(collectionId, paperId)
          .changes > 0;
      if (removed) this.#touch(collectionId, now);
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
    return this.#db.transaction(() => {
      if (!this.#owns(collectionId, ownerId)) return false;
      const item = this.#db
        .sql('SELECT position FROM collection_items WHERE collection_id = ? AND paper_id = ?')
        .get(collectionId, paperId);
      if (!item) return false;
      // The visible neighbour (hidden papers are not on the page, so they are stepped over).
      const neighbour = this.#db
        .sql(`SELECT i.paper_id, i.position FROM collection_items i JOIN papers p ON p.id = i.paper_id
        WHERE i.collection_id = ? AND p.hidden_at IS NULL AND i.paper_id <> ? AND ${
          direction === 'up' ? 'i.position < ? ORDER BY i.position DESC' : 'i.position > ? ORDER BY i.position'
        } LIMIT 1`)
        .get(collectionId, paperId, Number(item.position));
      if (!neighbour) return false;
      // Positions are unique within a collection (appends take max + 1; moves swap): swap the two.
      const [mine, theirs] = [Number(neighbour.position), Number(item.position)];
      const set = this.#db.sql('UPDATE collection_items SET position = ? WHERE collection_id = ? AND paper_id = ?');
      set.run(mine, collectionId, paperId);
      set.run(theirs, collectionId, String(neighbour.paper_id));
      this.#touch(collectionId, now);
      return true;
    });
  }

  #owns(collectionId: number, ownerId: number): boolean {
    return Boolean(this.#db.sql('SELECT 1 FROM collections WHERE id = ? AND member_id = ?').get(collectionId, ownerId));
  }

  #touch(collectionId: number, now: Date): void {
    this.#db.sql('UPDATE collections SET updated_at = ? WHERE id = ?').run(now.toISOString(), collectionId);
  }

  async savedBy(accountId: number, limit: number): Promise<string[]> {
    return this.#db
      .sql(`SELECT i.paper_id, max(i.added_at) AS at FROM collection_items i JOIN collections c ON c.id = i.collection_id
      JOIN papers p ON p.id = i.paper_id WHERE c.member_id = ? AND p.hidden_at IS NULL
      GROUP BY i.paper_id ORDER BY at DESC, i.paper_id LIMIT ?`)
      .all(accountId, limit)
      .map((r) => String(r.paper_id));
  }

  async dismiss(accountId: number, paperId: string, now: Date): Promise<void> {
    this.#db.transaction(() => {
      if (!this.#db.sql('SELECT 1 FROM papers WHERE id = ?').get(paperId)) return;
      this.#db
        .sql('INSERT INTO dismissed_papers (member_id, paper_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
        .run(accountId, paperId, now.toISOString());
    });
  }

  async undismiss(accountId: number, paperId: string): Promise<boolean> {
    return this.#db.transaction(
      () =>
        this.#db.sql('DELETE FROM dismissed_papers WHERE member_id = ? AND paper_id = ?').run(accountId, paperId)
          .changes > 0,
    );
  }

  async clearDismissed(accountId: number): Promise<number> {
    return this.#db.transaction(() =>
      Number(this.#db.sql('DELETE FROM dismissed_papers WHERE member_id = ?').run(accountId).changes),
    );
  }

  async dismissedBy(accountId: number, limit: number): Promise<string[]> {
    return this.#db
      .sql('SELECT paper_id FROM dismissed_papers WHERE member_id = ? ORDER BY created_at DESC, paper_id LIMIT ?')
      .all(accountId, limit)
      .map((r) => String(r.paper_id));
  }

  async follow(accountId: number, kind: FollowKind, target: string, label: string, now: Date): Promise<boolean> {
    return this.#db.transaction(() => {
      if (
        this.#db
          .sql('SELECT 1 FROM follows WHERE member_id = ? AND kind = ? AND target = ?')
          .get(accountId, kind, target)
      )
        return true;
      if (
        Number(this.#db.sql('SELECT count(*) AS n FROM follows WHERE member_id = ?').get(accountId)!.n) >=
        FOLLOWS_PER_MEMBER_MAX
      )
        return false;
      this.#db
        .sql('INSERT INTO follows (member_id, kind, target, label, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(accountId, kind, target, label, now.toISOString());
      return true;
    });
  }

  async unfollow(accountId: number, kind: FollowKind, target: string): Promise<boolean> {
    return this.#db.transaction(
      () =>
        this.#db.sql('DELETE FROM follows WHERE member_id = ? AND kind = ? AND target = ?').run(accountId, kind, target)
          .changes > 0,
    );
  }

  async isFollowing(accountId: number, kind: FollowKind, target: string): Promise<boolean> {
    return Boolean(
      this.#db
        .sql('SELECT 1 FROM follows WHERE member_id = ? AND kind = ? AND target = ?')
        .get(accountId, kind, target),
    );
  }

  async followsOf(accountId: number): Promise<Follow[]> {
    return this.#db
      .sql(
        'SELECT kind, target, label, created_at FROM follows WHERE member_id = ? ORDER BY created_at DESC, kind, target',
      )
      .all(accountId)
      .map((r) => ({
        kind: String(r.kind) as FollowKind,
        target: String(r.target),
        label: String(r.label),
        createdAt: String(r.created_at),
      }));
  }

  async accountIdForEmail(email: string): Promise<number | null> {
    const row = this.#db.sql('SELECT id FROM members WHERE email = ?').get(email.trim().toLowerCase());
    return row ? Number(row.id) : null;
  }
}
