/** The images facet on PostgreSQL: sources and their state, and the bytes (every web process reads them here). */
import type { Queryable, Runner } from './runner.ts';
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

export class PostgresImageStore implements ImageStore {
  readonly #db: Runner;

  constructor(db: Runner) {
    this.#db = db;
  }

  async requestAvatars(now: Date): Promise<number> {
    const rows = await this.#db.query(
      `WITH added AS (INSERT INTO images (source, status, requested_at, updated_at)
      SELECT url, 'pending', $1, $1 FROM (
        SELECT avatar AS url FROM organizations WHERE avatar LIKE 'http://%' OR avatar LIKE 'https://%'
        UNION SELECT avatar_url FROM members WHERE avatar_url LIKE 'http://%' OR avatar_url LIKE 'https://%'
      ) AS avatars WHERE octet_length(url) <= ${MAX_IMAGE_SOURCE_BYTES}
      ON CONFLICT (source) DO NOTHING RETURNING 1)
      SELECT count(*) AS n FROM added`,
      [now.toISOString()],
    );
    return Number(rows[0]!.n);
  }

  async request(sources: readonly string[], now: Date): Promise<number> {
    if (sources.length === 0) return 0;
    const rows = await this.#db.query(
      `WITH added AS (INSERT INTO images (source, status, requested_at, updated_at)
      SELECT DISTINCT s, 'pending', $2, $2 FROM unnest($1::text[]) AS s WHERE octet_length(s) <= ${MAX_IMAGE_SOURCE_BYTES}
      ON CONFLICT (source) DO NOTHING RETURNING 1)
      SELECT count(*) AS n FROM added`,
      [sources, now.toISOString()],
    );
    return Number(rows[0]!.n);
  }

  async due(now: Date, after: string | null, limit: number): Promise<ImageRecord[]> {
    return (
      await this.#db.query(
        `SELECT ${IMAGE_COLUMNS} FROM images
      WHERE (status = 'pending' OR (status = 'failed' AND retry_at <= $1)) AND source > $2
      ORDER BY source LIMIT $3`,
        [now.toISOString(), after ?? '', limit],
      )
    ).map(rowToImage);
  }

  async thumbnailsDue(now: Date, limit: number, importedOnly: boolean): Promise<ThumbnailDue[]> {
    const rows = await this.#db.query(thumbnailsDueSql('$1::text', '$2', '$3', importedOnly), [
      THUMBNAIL_SOURCE_PREFIX,
      now.toISOString(),
      limit,
    ]);
    return rows.map(rowToThumbnailDue);
  }

  async get(source: string): Promise<ImageRecord | null> {
    const [row] = await this.#db.query(`SELECT ${IMAGE_COLUMNS} FROM images WHERE source = $1`, [source]);
    return row ? rowToImage(row) : null;
  }

  async markCached(
    source: string,
    image: { sha256: string; contentType: string; size: number },
    now: Date,
  ): Promise<void> {
    await this.#db.query(
      `INSERT INTO images (source, status, sha256, content_type, size, requested_at, updated_at)
      VALUES ($1, 'cached', $2, $3, $4, $5, $5)
      ON CONFLICT (source) DO UPDATE SET status = 'cached', sha256 = excluded.sha256, content_type = excluded.content_type,
        size = excluded.size, attempts = 0, last_error = NULL, retry_at = NULL, updated_at = excluded.updated_at`,
      [source, image.sha256, image.contentType, image.size, now.toISOString()],
    );
  }

  async markFailed(source: string, error: string, retryAt: Date | null, now: Date): Promise<void> {
    await this.#db.query(
      `INSERT INTO images (source, status, attempts, last_error, retry_at, requested_at, updated_at)
      VALUES ($1, 'failed', 1, $2, $3, $4, $4)
      ON CONFLICT (source) DO UPDATE SET status = 'failed', attempts = images.attempts + 1, last_error = excluded.last_error,
        retry_at = excluded.retry_at, updated_at = excluded.updated_at`,
      [source, error, retryAt?.toISOString() ?? null, now.toISOString()],
    );
  }

  async cachedSince(since: Date | null): Promise<CachedImage[]> {
    return (
      await this.#db.query(
        `SELECT source, sha256, content_type, updated_at FROM images WHERE status = 'cached' AND updated_at >= $1`,
        [since?.toISOString() ?? ''],
      )
    ).map(rowToCachedImage);
  }

  async counts(): Promise<Record<ImageStatus, number>> {
    return rowsToCounts(await this.#db.query('SELECT status, count(*) AS n FROM images GROUP BY status'));
  }

  async forget(which: 'failed' | 'all', keep: readonly string[] = []): Promise<number> {
    const deleted = async (tx: Queryable, where: string, values: unknown[] = []) =>
      Number(
        (
          await tx.query(
            `WITH gone AS (DELETE FROM images ${where} RETURNING 1) SELECT count(*) AS n FROM gone`,
            values,
          )
        )[0]!.n,
      );
    if (which === 'failed') return deleted(this.#db, `WHERE status = 'failed'`);
    return this.#db.transaction(async (tx) => {
      const forgotten = await deleted(tx, 'WHERE NOT (source = ANY($1::text[]))', [keep]);
      await tx.query('DELETE FROM image_blobs b WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.sha256 = b.sha256)');
      return forgotten;
    });
  }

  async forgetSources(sources: readonly string[]): Promise<{ forgotten: number; orphans: OrphanedBytes[] }> {
    return this.#db.transaction(async (tx) => {
      const gone = await tx.query('DELETE FROM images WHERE source = ANY($1::text[]) RETURNING sha256, content_type', [
        sources,
      ]);
      const held = new Map<string, string>();
      for (const row of gone) if (row.sha256 !== null) held.set(String(row.sha256), String(row.content_type));
      const stillHeld = new Set(
        (await tx.query('SELECT DISTINCT sha256 FROM images WHERE sha256 = ANY($1::text[])', [[...held.keys()]])).map(
          (row) => String(row.sha256),
        ),
      );
      const orphans = [...held]
        .filter(([sha256]) => !stillHeld.has(sha256))
        .map(([sha256, contentType]) => ({ sha256, contentType }));
      await tx.query('DELETE FROM image_blobs WHERE sha256 = ANY($1::text[])', [orphans.map((o) => o.sha256)]);
      return { forgotten: gone.length, orphans };
    });
  }

  async putBlob(sha256: string, blob: ImageBlob, now: Date): Promise<void> {
    await this.#db.query(
      `INSERT INTO image_blobs (sha256, content_type, bytes, created_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (sha256) DO NOTHING`,
      [sha256, blob.contentType, Buffer.from(blob.bytes), now.toISOString()],
    );
  }

  async getBlob(sha256: string): Promise<ImageBlob | null> {
    const [row] = await this.#db.query('SELECT content_type, bytes FROM image_blobs WHERE sha256 = $1', [sha256]);
    return row ? rowToBlob(row) : null;
  }
}
