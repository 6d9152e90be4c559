/**
 * Rendered feed pages, kept for a few seconds. A busy day page costs ~2-3 ms to query and render; under
 * load most requests ask for the same few pages, so serving them from memory for a short while keeps the
 * feed fast (the target is 800 pages/s on two cores) at the price of counts up to `ttlMs` old.
 *
 * Only anonymous, non-personal pages belong here. Callers put the store's data version in the key, so that
 * any write (here or in another process on the same database) makes earlier entries unreachable.
 */
export class PageCache {
  readonly #entries = new Map<string, { html: string; expires: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs = 5_000, maxEntries = 500) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  get(key: string, now = Date.now()): string | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.html;
  }

  set(key: string, html: string, now = Date.now()): void {
    if (this.#ttlMs <= 0) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { html, expires: now + this.#ttlMs });
  }

  clear(): void {
    this.#entries.clear();
  }
}
