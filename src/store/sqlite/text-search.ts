/**
 * Full-text search in the embedded store: an in-memory BM25F index built from the papers table (see
 * search/lexical/bm25-index.ts). SQLite's FTS5 was measured first: its bm25() costs ~8 µs per matching
 * paper (~400 ms for a common word at 133k papers), and keeping it in step doubled import time, so it is
 * not used. Quoted phrases are checked on the best candidates' text, analysed as the index is.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { SQLInputValue } from 'node:sqlite';
import type { FieldWeights, ScoredPaper, SearchFilters, TextQuery } from '../store.ts';
import type { SqliteDatabase } from './database.ts';
import { analyze } from '../../search/analyzer.ts';
import { Bm25Builder, Bm25Index, TopK, documentTerms, type AnalyzedDocument, type DocumentTerms } from '../../search/lexical/bm25-index.ts';

/** Prefix terms expand to at most this many words of the vocabulary. */
const PREFIX_EXPANSION = 64;
/** Candidates whose text is checked for a quoted phrase, at most. */
const PHRASE_CHECK_BUDGET = 2_000;
/** Rows read per step of a background build, between which other work runs. */
const BUILD_CHUNK = 2_000;

/** SQL conditions on papers `p` for search filters. */
export function filterConditions(filters: SearchFilters): { sql: string; params: SQLInputValue[] } {
  const conditions: string[] = [];
  const params: SQLInputValue[] = [];
  if (filters.fromDay) {
    conditions.push('p.published_at >= ?');
    params.push(`${filters.fromDay}T00:00:00.000Z`);
  }
  if (filters.toDay) {
    conditions.push('p.published_at <= ?');
    params.push(`${filters.toDay}T23:59:59.999Z`);
  }
  if (filters.organization) {
    conditions.push('p.organization_name = ?');
    params.push(filters.organization);
  }
  if (filters.category) {
    conditions.push('EXISTS (SELECT 1 FROM json_each(p.categories) WHERE json_each.value = ?)');
    params.push(filters.category);
  }
  if (filters.hasCode) conditions.push('p.github_repo IS NOT NULL');
  return { sql: conditions.map((c) => ` AND ${c}`).join(''), params };
}

const hasFilters = (f: SearchFilters) => Boolean(f.fromDay || f.toDay || f.organization || f.category || f.hasCode);

interface PaperText {
  rowid: number;
  id: string;
  title: string;
  authors: { name: string }[];
  summary: string;
}

function analyzedDocument(paper: PaperText): AnalyzedDocument {
  return {
    doc: paper.rowid,
    id: paper.id,
    title: analyze(paper.title),
    authors: analyze(paper.authors.map((a) => a.name).join(' ')),
    abstract: analyze(paper.summary),
  };
}

export class TextSearch {
  readonly #db: SqliteDatabase;
  #index: Bm25Index | null = null;
  /** Papers written since the index was built, by row id, with the build generation they arrived in. */
  readonly #recent = new Map<number, { terms: DocumentTerms; generation: number }>();
  #generation = 0;
  #building: Promise<void> | null = null;
  #scores = new Float32Array(0);

  constructor(db: SqliteDatabase) {
    this.#db = db;
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
      const rows = this.#db.sql('SELECT rowid, id, title, authors, summary FROM papers WHERE rowid > ? ORDER BY rowid LIMIT ?')
        .all(after, BUILD_CHUNK);
      if (rows.length === 0) break;
      for (const row of rows) {
        const authors = (JSON.parse(String(row.authors)) as { name: string }[]).map((a) => a.name).join(' ');
        builder.addText(Number(row.rowid), String(row.id), [String(row.title), authors, String(row.summary)]);
      }
      after = Number(rows.at(-1)!.rowid);
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

  /** Called by the store, inside or after its write, for every paper it wrote. */
  written(paper: PaperText): void {
    if (!this.#index && !this.#building) return;
    this.#index?.remove(paper.rowid);
    this.#recent.set(paper.rowid, { terms: documentTerms(analyzedDocument(paper)), generation: this.#generation });
    const limit = Math.max(5_000, (this.#index?.documentCount ?? 0) * 0.05);
    if (this.#recent.size > limit && !this.#building) void this.warmUp();
  }

  #rowids(sql: string, params: SQLInputValue[]): Set<number> {
    return new Set(this.#db.sql(sql).all(...params).map((row) => Number(row.rowid)));
  }

  /** Papers moderators hid: never a search result (a handful of rows, read through a partial index). */
  hiddenRowids(): Set<number> {
    return this.#rowids('SELECT rowid FROM papers WHERE hidden_at IS NOT NULL', []);
  }

  async search(query: TextQuery, filters: SearchFilters, weights: FieldWeights, limit: number): Promise<ScoredPaper[]> {
    if (!this.#index) await this.warmUp();
    const index = this.#index!;
    const filter = filterConditions(filters);
    const allowed = hasFilters(filters) ? this.#rowids(`SELECT p.rowid FROM papers p WHERE 1 = 1${filter.sql}`, filter.params) : null;
    const hidden = this.hiddenRowids();
    const terms = [...new Set([...query.terms, ...query.phrases.flat(), ...query.prefixes.flatMap((p) => index.expandPrefix(p, PREFIX_EXPANSION))])];
    if (this.#scores.length <= index.maxDoc) this.#scores = new Float32Array(index.maxDoc + 1);
    const scores = this.#scores;
    const touched: number[] = [];
    // Without phrases or filters the best `limit` are all that is kept, so common terms may skip untouched papers.
    index.accumulate(terms, weights, scores, touched, query.phrases.length === 0 && allowed === null ? limit + hidden.size : 0);
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
    const kept = withPhraseWords === null ? hits : this.#withPhrases(hits, query.phrases).slice(0, limit);
    return kept.map((hit) => ({ id: hit.id, score: hit.score }));
  }

  /** Keeps the hits whose title, authors or abstract hold every phrase as consecutive terms. */
  #withPhrases<T extends { doc: number }>(hits: T[], phrases: string[][]): T[] {
    if (hits.length === 0) return hits;
    const texts = new Map(this.#db.sql('SELECT p.rowid, p.title, p.authors, p.summary FROM json_each(?) j JOIN papers p ON p.rowid = j.value')
      .all(JSON.stringify(hits.map((h) => h.doc)))
      .map((row) => [Number(row.rowid), [String(row.title), (JSON.parse(String(row.authors)) as { name: string }[]).map((a) => a.name).join(' '), String(row.summary)]]));
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
