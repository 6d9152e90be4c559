/** Rows of the images facet to records, shared by the SQLite and PostgreSQL stores (see rows.ts for why). */
import type { CachedImage, ImageBlob, ImageRecord, ImageStatus, ThumbnailDue } from './image-store.ts';
import { nullableNumber, nullableString, type Row } from './rows.ts';

export const IMAGE_COLUMNS =
  'source, status, sha256, content_type, size, attempts, last_error, retry_at, requested_at, updated_at';

export function rowToImage(row: Row): ImageRecord {
  return {
    source: String(row.source),
    status: String(row.status) as ImageStatus,
    sha256: nullableString(row.sha256),
    contentType: nullableString(row.content_type),
    size: nullableNumber(row.size),
    attempts: Number(row.attempts),
    lastError: nullableString(row.last_error),
    retryAt: nullableString(row.retry_at),
    requestedAt: String(row.requested_at),
    updatedAt: String(row.updated_at),
  };
}

export function rowToCachedImage(row: Row): CachedImage {
  return {
    source: String(row.source),
    sha256: String(row.sha256),
    contentType: String(row.content_type),
    updatedAt: String(row.updated_at),
  };
}

/** SQLite gives a Uint8Array, pg a Buffer (itself a Uint8Array), PGlite a Uint8Array. */
export function rowToBlob(row: Row): ImageBlob {
  const bytes = row.bytes;
  if (!(bytes instanceof Uint8Array)) throw new Error('image bytes are not binary');
  return { contentType: String(row.content_type), bytes };
}

export const IMAGE_COUNTS_ZERO: Readonly<Record<ImageStatus, number>> = { pending: 0, cached: 0, failed: 0 };

export function rowsToCounts(rows: readonly Row[]): Record<ImageStatus, number> {
  const counts = { ...IMAGE_COUNTS_ZERO };
  for (const row of rows) counts[String(row.status) as ImageStatus] = Number(row.n);
  return counts;
}

/**
 * Papers on the daily feed whose thumbnail is due, newest feed day first; `prefix`, `now` and `limit` are
 * the backend's placeholders, in that order. The imported address is the latest http(s) one of the paper's entries.
 */
export function thumbnailsDueSql(prefix: string, now: string, limit: string, importedOnly: boolean): string {
  return `SELECT * FROM (SELECT e.paper_id, e.day,
      (SELECT t.thumbnail FROM daily_entries t WHERE t.paper_id = e.paper_id
        AND (t.thumbnail LIKE 'http://%' OR t.thumbnail LIKE 'https://%') ORDER BY t.day DESC LIMIT 1) AS imported_url,
      coalesce(i.attempts, 0) AS attempts
    FROM (SELECT paper_id, max(day) AS day FROM daily_entries GROUP BY paper_id) e
    JOIN papers p ON p.id = e.paper_id AND p.hidden_at IS NULL
    LEFT JOIN images i ON i.source = ${prefix} || e.paper_id
    WHERE i.source IS NULL OR i.status = 'pending' OR (i.status = 'failed' AND i.retry_at <= ${now})) due
    ${importedOnly ? 'WHERE imported_url IS NOT NULL' : ''}
    ORDER BY day DESC, paper_id LIMIT ${limit}`;
}

export function rowToThumbnailDue(row: Row): ThumbnailDue {
  return {
    paperId: String(row.paper_id),
    importedUrl: nullableString(row.imported_url),
    attempts: Number(row.attempts),
  };
}
