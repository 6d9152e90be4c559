/**
 * The instance's image cache: pages show pictures from the instance itself, never from another site, so that
 * no visitor's address reaches a third party when a page loads.
 *
 * - Sources: avatars of organizations and members (imported from Daily Papers data) are asked for by a
 *   background job (src/jobs/, "images"), which then fetches what is due, one image at a time through one
 *   polite client per process (image-fetcher.ts). Bytes made here (e.g. a paper's first-page thumbnail) are
 *   added with one call, put(source, bytes).
 * - Failures are remembered: a dead link, a non-image or an oversized body is not fetched again by itself; a
 *   server or network failure is tried again later, less and less often (nextTry), and a host that failed
 *   is left alone for the rest of the round.
 * - Bytes are kept by SHA-256 (blob-storage.ts) and served at /images/<sha256>.<ext>, which never changes
 *   meaning: browsers may keep it for a year.
 * - Rendering never waits: pathFor() answers from an in-memory index of cached sources, which this process
 *   updates when it caches an image and catches up on (refresh) when other processes may have.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { MAX_IMAGE_SOURCE_BYTES, type ImageStatus } from '../store/image-store.ts';
import { UPLOADED_SOURCE_PREFIX, imageUrl } from '../domain/urls.ts';
import { DiskBlobs, StoreBlobs, type BlobStorage } from './blob-storage.ts';
import { ImageFetcher } from './image-fetcher.ts';
import { IMAGE_TYPES, extensionOf, isImageExtension, sniffImage, type ImageExtension } from './image-type.ts';

/** Sources read from the store per query during a round. */
const ROUND_BATCH = 100;
/** A refresh reads again what was cached this long before the last one: writers' clocks and commits may lag. */
const REFRESH_OVERLAP_MS = 5 * 60_000;
const RETRY_FIRST_MS = 3_600_000;
const RETRY_MAX_MS = 7 * 24 * 3_600_000;
const RETRY_MAX_ATTEMPTS = 6;

/** After a transient failure: tried again in 1 hour, 4 hours, 16 hours, … at most a week apart; never after the sixth. */
export function nextTry(attempts: number, now: Date): Date | null {
  if (attempts >= RETRY_MAX_ATTEMPTS) return null;
  return new Date(now.getTime() + Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 4 ** (attempts - 1)));
}

export interface ServedImage {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** The SHA-256 of the bytes, quoted. */
  etag: string;
}

export interface FetchRound {
  /** Avatar URLs seen for the first time. */
  requested: number;
  cached: number;
  failed: number;
  /** Left for the next round: their host failed earlier in this one. */
  skipped: number;
}

export interface ImageCacheOptions {
  store: Store;
  blobs: BlobStorage;
  /** Null: remote images are not fetched (PAPERBOY_IMAGES=0); bytes made here are still kept and served. */
  fetcher: ImageFetcher | null;
  logger: Logger;
  now?: () => Date;
}

export class ImageCache {
  readonly #store: Store;
  readonly #blobs: BlobStorage;
  readonly #fetcher: ImageFetcher | null;
  readonly #logger: Logger;
  readonly #now: () => Date;
  /** Source → local path, of every cached image this process knows of. */
  readonly #paths = new Map<string, string>();
  #refreshedAt: Date | null = null;

  constructor(options: ImageCacheOptions) {
    this.#store = options.store;
    this.#blobs = options.blobs;
    this.#fetcher = options.fetcher;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
  }

  /** Whether remote images are fetched at all. */
  get fetches(): boolean {
    return this.#fetcher !== null;
  }

