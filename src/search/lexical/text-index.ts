/**
 * Lexical ranking of both stores: an in-memory BM25F index (bm25-index.ts) over every paper's title,
 * authors and abstract, keyed by a numeric document number the store gives each paper (SQLite's rowid,
 * PostgreSQL's row_id). The store supplies the rows (a paged read for the build, texts for phrase checks) and
 * the sets filters and moderation allow; this module does the rest. Papers written since the build sit in a
 * small map of recent documents that shadows the index, until the next build.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FieldWeights, ScoredPaper, TextQuery } from '../../store/store.ts';
import type { IndexSource, IndexedText } from '../../store/index-source.ts';
import { analyze, stem, words } from '../../domain/analyzer.ts';
import { IndexFileError, decodeIndex, encodeIndex } from './index-file.ts';
import {
  Bm25Builder,
  type Bm25Index,
  TopK,
  documentTerms,
  weightsKey,
  type AnalyzedDocument,
  type DocumentTerms,
  type Hit,
} from './bm25-index.ts';

/** Prefix terms expand to at most this many words of the vocabulary. */
const PREFIX_EXPANSION = 64;
/** Words as written read for one prefix (a short prefix such as `co*` starts tens of thousands). */
const PREFIX_WORDS = 5_000;
/** Candidates whose text is read per round trip when checking a quoted phrase (in score order, until enough pass). */
const PHRASE_CHECK_CHUNK = 1_000;
/** Papers read for the ways a suggested term is written. */
const SURFACE_SAMPLE = 20;
/** Rows read per step of a build, between which other work runs. */
const BUILD_CHUNK = 2_000;
/**
 * Papers written since the index was built or loaded are merged into it (and it is saved again) once they
 * exceed this share of it, and at least MERGE_MIN: until then they are scored one by one at each search and
 * taken in again by each process that starts.
 */
const MERGE_SHARE = 0.01;
const MERGE_MIN = 2_000;

/**
 * Bounds computing (prepare) runs this long at a time, then pauses this long, so that other work's I/O gets
 * through: with no pause, a file read in 512 KiB chunks (the saved vectors) took one chunk per slice.
 */
const PREPARE_SLICE_MS = 10;
const PREPARE_PAUSE_MS = 4;

/** Where the index reads papers from, and where it is saved. */
export type TextSource = Pick<IndexSource, 'page' | 'texts' | 'writeMark' | 'loadIndex' | 'saveIndex'>;

function analyzedDocument(paper: IndexedText): AnalyzedDocument {
  const fields = [paper.title, paper.authors, paper.summary].map(words);
  return {
    doc: paper.doc,
    id: paper.id,
    title: fields[0]!.map(stem),
    authors: fields[1]!.map(stem),
    abstract: fields[2]!.map(stem),
    words: fields.flat(),
  };
}

export class TextIndex {
  readonly #source: TextSource;
  #index: Bm25Index | null = null;
  /** Papers written since the index was built, by document number, with the build generation they arrived in. */
  readonly #recent = new Map<number, { terms: DocumentTerms; generation: number }>();
  #generation = 0;
  #building: Promise<void> | null = null;
  #scores = new Float32Array(0);

  constructor(source: TextSource) {
    this.#source = source;
  }

  /** Whether an index has been built (searches before that wait for the first build). */
  get ready(): boolean {
    return this.#index !== null;
  }

