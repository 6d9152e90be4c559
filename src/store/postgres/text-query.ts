/**
 * Full-text search structures of the PostgreSQL store, built from the same TypeScript analysis as the
 * embedded store (domain/analyzer.ts) rather than a PostgreSQL text-search configuration: the store writes
 * each paper's terms as a tsvector literal (title weight A, authors B, abstract C) and turns an analysed
 * query into a tsquery literal, so both backends agree on what a term is. Nothing of a person's raw text
 * reaches SQL: terms are letters and digits, and are quoted as lexemes all the same.
 */
import { TermTable } from '../../domain/analyzer.ts';
import type { FieldWeights, TextQuery } from '../store.ts';

/** PostgreSQL keeps positions up to this value (larger ones are clamped). */
const MAX_POSITION = 16_383;
/** ...and at most this many positions of one lexeme. */
const MAX_POSITIONS_PER_LEXEME = 255;
/** ...and lexemes up to this many bytes. */
const MAX_LEXEME_BYTES = 2_047;
/** Empty positions between fields, so that a phrase never runs from the title into the authors. */
const FIELD_GAP = 10;

const FIELD_WEIGHTS = ['A', 'B', 'C'] as const;

export function quoteLexeme(term: string): string {
  // Analysed terms are letters and digits: most need no escaping.
  if (!term.includes("'") && !term.includes('\\')) return `'${term}'`;
  return `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Terms of at most this many UTF-16 code units are at most MAX_LEXEME_BYTES bytes of UTF-8 (3 bytes a unit). */
const SURELY_SHORT_LEXEME = Math.floor(MAX_LEXEME_BYTES / 3);

/** Lexemes in the order PostgreSQL keeps them: by their bytes, a shorter one before a longer one it begins. */
const byLexeme = (a: string, b: string) => (a < b ? -1 : 1);

/**
 * The same order where UTF-16 code units do not give it: a character beyond U+FFFF (two surrogates, 0xD800 to
 * 0xDFFF) comes after every one of U+E000 to U+FFFF in UTF-8.
 */
function byLexemeBytes(a: string, b: string): number {
  const rank = (unit: number) => (unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit);
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** Whether a text has a character where byLexeme and UTF-8 may disagree. */
const SURROGATE_OR_ABOVE = /[\uD800-\uFFFF]/;

/** The text of each position × 4 + field in a literal ("12C"), made once rather than for every position written. */
const POSITION_TEXT = Array.from(
  { length: (MAX_POSITION + 1) * 4 },
  (_, p) => `${p >> 2}${FIELD_WEIGHTS[p & 3] ?? ''}`,
);

/** The terms of the papers written, as ids (see TermTable). */
const termTable = new TermTable();
/** By term id: the paper that last had it (papers are counted) and where its positions are in that paper's lists. */
let lastPaper = new Int32Array(1 << 16);
let listAt = new Int32Array(1 << 16);
let papersSeen = 0;
/** By term id: the lexeme as the literal starts it (`'term':`), for the table's resets in quotedFor. */
let quoted: string[] = [];
let quotedFor = 0;

/**
 * The tsvector literal of a paper: analysed title (A), author names (B) and abstract (C) with positions. Written
 * for every paper an import writes, so terms are ids and positions numbers (position × 4 + field) until the text is
 * made. Lexemes come sorted, as the server stores them: it then checks the order instead of sorting them.
 */
export function paperTsvector(title: string, authors: readonly { name: string }[], summary: string): string {
  const fields = termTable.terms([title, authors.map((a) => a.name).join(' '), summary]);
  if (termTable.size > lastPaper.length) {
    const length = Math.max(termTable.size, lastPaper.length * 2);
    lastPaper = new Int32Array(length);
    listAt = new Int32Array(length);
    papersSeen = 0;
  }
  if (papersSeen === 0x7fffffff) {
    lastPaper.fill(0);
    papersSeen = 0;
  }
  const paper = ++papersSeen;
  if (quotedFor !== termTable.resets) {
    quoted = [];
    quotedFor = termTable.resets;
  }
  const ids: number[] = [];
  const lists: number[][] = [];
  let base = 0;
  for (let f = 0; f < fields.length; f++) {
    const terms = fields[f]!;
    for (let i = 0; i < terms.length; i++) {
      const id = terms[i]!;
      const term = termTable.term(id);
      if (term.length > SURELY_SHORT_LEXEME && Buffer.byteLength(term) > MAX_LEXEME_BYTES) continue;
      const position = Math.min(MAX_POSITION, base + i + 1) * 4 + f;
      if (lastPaper[id] !== paper) {
        lastPaper[id] = paper;
        listAt[id] = lists.length;
        ids.push(id);
        lists.push([position]);
      } else {
        const list = lists[listAt[id]!]!;
        if (list.length < MAX_POSITIONS_PER_LEXEME) list.push(position);
      }
    }
    base += terms.length + FIELD_GAP;
  }
  const exact =
    SURROGATE_OR_ABOVE.test(title) ||
    SURROGATE_OR_ABOVE.test(summary) ||
    authors.some((a) => SURROGATE_OR_ABOVE.test(a.name));
  const order = exact ? byLexemeBytes : byLexeme;
  ids.sort((a, b) => order(termTable.term(a), termTable.term(b)));
  let literal = '';
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t]!;
    const list = lists[listAt[id]!]!;
    let lexeme = quoted[id];
    if (lexeme === undefined) {
      lexeme = `${quoteLexeme(termTable.term(id))}:`;
      quoted[id] = lexeme;
    }
    literal += t === 0 ? lexeme : ` ${lexeme}`;
    literal += POSITION_TEXT[list[0]!]!;
    for (let j = 1; j < list.length; j++) literal += `,${POSITION_TEXT[list[j]!]!}`;
  }
  return literal;
}

export interface PgTextQuery {
  /** What a paper must match (a tsquery literal). */
  match: string;
  /** What ranks the matches: every term, prefix and phrase word, any of them. */
  rank: string;
}

/** With no rare term, a query's commonest terms beyond this many are left out of the pairs that must match. */
const PAIRED_TERMS = 4;

/**
 * The tsqueries of an analysed query, or null when it has nothing to search for. Phrases are required;
 * without phrases any term or prefix matches. `common` maps terms that match a large share of all papers to
 * that share: they are left out of the match while a rarer term or a prefix remains, and when every term is
 * common a paper must hold two of them (the least common ones). This bounds the candidates of queries like
 * "large language model for protein folding" or "data-driven energy-efficient building control"; all terms
 * still count in the rank.
 */
export function textQuery(query: TextQuery, common: ReadonlyMap<string, number> = new Map()): PgTextQuery | null {
  const usable = (term: string) => term.length > 0 && Buffer.byteLength(term) <= MAX_LEXEME_BYTES;
  const terms = [...new Set(query.terms.filter(usable))];
  const prefixes = [...new Set(query.prefixes.filter(usable))].map((p) => `${quoteLexeme(p)}:*`);
  const phrases = query.phrases.map((phrase) => phrase.filter(usable)).filter((phrase) => phrase.length > 0);
  const phraseWords = [...new Set(phrases.flat())].filter((w) => !terms.includes(w));
  const rankParts = [...terms.map(quoteLexeme), ...prefixes, ...phraseWords.map(quoteLexeme)];
  if (rankParts.length === 0) return null;
  let match: string;
  if (phrases.length > 0) {
    match = phrases.map((phrase) => `(${phrase.map(quoteLexeme).join(' <-> ')})`).join(' & ');
  } else {
    const rare = terms.filter((t) => !common.has(t));
    if (rare.length > 0 || prefixes.length > 0 || terms.length < 2) {
      match = [...(rare.length > 0 || prefixes.length > 0 ? rare : terms).map(quoteLexeme), ...prefixes].join(' | ');
    } else {
      const least = [...terms]
        .sort((a, b) => common.get(a)! - common.get(b)!)
        .slice(0, PAIRED_TERMS)
        .map(quoteLexeme);
      match = least.flatMap((a, i) => least.slice(i + 1).map((b) => `(${a} & ${b})`)).join(' | ');
    }
  }
  const exclusions = [...new Set((query.exclusions ?? []).filter(usable))].map((t) => `!${quoteLexeme(t)}`);
  if (exclusions.length > 0) match = `(${match}) & ${exclusions.join(' & ')}`;
  return { match, rank: rankParts.join(' | ') };
}

/** ts_rank's weights array, {D, C, B, A}, scaled into its 0..1 range. */
export function rankWeights(weights: FieldWeights): number[] {
  const top = Math.max(weights.title, weights.authors, weights.abstract, 1e-9);
  return [0, weights.abstract / top, weights.authors / top, weights.title / top];
}
