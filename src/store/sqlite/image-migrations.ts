/** Schema of the images facet: what the image cache knows of each source, and bytes kept in the database. */
import type { Migration } from './migration.ts';

export const imageMigrations: Migration[] = [
  {
    version: 12,
    name: 'image cache: sources and their state, bytes by SHA-256',
    sql: `
      CREATE TABLE images (
        source TEXT PRIMARY KEY,             -- a remote URL, or a name given to bytes made here
        status TEXT NOT NULL CHECK (status IN ('pending', 'cached', 'failed')),
        sha256 TEXT,
        content_type TEXT,
        size INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        retry_at TEXT,
        requested_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX images_cached ON images(updated_at) WHERE status = 'cached';

      -- The embedded default keeps bytes in files beside the database (src/images/); the table is there for
      -- the facet's contract, which is the same on every backend.
      CREATE TABLE image_blobs (
        sha256 TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        bytes BLOB NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
];