  /** Builds the in-memory index in the background; resolves when it is ready. */
  warmUp(): Promise<void> {
    this.#building ??= this.#build().finally(() => {
      this.#building = null;
    });
    return this.#building;
  }

  /**
   * The write sequence the first index covers: every paper written up to it is in that index, so catching up
   * starts there (meaningful once warmUp resolved).
   */
  get coveredSeq(): number {
    return this.#coveredSeq;
  }

  /** Whether the index in use was loaded from the saved one rather than built. */
  get loaded(): boolean {
    return this.#loaded;
  }

  #coveredSeq = 0;
  #loaded = false;

  /**
   * The first time, the saved index when there is a usable one (whole, of this format, and not ahead of the
   * database, as it would be after a restore from an older backup); otherwise, and on every rebuild, an index
   * built from every paper, then saved.
   */
  async #build(): Promise<void> {
    const startedAt = ++this.#generation;
    if (this.#index === null) {
      const saved = await this.#loadSaved();
      if (saved) {
        this.#install(saved.index, startedAt);
        this.#coveredSeq = saved.writeSeq;
        this.#loaded = true;
        return;
      }
    }
    // Read before the first page, so that the build and the papers written after this point cover everything.
    const mark = await this.#source.writeMark();
    const builder = new Bm25Builder();
    let after = 0;
    for (;;) {
      const rows = await this.#source.page(after, BUILD_CHUNK);
      if (rows.length === 0) break;
      for (const row of rows) builder.addText(row.doc, row.id, [row.title, row.authors, row.summary]);
      after = rows.at(-1)!.doc;
      await yieldToEventLoop();
    }
    const index = builder.build();
    const first = this.#index === null;
    this.#install(index, startedAt);
    if (first) this.#coveredSeq = mark.writeSeq;
    try {
      await this.#source.saveIndex(encodeIndex(index, mark.writeSeq));
    } catch (error) {
      // Searching goes on with the index in memory; the next start builds again.
      process.emitWarning(`the lexical index could not be saved: ${(error as Error).message}`);
    }
  }

  async #loadSaved(): Promise<{ index: Bm25Index; writeSeq: number } | null> {
    const bytes = await this.#source.loadIndex();
    if (!bytes) return null;
    try {
      const saved = decodeIndex(bytes);
      if (saved.writeSeq <= (await this.#source.writeMark()).writeSeq) return saved;
      process.emitWarning('the saved lexical index is ahead of the database (restored from a backup?): rebuilding');
    } catch (error) {
      if (!(error instanceof IndexFileError)) throw error;
      process.emitWarning(`the saved lexical index is unusable (${error.message}): rebuilding`);
    }
    return null;
  }

  #install(index: Bm25Index, startedAt: number): void {
    // Changes that arrived before this build are in it; later ones stay recent and shadow the index.
    for (const [doc, entry] of this.#recent) {
      if (entry.generation < startedAt) this.#recent.delete(doc);
      else index.remove(doc);
    }
    this.#index = index;
    if (this.#preparing) void this.prepare(this.#preparing.weights);
  }

  #preparing: { weights: FieldWeights; index: Bm25Index | null; done: Promise<void> } | null = null;

  /**
   * Computes the bounds of the long posting lists for a weighting in the background, PREPARE_SLICE_MS at a
   * time with pauses between, so that no query pays for them at a common word's first use; again for each
   * index installed later (a merge, a rebuild). Resolves when the index in use is done (at once before the
   * first build: it starts then).
   */
  prepare(weights: FieldWeights): Promise<void> {
    const index = this.#index;
    const same = this.#preparing && weightsKey(this.#preparing.weights) === weightsKey(weights);
    if (same && this.#preparing!.index === index) return this.#preparing!.done;
    const done = index
      ? new Promise<void>((resolve) => {
          let next = 0;
          const step = () => {
            // A newer index (or weighting) has its own preparation.
            if (this.#index !== index || this.#preparing?.done !== done) return resolve();
            next = index.prepareLong(weights, next, performance.now() + PREPARE_SLICE_MS);
            if (next < index.vocabularySize) setTimeout(step, PREPARE_PAUSE_MS);
            else resolve();
          };
          setTimeout(step, PREPARE_PAUSE_MS);
        })
      : Promise.resolve();
    this.#preparing = { weights, index, done };
    return done;
  }

  /** Bytes held by the index's arrays (recent papers aside). */
  get memoryBytes(): number {
    return this.#index?.memoryBytes ?? 0;
  }

  /** Called for every paper written (by this process or another, once it is known) since the build began. */
  written(paper: IndexedText): void {
    if (!this.#index && !this.#building) return;
    this.#index?.remove(paper.doc);
    this.#recent.set(paper.doc, { terms: documentTerms(analyzedDocument(paper)), generation: this.#generation });
  }

  /**
   * Called once every paper written up to `writeSeq` has been passed to written(). Once the recent papers
   * exceed MERGE_SHARE of the index, they are merged into it (no text is analysed again) and the result is
   * saved with that write sequence, so that the next process to start takes in only the papers written after.
   */
  caughtUp(writeSeq: number): void {
    const limit = Math.max(MERGE_MIN, (this.#index?.documentCount ?? 0) * MERGE_SHARE);
    if (this.#recent.size > limit && !this.#building && this.#index) {
      this.#building = this.#mergeRecent(writeSeq).finally(() => {
        this.#building = null;
      });
    }
  }

  /** Merges the recent papers into the index (see written), installs it and saves it. */
  async #mergeRecent(writeSeq: number): Promise<void> {
    const startedAt = ++this.#generation;
    const merged = this.#index!.merged([...this.#recent.values()].map((entry) => entry.terms));
    this.#install(merged, startedAt);
    this.#merges++;
    try {
      await this.#source.saveIndex(encodeIndex(merged, writeSeq));
    } catch (error) {
      process.emitWarning(`the lexical index could not be saved: ${(error as Error).message}`);
    }
  }

  #merges = 0;

  /** How many times recent papers were merged into the index by this process. */
  get merges(): number {
    return this.#merges;
  }

  /**
   * The best `limit` papers for a query, leaving out `hidden` ones and, when `allowed` is given, any not in
   * it; with `limit` Infinity, every paper that matches. Phrases and exclusions hold for every hit. Waits for
   * the first build when there is no index yet.
   */
  async search(
    query: TextQuery,
    allowed: ReadonlySet<number> | null,
    hidden: ReadonlySet<number>,
    weights: FieldWeights,
    limit: number,
  ): Promise<ScoredPaper[]> {
    return (await this.#search(query, allowed, hidden, weights, limit, false)).hits;
  }

  /**
   * As search, with the exact number of papers that match (from a bitmap of the match set; with phrases,
   * exclusions, filters or no limit, by scoring every one of them), and which of the `probe` papers (document
   * number → id) match, wherever they rank.
   */
  searchCounted(
    query: TextQuery,
    allowed: ReadonlySet<number> | null,
    hidden: ReadonlySet<number>,
    weights: FieldWeights,
    limit: number,
    probe: ReadonlyMap<number, string> = new Map(),
  ): Promise<CountedHits> {
    return this.#search(query, allowed, hidden, weights, limit, true, probe);
  }

  async #search(
    query: TextQuery,
    allowed: ReadonlySet<number> | null,
    hidden: ReadonlySet<number>,
    weights: FieldWeights,
    limit: number,
    counted: boolean,
    probe: ReadonlyMap<number, string> = new Map(),
  ): Promise<CountedHits> {
    if (!this.#index) await this.warmUp();
    const index = this.#index!;
    const exclusions = query.exclusions ?? [];
    const terms = [
      ...new Set([
        ...query.terms,
        ...query.phrases.flat(),
        ...query.prefixes.flatMap((p) => this.#expandPrefix(index, p)),
      ]),
    ];
    if (this.#scores.length <= index.maxDoc) this.#scores = new Float32Array(index.maxDoc + 1);
    const scores = this.#scores;
    const touched: number[] = [];
    // Without phrases, exclusions or filters the best `limit` are all that is kept (plus as many as may be
    // hidden), so blocks of postings that cannot reach them are skipped, and a count is the size of the match
    // set, taken without scoring; otherwise every paper that matches is scored.
    const prune = query.phrases.length === 0 && exclusions.length === 0 && allowed === null && Number.isFinite(limit);
    const best = prune ? index.topK(terms, weights, limit + hidden.size) : null;
    const matched = best && counted ? index.matchSet(terms, weights) : null;
    if (!best) index.accumulate(terms, weights, scores, touched);
    // With phrases, only papers holding every phrase word are candidates; adjacency is checked below.
    const withPhraseWords = query.phrases.length > 0 ? new Set(index.documentsWithAll(query.phrases.flat())) : null;
    const excluded = exclusions.length > 0 ? index.documentsWithAny(exclusions) : null;
    const visible = (doc: number) => !hidden.has(doc) && (allowed === null || allowed.has(doc));
    const admits = (doc: number) =>
      (withPhraseWords === null || withPhraseWords.has(doc)) &&
      (excluded === null || !excluded.has(doc)) &&
      visible(doc);
    // Phrase adjacency is read from the texts, best first, until `limit` pass: every candidate is kept until then.
    const collect = hitCollector(query.phrases.length > 0 ? Infinity : limit);
    let total = 0;
    const probed = new Set<string>();
    const probing = probe.size > 0 && query.phrases.length === 0;
    for (const hit of best ?? []) if (visible(hit.doc)) collect.offer(hit);
    if (matched) {
      total = matched.count;
      for (const doc of hidden) if (matched.has(doc)) total--;
      if (probing) for (const [doc, id] of probe) if (matched.has(doc) && !hidden.has(doc)) probed.add(id);
    }
    for (const doc of touched) {
      const score = scores[doc]!;
      scores[doc] = 0;
      if (counted) {
        if (!admits(doc)) continue;
        total++;
        if (probing && probe.has(doc)) probed.add(probe.get(doc)!);
        if (score >= collect.threshold) collect.offer({ doc, id: index.id(doc)!, score });
      } else if (score >= collect.threshold && admits(doc)) {
        collect.offer({ doc, id: index.id(doc)!, score });
      }
    }
    for (const [doc, { terms: recentTerms }] of this.#recent) {
      if (exclusions.some((term) => recentTerms.terms.has(term))) continue;
      if (query.phrases.flat().some((term) => !recentTerms.terms.has(term))) continue;
      const score = index.scoreDocument(recentTerms, terms, weights);
      if (score > 0 && visible(doc)) {
        total++;
        if (probing && probe.has(doc)) probed.add(recentTerms.id);
        if (score >= collect.threshold) collect.offer({ doc, id: recentTerms.id, score });
      }
    }
    const hits = collect.sorted();
    if (query.phrases.length > 0) {
      // Counting needs every candidate's adjacency checked; a plain search stops once `limit` pass.
      const kept = await this.#withPhrases(hits, query.phrases, counted ? Infinity : limit);
      return {
        hits: kept.slice(0, limit).map(scored),
        total: kept.length,
        matching: new Set(kept.flatMap((h) => (probe.has(h.doc) ? [h.id] : []))),
      };
    }
    return { hits: hits.map(scored), total, matching: probed };
  }

  /**
   * The words with each one the index does not know replaced by the most common term of its vocabulary one
   * or two edits away, as written in a paper; null when no word needs or finds a replacement.
   */
  async suggest(words: readonly string[]): Promise<string | null> {
    if (!this.#index) await this.warmUp();
    const index = this.#index!;
    let changed = false;
    const suggested: string[] = [];
    for (const word of words) {
      const stem = analyze(word)[0];
      if (!stem || index.documentFrequency(stem) > 0 || /\d/.test(stem) || stem.length < 4) {
        suggested.push(word);
        continue;
      }
      const maxEdits = stem.length >= 7 ? 2 : 1;
      let best: string | null = null;
      let bestFrequency = 0;
      for (const [term, frequency] of index.termFrequencies()) {
        if (Math.abs(term.length - stem.length) > maxEdits || /\d/.test(term)) continue;
        if ((best === null || frequency > bestFrequency) && editDistance(stem, term, maxEdits) <= maxEdits) {
          best = term;
          bestFrequency = frequency;
        }
      }
      const surface = best === null ? null : await this.#surfaceForm(index, best, word.toLowerCase());
      if (surface) changed = true;
      suggested.push(surface ?? word);
    }
    return changed ? suggested.join(' ') : null;
  }

  /** The word of a paper with term `term` closest to what was typed (terms are stems: "diffus" is written "diffusion"). */
  async #surfaceForm(index: Bm25Index, term: string, typed: string): Promise<string | null> {
    const docs = index.documentsWithAll([term]).slice(0, SURFACE_SAMPLE);
    // Closest in edits, then in length ("modle": "model" rather than "models").
    const distance = (word: string) => editDistance(typed, word) * 100 + Math.abs(word.length - typed.length);
    let best: string | null = null;
    for (const text of await this.#source.texts(docs)) {
      for (const word of `${text.title} ${text.summary} ${text.authors}`.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
        if (word && analyze(word)[0] === term && (best === null || distance(word) < distance(best))) best = word;
      }
    }
    return best;
  }

  /**
   * The terms of the words as written that start with a prefix: `optimiz*` finds "optimization" and "optimize"
   * (both the term "optim"), `transformer*` finds "Transformers" (the term "transform"). Terms that start with
   * it count too (a stem typed whole: `optim*`). The PREFIX_EXPANSION most frequent of them.
   */
  #expandPrefix(index: Bm25Index, prefix: string): string[] {
    const terms = new Set(index.expandPrefix(prefix, PREFIX_EXPANSION));
    for (const word of index.surface.startingWith(prefix, PREFIX_WORDS)) terms.add(stem(word));
    for (const { terms: recent } of this.#recent.values())
      for (const word of recent.words) if (word.startsWith(prefix)) terms.add(stem(word));
    return [...terms]
      .map((term) => ({ term, df: index.documentFrequency(term) }))
      .sort((a, b) => b.df - a.df || (a.term < b.term ? -1 : 1))
      .slice(0, PREFIX_EXPANSION)
      .map((t) => t.term);
  }

  /** The first `limit` hits (in order) whose title, authors or abstract hold every phrase as consecutive terms. */
  async #withPhrases<T extends { doc: number }>(hits: T[], phrases: string[][], limit: number): Promise<T[]> {
    const kept: T[] = [];
    for (let start = 0; start < hits.length && kept.length < limit; start += PHRASE_CHECK_CHUNK) {
      const chunk = hits.slice(start, start + PHRASE_CHECK_CHUNK);
      const texts = new Map(
        (await this.#source.texts(chunk.map((h) => h.doc))).map((t) => [t.doc, [t.title, t.authors, t.summary]]),
      );
      for (const hit of chunk) {
        const fields = (texts.get(hit.doc) ?? []).map(analyze);
        if (phrases.every((phrase) => fields.some((field) => containsSequence(field, phrase)))) kept.push(hit);
      }
    }
    return kept.slice(0, limit);
  }
}

/** The best hits of a search, and how many papers matched in all. */
export interface CountedHits {
  hits: ScoredPaper[];
  total: number;
  /** The probed papers that match. */
  matching: Set<string>;
}

const scored = (hit: Hit): ScoredPaper => ({ id: hit.id, score: hit.score });

/** The best `limit` hits, or, with an infinite limit, all of them. */
function hitCollector(limit: number): { threshold: number; offer(hit: Hit): void; sorted(): Hit[] } {
  if (Number.isFinite(limit)) return new TopK(limit);
  const all: Hit[] = [];
  return {
    threshold: -Infinity,
    offer: (hit) => void all.push(hit),
    sorted: () => all.sort((a, b) => b.score - a.score || a.doc - b.doc),
  };
}

/** The Levenshtein distance of two words, or max + 1 as soon as it is known to exceed `max`. */
function editDistance(a: string, b: string, max = Infinity): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}

function containsSequence(terms: readonly string[], phrase: readonly string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= terms.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (terms[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}
