/**
 * Full-text search in the embedded store. Ranking runs on an in-memory BM25F index built from the papers
 * table (see search/lexical/bm25-index.ts); FTS5 answers what needs positions (required phrases and
 * prefixes) and ranks on its own while the in-memory index is being built.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { SQLInputValue } from 'node:sqlite';
import type { FieldWeights, ScoredPaper, SearchFilters, TextQuery } from '../store.ts';
import type { SqliteDatabase } from './database.ts';
import { analyze } from '../../search/analyzer.ts';
import { Bm25Builder, Bm25Index, TopK, documentTerms, type AnalyzedDocument, type DocumentTerms } from '../../search/lexical/bm25-index.ts';

/** Prefix terms expand to at most this many words of the vocabulary. */
const PREFIX_EXPANSION = 64;
/** Rows read per step of a background build, between which other work runs. */
const BUILD_CHUNK = 2_000;

const quote = (term: string) => `"${term}"`;

/** The FTS5 expression of a query: required phrases AND any of the plain terms or prefixes. */
export function ftsExpression(query: TextQuery): string | null {
  const required = query.phrases.map((p) => quote(p.join(' ')));
  const optional = [...query.terms.map(quote), ...query.prefixes.map((p) => `${quote(p)}*`)];
  if (optional.length > 0) required.push(optional.length === 1 ? optional[0]! : `(${optional.join(' OR ')})`);
  return required.length > 0 ? required.join(' AND ') : null;
}

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

  get ready(): boolean {
    return this.#index !== null;
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
        builder.add(analyzedDocument({
          rowid: Number(row.rowid), id: String(row.id), title: String(row.title),
          authors: JSON.parse(String(row.authors)), summary: String(row.summary),
        }));
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

  search(query: TextQuery, filters: SearchFilters, weights: FieldWeights, limit: number): ScoredPaper[] {
    if (!this.#index) {
      void this.warmUp();
      return this.#searchFts(query, filters, weights, limit);
    }
    const index = this.#index;
    const required = query.phrases.length > 0
      ? this.#rowids('SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?', [ftsExpression({ terms: [], prefixes: [], phrases: query.phrases })!])
      : null;
    const filter = filterConditions(filters);
    const allowed = hasFilters(filters) ? this.#rowids(`SELECT p.rowid FROM papers p WHERE 1 = 1${filter.sql}`, filter.params) : null;
    const terms = [...new Set([...query.terms, ...query.phrases.flat(), ...query.prefixes.flatMap((p) => index.expandPrefix(p, PREFIX_EXPANSION))])];
    if (this.#scores.length <= index.maxDoc) this.#scores = new Float32Array(index.maxDoc + 1);
    const scores = this.#scores;
    const touched: number[] = [];
    index.accumulate(terms, weights, scores, touched);
    const top = new TopK(limit);
    const admits = (doc: number) => (required === null || required.has(doc)) && (allowed === null || allowed.has(doc));
    for (const doc of touched) {
      const score = scores[doc]!;
      scores[doc] = 0;
      if (score > top.threshold && admits(doc)) top.offer({ doc, id: index.id(doc)!, score });
    }
    for (const [doc, { terms: recentTerms }] of this.#recent) {
      const score = index.scoreDocument(recentTerms, terms, weights);
      if (score > 0 && score > top.threshold && admits(doc)) top.offer({ doc, id: recentTerms.id, score });
    }
    return top.sorted().map((hit) => ({ id: hit.id, score: hit.score }));
  }

  /** FTS5's own BM25, used until the in-memory index is ready. */
  #searchFts(query: TextQuery, filters: SearchFilters, weights: FieldWeights, limit: number): ScoredPaper[] {
    const expression = ftsExpression(query);
    if (!expression) return [];
    const filter = filterConditions(filters);
    const rank = 'bm25(papers_fts, ?, ?, ?)';
    const w = [weights.title, weights.authors, weights.abstract];
    return this.#db.sql(`
      SELECT p.id, -${rank} AS score
      FROM papers_fts JOIN papers p ON p.rowid = papers_fts.rowid
      WHERE papers_fts MATCH ?${filter.sql}
      ORDER BY ${rank} LIMIT ?`)
      .all(...w, expression, ...filter.params, ...w, limit)
      .map((row) => ({ id: String(row.id), score: Number(row.score) }));
  }
}
