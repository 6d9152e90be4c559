/**
 * Lexical search of a store, on either backend: the in-memory BM25F index (text-index.ts), kept current with
 * every paper written since it was built, by this process or any other. Before each search it compares the
 * store's data version with the one it last saw and, when it moved, takes in the papers written since
 * (papers.write_seq); filters and hidden papers come from the store as sets of document numbers. The first
 * search waits for the index: loaded from the saved one in seconds, or built when there is none.
 */
import type { CoreStore, FieldWeights, ScoredPaper, SearchFilters, TextQuery } from '../../store/store.ts';
import type { WriteMark } from '../../store/index-source.ts';
import { TextIndex, type CountedHits } from './text-index.ts';

/** Papers read per round trip when the index catches up with writes. */
const CATCH_UP_CHUNK = 1_000;

export class LexicalSearch {
  readonly #store: CoreStore;
  readonly #index: TextIndex;
  /** How far the index has caught up: every paper up to this write sequence, as of this data version. */
  #seen: WriteMark | null = null;
  /** Catch-ups run one after another. */
  #catchUp: Promise<void> = Promise.resolve();
  /** The papers moderators hid, as of a data version. */
  #hidden: { dataVersion: string; docs: Set<number> } | null = null;

  constructor(store: CoreStore) {
    this.#store = store;
    this.#index = new TextIndex(store.indexSource);
  }

  /** Builds the in-memory index (and whatever the backend's own ranking needs); resolves when it is ready. */
  async warmUp(): Promise<void> {
    await this.#store.warmUp();
    await this.#index.warmUp();
    // Catching up starts where the first index ends (built now, or saved earlier and loaded): the next search
    // takes in every paper written since.
    this.#seen ??= { writeSeq: this.#index.coveredSeq, dataVersion: '' };
  }

  /**
   * Computes the bounds of the index's long posting lists for a weighting in the background (TextIndex.prepare);
   * resolves when they are all there.
   */
  prepare(weights: FieldWeights): Promise<void> {
    return this.#index.prepare(weights);
  }

  /** The index: whether it was loaded from the saved one, its size in memory, how often papers were merged in. */
  get index(): { loaded: boolean; memoryBytes: number; merges: number } {
    return { loaded: this.#index.loaded, memoryBytes: this.#index.memoryBytes, merges: this.#index.merges };
  }

  /** The best `limit` papers for a query that pass the filters, best first; hidden papers never. */
  async search(query: TextQuery, filters: SearchFilters, weights: FieldWeights, limit: number): Promise<ScoredPaper[]> {
    if (limit <= 0) return [];
    const source = this.#store.indexSource;
    const dataVersion = await this.#current();
    return this.#index.search(
      query,
      await source.allowed(filters),
      await this.#hiddenDocs(dataVersion),
      weights,
      limit,
    );
  }

  /** Every paper that matches a query and passes the filters, best first: the exact match set. */
  async matches(query: TextQuery, filters: SearchFilters, weights: FieldWeights): Promise<ScoredPaper[]> {
    return (await this.searchCounted(query, filters, weights, Infinity)).hits;
  }

  /**
   * The best `limit` papers, the exact number that match, and which of the `probe` papers match.
   */
  async searchCounted(
    query: TextQuery,
    filters: SearchFilters,
    weights: FieldWeights,
    limit: number,
    probe: ReadonlySet<string> = new Set(),
  ): Promise<CountedHits> {
    const source = this.#store.indexSource;
    const dataVersion = await this.#current();
    // The probed papers by document number: a match is looked up by its number, not by decoding its id.
    const probeDocs = probe.size > 0 ? await source.docsOf([...probe]) : undefined;
    return this.#index.searchCounted(
      query,
      await source.allowed(filters),
      await this.#hiddenDocs(dataVersion),
      weights,
      limit,
      probeDocs,
    );
  }

  /** A spelling of the query's words that the papers use ("did you mean"), or null. */
  async suggest(words: readonly string[]): Promise<string | null> {
    if (!this.#index.ready) await this.warmUp();
    return this.#index.suggest(words);
  }

  /** Waits for the index (a process's first search does), then catches up: the data version it is current with. */
  async #current(): Promise<string> {
    if (!this.#index.ready || !this.#seen) await this.warmUp();
    return this.#caughtUp();
  }

  /** Feeds the index every paper written since it last looked; returns the data version it is current with. */
  async #caughtUp(): Promise<string> {
    const dataVersion = await this.#store.dataVersion();
    if (dataVersion === this.#seen!.dataVersion) return dataVersion;
    const run = this.#catchUp.then(async () => {
      const seen = this.#seen!;
      if (dataVersion === seen.dataVersion) return;
      let after = seen.writeSeq;
      for (;;) {
        const rows = await this.#store.indexSource.writtenSince(after, CATCH_UP_CHUNK);
        for (const row of rows) this.#index.written(row);
        if (rows.length > 0) after = rows.at(-1)!.writeSeq;
        if (rows.length < CATCH_UP_CHUNK) break;
      }
      this.#seen = { writeSeq: after, dataVersion };
      this.#index.caughtUp(after);
    });
    this.#catchUp = run.catch(() => undefined);
    await run;
    return dataVersion;
  }

  /** Papers moderators hid, read once per data version. */
  async #hiddenDocs(dataVersion: string): Promise<Set<number>> {
    if (this.#hidden?.dataVersion === dataVersion) return this.#hidden.docs;
    const docs = await this.#store.indexSource.hidden();
    this.#hidden = { dataVersion, docs };
    return docs;
  }
}

/** One index per store, whoever searches it: every search service, feed and page of a process shares it. */
const searches = new WeakMap<CoreStore, LexicalSearch>();

/** The lexical search of a store (made on first use). */
export function lexicalSearch(store: CoreStore): LexicalSearch {
  let search = searches.get(store);
  if (!search) {
    search = new LexicalSearch(store);
    searches.set(store, search);
  }
  return search;
}
