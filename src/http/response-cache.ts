/**
 * Rendered responses (feed pages, API lists), kept for a few seconds. A busy day costs ~2-5 ms to query and
 * render; under load most requests ask for the same few, so serving them from memory keeps the feed and the
 * API fast on two cores. Only anonymous, non-personal responses belong here. Callers put the store's data
 * version in the key, so that any write (here or in another process on the same database) makes earlier
 * entries unreachable: what is served is never staler than the database.
 *
 * Keys are built from the parsed, validated parameters of a request, never from its raw address: junk
 * parameters (?x=1, ?x=2, …) would otherwise each make an entry, and a crawler or an attacker fills memory.
 * Both the number of entries and their total size are bounded.
 */
/**
 * Bodies are kept as given: a page as a string, an API list as encoded bytes (no re-encoding per request). A
 * compressed copy of an entry is an entry of its own, under the entry's key plus its encoding (http/compression.ts
 * serveCached): it counts towards the same bounds and is pushed out like any other.
 */
export class ResponseCache<Body extends string | Uint8Array = string> {
  readonly #entries = new Map<string, { body: Body; bytes: number; expires: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(ttlMs = 5_000, maxEntries = 500, maxBytes = 32 * 1024 * 1024) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
  }

  /** Entries held (expired ones included until they are asked for or pushed out). */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes of the bodies held (a string counts its UTF-8 length). */
  get bytes(): number {
    return this.#bytes;
  }

  get(key: string, now = Date.now()): Body | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.#delete(key);
      return undefined;
    }
    return entry.body;
  }

  set(key: string, body: Body, now = Date.now()): void {
    if (this.#ttlMs <= 0) return;
    const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    this.#delete(key);
    // A body larger than the whole budget would only push everything else out: it is not kept.
    if (bytes > this.#maxBytes) return;
    while (this.#entries.size >= this.#maxEntries || this.#bytes + bytes > this.#maxBytes) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#delete(oldest.value);
    }
    this.#entries.set(key, { body, bytes, expires: now + this.#ttlMs });
    this.#bytes += bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}

/** Every response cache of a web process, made once per app so that their bounds are set (and seen) in one place. */
export interface ResponseCaches {
  /** RSS, Atom and JSON feeds: readers poll every few minutes, a minute of reuse is what they expect. */
  feeds: ResponseCache<string>;
  /** Daily, weekly and monthly pages. */
  periodPages: ResponseCache<Uint8Array<ArrayBuffer>>;
  /** Paper pages (with their similar papers, a vector search). */
  paperPages: ResponseCache<Uint8Array<ArrayBuffer>>;
  /** The trending page: one variant per data version. */
  trending: ResponseCache<Uint8Array<ArrayBuffer>>;
  /** GET /api/daily_papers lists. */
  apiLists: ResponseCache<Uint8Array<ArrayBuffer>>;
}

/** Scores move with the clock as well as with votes: the trending page is shared for a minute at most. */
const TRENDING_CACHE_MS = 60_000;
const MB = 1024 * 1024;

export function createResponseCaches(): ResponseCaches {
  return {
    feeds: new ResponseCache<string>(60_000, 1_000, 64 * MB),
    periodPages: new ResponseCache(5_000, 500, 32 * MB),
    paperPages: new ResponseCache(5_000, 500, 32 * MB),
    trending: new ResponseCache(TRENDING_CACHE_MS, 4, 8 * MB),
    apiLists: new ResponseCache(5_000, 500, 32 * MB),
  };
}
