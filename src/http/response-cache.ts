/**
 * Rendered responses (feed pages, API lists), kept for a few seconds. A busy day costs ~2-5 ms to query and
 * render; under load most requests ask for the same few, so serving them from memory keeps the feed and the
 * API fast on two cores. Only anonymous, non-personal responses belong here. Callers put the store's data
 * version in the key, so that any write (here or in another process on the same database) makes earlier
 * entries unreachable: what is served is never staler than the database.
 */
/** Bodies are kept as given: a page as a string, an API list as encoded bytes (no re-encoding per request). */
export class ResponseCache<Body extends string | Uint8Array = string> {
  readonly #entries = new Map<string, { body: Body; expires: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs = 5_000, maxEntries = 500) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  get(key: string, now = Date.now()): Body | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.body;
  }

  set(key: string, body: Body, now = Date.now()): void {
    if (this.#ttlMs <= 0) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { body, expires: now + this.#ttlMs });
  }

  clear(): void {
    this.#entries.clear();
  }
}
