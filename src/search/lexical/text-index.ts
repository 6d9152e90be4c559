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
import { analyze } from '../../domain/analyzer.ts';
import {
  Bm25Builder,
  type Bm25Index,
  TopK,
  documentTerms,
  type AnalyzedDocument,
  type DocumentTerms,
} from './bm25-index.ts';

/** Prefix terms expand to at most this many words of the vocabulary. */
const PREFIX_EXPANSION = 64;
/** Candidates whose text is checked for a quoted phrase, at most. */
const PHRASE_CHECK_BUDGET = 2_000;
/** Rows read per step of a build, between which other work runs. */
const BUILD_CHUNK = 2_000;

/** Where the index reads papers from. */
export type TextSource = Pick<IndexSource, 'page' | 'texts'>;

function analyzedDocument(paper: IndexedText): AnalyzedDocument {
  return {
    doc: paper.doc,
    id: paper.id,
    title: analyze(paper.title),
    authors: analyze(paper.authors),
    abstract: analyze(paper.summary),
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

  async #build(): Promise<void> {
    const startedAt = ++this.#generation;
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
    // Changes that arrived before this build are in it; later ones stay recent and shadow the index.
    for (const [doc, entry] of this.#recent) {
      if (entry.generation < startedAt) this.#recent.delete(doc);
      else index.remove(doc);
    }
    this.#index = index;
  }

  /** Called for every paper written (by this process or another, once it is known) since the build began. */
  written(paper: IndexedText): void {
    if (!this.#index && !this.#building) return;
    this.#index?.remove(paper.doc);
    this.#recent.set(paper.doc, { terms: documentTerms(analyzedDocument(paper)), generation: this.#generation });
    const limit = Math.max(5_000, (this.#index?.documentCount ?? 0) * 0.05);
    if (this.#recent.size > limit && !this.#building) void this.warmUp();
  }

  /**
   * The best `limit` papers for a query, leaving out `hidden` ones and, when `allowed` is given, any not in
   * it. Waits for the first build when there is no index yet.
   */
  async search(
    query: TextQuery,
    allowed: ReadonlySet<number> | null,
    hidden: ReadonlySet<number>,
    weights: FieldWeights,
    limit: number,
  ): Promise<ScoredPaper[]> {
    if (!this.#index) await this.warmUp();
    const index = this.#index!;
    const terms = [
      ...new Set([
        ...query.terms,
        ...query.phrases.flat(),
        ...query.prefixes.flatMap((p) => index.expandPrefix(p, PREFIX_EXPANSION)),
      ]),
    ];
    if (this.#scores.length <= index.maxDoc) this.#scores = new Float32Array(index.maxDoc + 1);
    const scores = this.#scores;
    const touched: number[] = [];
    // Without phrases or filters the best `limit` are all that is kept, so common terms may skip untouched papers.
    index.accumulate(
      terms,
      weights,
      scores,
      touched,
      query.phrases.length === 0 && allowed === null ? limit + hidden.size : 0,
    );
    // With phrases, only papers holding every phrase word are candidates; adjacency is checked below.
    const withPhraseWords = query.phrases.length > 0 ? new Set(index.documentsWithAll(query.phrases.flat())) : null;
    const visible = (doc: number) => !hidden.has(doc) && (allowed === null || allowed.has(doc));
    const admits = (doc: number) => (withPhraseWords === null || withPhraseWords.has(doc)) && visible(doc);
    const top = new TopK(withPhraseWords === null ? limit : Math.min(PHRASE_CHECK_BUDGET, Math.max(limit * 4, 200)));
    for (const doc of touched) {
      const score = scores[doc]!;
      scores[doc] = 0;
      if (score > top.threshold && admits(doc)) top.offer({ doc, id: index.id(doc)!, score });
    }
    for (const [doc, { terms: recentTerms }] of this.#recent) {
      const score = index.scoreDocument(recentTerms, terms, weights);
      if (score > 0 && score > top.threshold && visible(doc)) top.offer({ doc, id: recentTerms.id, score });
    }
    const hits = top.sorted();
    const kept = withPhraseWords === null ? hits : (await this.#withPhrases(hits, query.phrases)).slice(0, limit);
    return kept.map((hit) => ({ id: hit.id, score: hit.score }));
  }

  /** Keeps the hits whose title, authors or abstract hold every phrase as consecutive terms. */
  async #withPhrases<T extends { doc: number }>(hits: T[], phrases: string[][]): Promise<T[]> {
    if (hits.length === 0) return hits;
    const texts = new Map(
      (await this.#source.texts(hits.map((h) => h.doc))).map((t) => [t.doc, [t.title, t.authors, t.summary]]),
    );
    return hits.filter((hit) => {
      const fields = (texts.get(hit.doc) ?? []).map(analyze);
      return phrases.every((phrase) => fields.some((field) => containsSequence(field, phrase)));
    });
  }
}

function containsSequence(terms: readonly string[], phrase: readonly string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= terms.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (terms[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}
