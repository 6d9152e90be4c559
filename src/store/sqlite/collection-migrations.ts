/** Schema of the collections facet: reading lists and their papers, dismissed recommendations, follows. */
import type { Migration } from './migration.ts';

export const collectionMigrations: Migration[] = [
  {
    version: 7,
    name: 'collections, collection items, dismissed papers, follows',
    sql: `
      CREATE TABLE collections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: a shared link never points at another list
        member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        is_public INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX collections_member ON collections(member_id, updated_at);

      CREATE TABLE collection_items (
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (collection_id, paper_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX collection_items_order ON collection_items(collection_id, position);
      CREATE INDEX collection_items_paper ON collection_items(paper_id);

      CREATE TABLE dismissed_papers (
        member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        PRIMARY KEY (member_id, paper_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE follows (
        member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('organization', 'author', 'search')),
        target TEXT NOT NULL,
        label TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (member_id, kind, target)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];
