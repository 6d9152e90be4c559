/**
 * The images facet of the store: which images the instance keeps a copy of (src/images/ fetches and serves
 * them), and, where the service keeps the bytes in the database (PostgreSQL: web processes may run on other
 * machines than the worker that fetched), the bytes themselves, content-addressed by SHA-256.
 *
 * A source is what an image is known by: the remote URL it was fetched from (avatars of organizations and
 * members), or a name given to bytes made here (e.g. a paper's first-page thumbnail). Written for any
 * backend: plain values in and out, one statement per change, timestamps passed in by the caller. None of it
 * moves the data version: a round of fetching must not empty the page caches once per image.
 */

/**
 * Longer sources (in UTF-8 bytes) are not asked for: no avatar address is this long, and a key must fit in
 * an index entry on every backend (PostgreSQL refuses index entries of more than about 2.7 kB).
 */
export const MAX_IMAGE_SOURCE_BYTES = 2000;

/** pending: to be fetched; cached: a copy is kept; failed: the last try failed (retried at retryAt, if ever). */
export type ImageStatus = 'pending' | 'cached' | 'failed';

export interface ImageRecord {
  source: string;
  status: ImageStatus;
  /** Of the bytes kept (cached only). */
  sha256: string | null;
  contentType: string | null;
  size: number | null;
  /** Failed tries since the last success. */
  attempts: number;
  lastError: string | null;
  /** When a failed image may be tried again; null: never by itself (a dead link, not an image). */
  retryAt: string | null;
  requestedAt: string;
  updatedAt: string;
}

export interface CachedImage {
  source: string;
  sha256: string;
  contentType: string;
  updatedAt: string;
}

/** A paper on the daily feed whose first-page thumbnail is not kept yet (and may be tried now). */
export interface ThumbnailDue {
  paperId: string;
  /** The thumbnail address imported with its latest feed entry (Hugging Face's), if any: fetched before rendering. */
  importedUrl: string | null;
  /** Failed tries since the last success. */
  attempts: number;
}

/** Bytes that no source holds any more. */
export interface OrphanedBytes {
  sha256: string;
  contentType: string;
}

export interface ImageBlob {
  contentType: string;
  bytes: Uint8Array;
}

export interface ImageStore {
  /** Asks for every avatar URL (http or https, not too long) of organizations and members not known yet; how many were new. */
  requestAvatars(now: Date): Promise<number>;
  /** Asks for these sources (those not known yet, and not too long); how many were new. */
  request(sources: readonly string[], now: Date): Promise<number>;
  /**
   * What to fetch now, in source order after `after` (a round walks the list once): pending sources, and
   * failed ones whose retry time has come.
   */
  due(now: Date, after: string | null, limit: number): Promise<ImageRecord[]>;
  get(source: string): Promise<ImageRecord | null>;
  /**
   * Papers on the daily feed (not hidden) without a thumbnail under `thumbnailSource(id)`: never tried,
   * pending, or failed and due for another try; the most recent feed days first. `importedOnly`: only those
   * that came with a thumbnail address (where PDFs are not rendered).
   */
  thumbnailsDue(now: Date, limit: number, importedOnly: boolean): Promise<ThumbnailDue[]>;
  /** Records a copy (and the source, if it was not asked for: bytes made here); clears earlier failures. */
  markCached(source: string, image: { sha256: string; contentType: string; size: number }, now: Date): Promise<void>;
  /** Records a failed try: one more attempt, the reason, and when to try again (null: not by itself). */
  markFailed(source: string, error: string, retryAt: Date | null, now: Date): Promise<void>;
  /** Cached images, all of them or those recorded at or after `since` (what an in-memory index catches up on). */
  cachedSince(since: Date | null): Promise<CachedImage[]>;
  counts(): Promise<Record<ImageStatus, number>>;
  /**
   * Forgets failures (they are asked for and tried again), or every source but those in `keep`, with the kept
   * bytes that no source in `keep` holds; how many sources were forgotten.
   */
  forget(which: 'failed' | 'all', keep?: readonly string[]): Promise<number>;
  /**
   * Forgets these sources, whatever their state, and the kept bytes that no other source holds any more. Says
   * which bytes those were (by hash and type), so that copies kept outside the store (files) go too.
   */
  forgetSources(sources: readonly string[]): Promise<{ forgotten: number; orphans: OrphanedBytes[] }>;

  /** Keeps bytes under their SHA-256 (a second put of the same bytes changes nothing). */
  putBlob(sha256: string, blob: ImageBlob, now: Date): Promise<void>;
  getBlob(sha256: string): Promise<ImageBlob | null>;
}
