/** The images facet on SQLite (the bytes themselves are kept in files by src/images/; see image-migrations.ts). */
import type { SqliteDatabase } from './database.ts';
import {
  MAX_IMAGE_SOURCE_BYTES,
  type CachedImage,
  type ImageBlob,
  type ImageRecord,
  type ImageStatus,
  type ImageStore,
  type OrphanedBytes,
  type ThumbnailDue,
} from '../image-store.ts';
import {
  IMAGE_COLUMNS,
  rowToBlob,
  rowToCachedImage,
  rowToImage,
  rowToThumbnailDue,
  rowsToCounts,
  thumbnailsDueSql,
} from '../image-rows.ts';
import { THUMBNAIL_SOURCE_PREFIX } from '../../domain/urls.ts';

/** The hashes some source still holds. */
const HELD_HASHES = 'SELECT sha256 FROM images WHERE sha256 IS NOT NULL';

export class SqliteImageStore implements ImageStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async requestAvatars(now: Date): Promise<number> {
    const at = now.toISOString();
    // The WHERE is needed anyway: without one SQLite would read ON CONFLICT as part of the SELECT's join.
    const result = this.#db
      .sql(`INSERT INTO images (source, status, requested_at, updated_at)
      SELECT url, 'pending', ?, ? FROM (
        SELECT avatar AS url FROM organizations WHERE avatar LIKE 'http://%' OR avatar LIKE 'https://%'
        UNION SELECT avatar_url FROM members WHERE avatar_url LIKE 'http://%' OR avatar_url LIKE 'https://%'
      ) WHERE length(CAST(url AS BLOB)) <= ${MAX_IMAGE_SOURCE_BYTES}
      ON CONFLICT (source) DO NOTHING`)
      .run(at, at);
    return Number(result.changes);
  }

  async request(sources: readonly string[], now: Date): Promise<number> {
    const at = now.toISOString();
    const insert =
      this.#db.sql(`INSERT INTO images (source, status, requested_at, updated_at) VALUES (?, 'pending', ?, ?)
      ON CONFLICT (source) DO NOTHING`);
    return this.#quietly(() => {
      let added = 0;
      for (const source of sources) {
        if (Buffer.byteLength(source) <= MAX_IMAGE_SOURCE_BYTES) added += Number(insert.run(source, at, at).changes);
      }
      return added;
    });
  }

  /** One write transaction. Not this.#db.transaction: that would move the data version, and no cached page shows
   *  this table. */
  #quietly<T>(work: () => T): T {
    this.#db.raw.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.raw.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.raw.exec('ROLLBACK');
      throw error;
    }
  }

  async due(now: Date, after: string | null, limit: number): Promise<ImageRecord[]> {
    return this.#db
      .sql(`SELECT ${IMAGE_COLUMNS} FROM images
      WHERE (status = 'pending' OR (status = 'failed' AND retry_at <= ?)) AND source > ?
      ORDER BY source LIMIT ?`)
      .all(now.toISOString(), after ?? '', limit)
      .map(rowToImage);
  }

  async thumbnailsDue(now: Date, limit: number, importedOnly: boolean): Promise<ThumbnailDue[]> {
    return this.#db
      .sql(thumbnailsDueSql('?', '?', '?', importedOnly))
      .all(THUMBNAIL_SOURCE_PREFIX, now.toISOString(), limit)
      .map(rowToThumbnailDue);
  }

  async get(source: string): Promise<ImageRecord | null> {
    const row = this.#db.sql(`SELECT ${IMAGE_COLUMNS} FROM images WHERE source = ?`).get(source);
    return row ? rowToImage(row) : null;
  }

  async markCached(
    source: string,
    image: { sha256: string; contentType: string; size: number },
    now: Date,
  ): Promise<void> {
    const at = now.toISOString();
    this.#db
      .sql(`INSERT INTO images (source, status, sha256, content_type, size, requested_at, updated_at)
      VALUES (?, 'cached', ?, ?, ?, ?, ?)
      ON CONFLICT (source) DO UPDATE SET status = 'cached', sha256 = excluded.sha256, content_type = excluded.content_type,
        size = excluded.size, attempts = 0, last_error = NULL, retry_at = NULL, updated_at = excluded.updated_at`)
      .run(source, image.sha256, image.contentType, image.size, at, at);
  }

  async markFailed(source: string, error: string, retryAt: Date | null, now: Date): Promise<void> {
    const at = now.toISOString();
    this.#db
      .sql(`INSERT INTO images (source, status, attempts, last_error, retry_at, requested_at, updated_at)
      VALUES (?, 'failed', 1, ?, ?, ?, ?)
      ON CONFLICT (source) DO UPDATE SET status = 'failed', attempts = images.attempts + 1, last_error = excluded.last_error,
        retry_at = excluded.retry_at, updated_at = excluded.updated_at`)
      .run(source, error, retryAt?.toISOString() ?? null, at, at);
  }

  async cachedSince(since: Date | null): Promise<CachedImage[]> {
    return this.#db
      .sql(`SELECT source, sha256, content_type, updated_at FROM images WHERE status = 'cached' AND updated_at >= ?`)
      .all(since?.toISOString() ?? '')
      .map(rowToCachedImage);
  }

  async counts(): Promise<Record<ImageStatus, number>> {
    return rowsToCounts(this.#db.sql('SELECT status, count(*) AS n FROM images GROUP BY status').all());
  }

  async forget(which: 'failed' | 'all', keep: readonly string[] = []): Promise<number> {
    if (which === 'failed') return Number(this.#db.sql(`DELETE FROM images WHERE status = 'failed'`).run().changes);
    return this.#quietly(() => {
      const forgotten = Number(
        this.#db
          .sql('DELETE FROM images WHERE source NOT IN (SELECT value FROM json_each(?))')
          .run(JSON.stringify(keep)).changes,
      );
      this.#db.sql(`DELETE FROM image_blobs WHERE sha256 NOT IN (${HELD_HASHES})`).run();
      return forgotten;
    });
  }

  async forgetSources(sources: readonly string[]): Promise<{ forgotten: number; orphans: OrphanedBytes[] }> {
    const list = JSON.stringify(sources);
    return this.#quietly(() => {
      const held = this.#db
        .sql(`SELECT DISTINCT sha256, content_type FROM images
        WHERE source IN (SELECT value FROM json_each(?)) AND sha256 IS NOT NULL`)
        .all(list);
      const forgotten = Number(
        this.#db.sql('DELETE FROM images WHERE source IN (SELECT value FROM json_each(?))').run(list).changes,
      );
      const stillHeld = this.#db.sql('SELECT 1 FROM images WHERE sha256 = ?');
      const orphans = held
        .map((row) => ({ sha256: String(row.sha256), contentType: String(row.content_type) }))
        .filter((bytes) => stillHeld.get(bytes.sha256) === undefined);
      const drop = this.#db.sql('DELETE FROM image_blobs WHERE sha256 = ?');
      for (const bytes of orphans) drop.run(bytes.sha256);
      return { forgotten, orphans };
    });
  }

  async putBlob(sha256: string, blob: ImageBlob, now: Date): Promise<void> {
    this.#db
      .sql(`INSERT INTO image_blobs (sha256, content_type, bytes, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (sha256) DO NOTHING`)
      .run(sha256, blob.contentType, blob.bytes, now.toISOString());
  }

  async getBlob(sha256: string): Promise<ImageBlob | null> {
    const row = this.#db.sql('SELECT content_type, bytes FROM image_blobs WHERE sha256 = ?').get(sha256);
    return row ? rowToBlob(row) : null;
  }
}
