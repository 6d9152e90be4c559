/** Rows of the images facet to records, shared by the SQLite and PostgreSQL stores (see rows.ts for why). */
import type { CachedImage, ImageBlob, ImageRecord, ImageStatus } from './image-store.ts';
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
