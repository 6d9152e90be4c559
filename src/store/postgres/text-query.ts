/**
 * Full-text search structures of the PostgreSQL store, built from the same TypeScript analysis as the
 * embedded store (domain/analyzer.ts) rather than a PostgreSQL text-search configuration: the store writes
 * each paper's terms as a tsvector literal (title weight A, authors B, abstract C) and turns an analysed
 * query into a tsquery literal, so both backends agree on what a term is. Nothing of a person's raw text
 * reaches SQL: terms are letters and digits, and are quoted as lexemes all the same.
 */
import { analyze } from '../../domain/analyzer.ts';
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

/**
 * The tsvector literal of a paper: analysed title (A), author names (B) and abstract (C) with positions. Written
 * for every paper an import writes, so positions are kept as numbers (position × 4 + field) until the text is made.
 */
export function paperTsvector(title: string, authors: readonly { name: string }[], summary: string): string {
  const fields = [analyze(title), analyze(authors.map((a) => a.name).join(' ')), analyze(summary)];
  const positions = new Map<string, number[]>();
  let base = 0;
  for (let f = 0; f < fields.length; f++) {
    const terms = fields[f]!;
    for (let i = 0; i < terms.length; i++) {
      const term = terms[i]!;
      if (term.length > SURELY_SHORT_LEXEME && Buffer.byteLength(term) > MAX_LEXEME_BYTES) continue;
      const position = Math.min(MAX_POSITION, base + i + 1) * 4 + f;
      const list = positions.get(term);
      if (list === undefined) positions.set(term, [position]);
      else if (list.length < MAX_POSITIONS_PER_LEXEME) list.push(position);
    }
    base += terms.length + FIELD_GAP;
  }
  let literal = '';
  for (const [term, list] of positions) {
    literal += `${literal === '' ? '' : ' '}${quoteLexeme(term)}:`;
    for (let j = 0; j < list.length; j++) {
      const position = list[j]!;
      literal += `${j === 0 ? '' : ','}${position >> 2}${FIELD_WEIGHTS[position & 3]}`;
    }
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