  /** The local address of a source's image, if a copy is kept; null otherwise (pages show initials). */
  pathFor(source: string | null | undefined): string | null {
    return source ? (this.#paths.get(source) ?? null) : null;
  }

  /** Catches up with images cached by other processes (all of them, the first time). */
  async refresh(): Promise<void> {
    const started = this.#now();
    const since = this.#refreshedAt && new Date(this.#refreshedAt.getTime() - REFRESH_OVERLAP_MS);
    for (const image of await this.#store.images.cachedSince(since)) {
      const extension = extensionOf(image.contentType);
      if (extension) this.#paths.set(image.source, imageUrl(image.sha256, extension));
    }
    this.#refreshedAt = started;
  }

  /** Keeps bytes made here (not fetched) as the image of `source`; its local path. Refuses what is not an image. */
  async put(source: string, bytes: Uint8Array): Promise<string> {
    if (Buffer.byteLength(source) > MAX_IMAGE_SOURCE_BYTES)
      throw new Error(`an image's source is at most ${MAX_IMAGE_SOURCE_BYTES} bytes long`);
    const extension = sniffImage(bytes);
    if (!extension) throw new Error(`${source}: not a PNG, JPEG, GIF or WebP image`);
    return this.#keep(source, bytes, extension);
  }

  /**
   * Fetches `url` now (through this process's one client) and keeps it as the image of `source`: an imported
   * paper thumbnail is kept under the paper's name. Null when remote images are not fetched.
   */
  async fetchAs(
    source: string,
    url: string,
  ): Promise<{ ok: true; path: string } | { ok: false; reason: string; transient: boolean } | null> {
    if (!this.#fetcher) return null;
    if (httpHost(url) === null) return { ok: false, reason: 'not an http(s) URL', transient: false };
    const outcome = await this.#fetcher.fetch(url);
    if (!outcome.ok) return outcome;
    return { ok: true, path: await this.#keep(source, outcome.bytes, outcome.extension) };
  }

  /** Records that `source` could not be had: tried again later (less and less often) when `transient`, else not by itself. */
  async markFailed(source: string, reason: string, transient: boolean, attempts: number): Promise<void> {
    const now = this.#now();
    await this.#store.images.markFailed(source, reason, transient ? nextTry(attempts + 1, now) : null, now);
  }

  /** Asks for remote images by URL (fetched by the next round); how many were new. */
  async request(sources: readonly string[]): Promise<number> {
    return this.#store.images.request(sources, this.#now());
  }

  /** An image by its file name, <sha256>.<ext>; null for any other name or unknown bytes. */
  async read(file: string): Promise<ServedImage | null> {
    const [, sha256, extension] = /^([0-9a-f]{64})\.([a-z]{3,4})$/.exec(file) ?? [];
    if (!sha256 || !extension || !isImageExtension(extension)) return null;
    const bytes = await this.#blobs.get(sha256, extension);
    return bytes && { bytes, contentType: IMAGE_TYPES[extension], etag: `"${sha256}"` };
  }

  /**
   * One round of the background job: asks for avatars not seen before, then fetches every image that is due
   * (pending, or failed and due for another try), each once. Stops early when `signal` aborts.
   */
  async fetchDue(signal?: AbortSignal): Promise<FetchRound> {
    const round: FetchRound = { requested: 0, cached: 0, failed: 0, skipped: 0 };
    const fetcher = this.#fetcher;
    if (!fetcher) return round;
    round.requested = await this.#store.images.requestAvatars(this.#now());
    const unreachable = new Set<string>();
    let after: string | null = null;
    while (!signal?.aborted) {
      const due = await this.#store.images.due(this.#now(), after, ROUND_BATCH);
      if (due.length === 0) break;
      for (const image of due) {
        if (signal?.aborted) break;
        after = image.source;
        const host = httpHost(image.source);
        // Not an address: an image made here (a paper's thumbnail), which its own job makes and retries.
        if (host === null) continue;
        if (unreachable.has(host)) {
          round.skipped++;
          continue;
        }
        const outcome = await fetcher.fetch(image.source);
        if (outcome.ok) {
          await this.#keep(image.source, outcome.bytes, outcome.extension);
          round.cached++;
          continue;
        }
        round.failed++;
        // A server or network that failed is not asked again in this round: politeness, and a quick round offline.
        if (outcome.transient) unreachable.add(host);
        await this.markFailed(image.source, outcome.reason, outcome.transient, image.attempts);
        this.#logger.debug(
          { source: image.source, reason: outcome.reason, transient: outcome.transient },
          'image not cached',
        );
      }
    }
    if (round.requested + round.cached + round.failed > 0) this.#logger.info({ ...round }, 'image cache round done');
    return round;
  }

  async counts(): Promise<Record<ImageStatus, number>> {
    return this.#store.images.counts();
  }

  /**
   * Forgets failures (the next round asks for those images again), or everything that can be had again: every
   * source and kept byte but the uploaded images (the logo), which nothing could fetch back. Pages show
   * initials until the images are fetched again, and thumbnails are made again by their job.
   */
  async clear(which: 'failed' | 'all'): Promise<number> {
    if (which === 'failed') return this.#store.images.forget('failed');
    const uploaded = (await this.#store.images.cachedSince(null)).filter((image) =>
      image.source.startsWith(UPLOADED_SOURCE_PREFIX),
    );
    const forgotten = await this.#store.images.forget(
      'all',
      uploaded.map((image) => image.source),
    );
    await this.#blobs.clear(new Set(uploaded.map((image) => image.sha256)));
    this.#paths.clear();
    this.#refreshedAt = null;
    await this.refresh();
    return forgotten;
  }

  /**
   * Forgets these sources (a deleted member's avatar): their state, and their bytes unless another source holds
   * the same. Their addresses answer 404 from then on, here at once, in other processes once the files or rows
   * are gone. How many sources were known.
   */
  async forget(sources: readonly string[]): Promise<number> {
    if (sources.length === 0) return 0;
    const { forgotten, orphans } = await this.#store.images.forgetSources(sources);
    for (const bytes of orphans) {
      const extension = extensionOf(bytes.contentType);
      if (extension) await this.#blobs.delete(bytes.sha256, extension);
    }
    for (const source of sources) this.#paths.delete(source);
    return forgotten;
  }

  async #keep(source: string, bytes: Uint8Array, extension: ImageExtension): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const now = this.#now();
    // Bytes first: a source is never recorded as cached without them.
    await this.#blobs.put(sha256, extension, bytes, now);
    await this.#store.images.markCached(
      source,
      { sha256, contentType: IMAGE_TYPES[extension], size: bytes.byteLength },
      now,
    );
    const path = imageUrl(sha256, extension);
    this.#paths.set(source, path);
    return path;
  }
}

function httpHost(source: string): string | null {
  try {
    const url = new URL(source);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : null;
  } catch {
    return null;
  }
}

/** "Paperboy/0.1.0 (self-hosted research-paper site; +https://papers.example.org)": who is asking, and where. */
export function imageUserAgent(publicUrl: string): string {
  return `Paperboy/0.1.0 (self-hosted research-paper site; +${publicUrl})`;
}

/**
 * The cache a configuration asks for: bytes in files beside a SQLite database (images/, or IMAGE_DIR), in the
 * store on PostgreSQL; remote images fetched unless PAPERBOY_IMAGES=0. One per process: its fetcher is the
 * process's one client for images.
 */
export function createImageCache(deps: { store: Store; config: Config; logger: Logger }): ImageCache {
  const { store, config, logger } = deps;
  const blobs = store.backend === 'postgres' ? new StoreBlobs(store.images) : new DiskBlobs(config.images.dir);
  const fetcher = config.images.fetch
    ? new ImageFetcher({ userAgent: imageUserAgent(config.publicUrl), logger })
    : null;
  return new ImageCache({ store, blobs, fetcher, logger });
}
