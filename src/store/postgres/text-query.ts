/**
 * Full-text search structures of the PostgreSQL store, built from the same TypeScript analysis as the
 * embedded store (domain/analyzer.ts) rather than a PostgreSQL text-search configuration: the store writes
 * each paper's terms as a tsvector (title weight A, authors B, abstract C: in tsvector's binary form for the
 * import's binary COPY, as a literal elsewhere) and turns an analysed
 * query into a tsquery literal, so both backends agree on what a term is. Nothing of a person's raw text
 * reaches SQL: terms are letters and digits, and are quoted as lexemes all the same.
 */
import { TermTable } from '../../domain/analyzer.ts';
import type { FieldWeights, TextQuery } from '../store.ts';
import type { CopyBinary } from './copy-binary.ts';

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

/** The text of each position × 4 + field in a literal ("12C"), made once rather than for every position written. */
const POSITION_TEXT = Array.from(
  { length: (MAX_POSITION + 1) * 4 },
  (_, p) => `${p >> 2}${FIELD_WEIGHTS[p & 3] ?? ''}`,
);

/** The terms of the papers written, as ids (see TermTable). */
const termTable = new TermTable();
/** Numbers kept by term id in termInfo, at id × TERM_INFO + each of these. */
const LAST_PAPER = 0;
/** Its slot in the paper that last had it, -1 when the lexeme is too long to keep. */
const SLOT = 1;
/** Where its UTF-8 bytes are in lexemeBytes, and how many (0 until the term is first written). */
const BYTES_AT = 2;
const BYTE_LENGTH = 3;
/** Its first 5 bytes as a number (see sortSlots): the first 2, and the 3 after them. */
const KEY_HIGH = 4;
const KEY_LOW = 5;
const TERM_INFO = 6;
/**
 * By term id, side by side so that a term costs one memory read: the numbers above. Papers are counted from 1 (0 is
 * none); all is cleared when the term table starts over (see cachedFor).
 */
let termInfo = new Int32Array(TERM_INFO << 16);
/** The UTF-8 bytes of every term written, one after the other. */
let lexemeBytes = Buffer.allocUnsafe(1 << 20);
let lexemeBytesUsed = 0;
let papersSeen = 0;
/** By term id, filled as terms are first written: the lexeme as the literal starts it (`'term':`). */
let quoted: (string | undefined)[] = [];
/** The term table's resets that termInfo, lexemeBytes and quoted are for. */
let cachedFor = 0;

/** The UTF-8 length of term `id`, its bytes kept in lexemeBytes the first time. */
function byteLengthOf(id: number): number {
  const known = termInfo[id * TERM_INFO + BYTE_LENGTH]!;
  if (known > 0) return known;
  const term = termTable.term(id);
  if (lexemeBytesUsed + term.length * 3 > lexemeBytes.length) {
    const grown = Buffer.allocUnsafe(Math.max(lexemeBytes.length * 2, lexemeBytesUsed + term.length * 3));
    lexemeBytes.copy(grown, 0, 0, lexemeBytesUsed);
    lexemeBytes = grown;
  }
  const length = lexemeBytes.write(term, lexemeBytesUsed, 'utf8');
  const byte = (k: number) => (k < length ? lexemeBytes[lexemeBytesUsed + k]! : 0);
  termInfo[id * TERM_INFO + BYTES_AT] = lexemeBytesUsed;
  termInfo[id * TERM_INFO + BYTE_LENGTH] = length;
  termInfo[id * TERM_INFO + KEY_HIGH] = (byte(0) << 8) | byte(1);
  termInfo[id * TERM_INFO + KEY_LOW] = (byte(2) << 16) | (byte(3) << 8) | byte(4);
  lexemeBytesUsed += length;
  return length;
}

/**
 * The lexemes of the paper paperTerms read last, in scratch arrays reused paper after paper: slot s is term
 * ids[s], its UTF-8 bytes lexemeBytes[bytesAt[s] .. + byteLength[s]), its positions positions[start[s] .. +
 * counts[s]) (position × 4 + field); `order` holds the slots in the order the server keeps lexemes, `slots` of them.
 */
interface PaperTerms {
  slots: number;
  order: Int32Array;
  ids: Int32Array;
  bytesAt: Int32Array;
  byteLength: Int32Array;
  start: Int32Array;
  counts: Int32Array;
  positions: Int32Array;
  /** The slot of each term of the paper, in order (-1 for a lexeme too long to keep). */
  tokenSlots: Int32Array;
  /** Sort keys (see sortSlots). */
  keys: Float64Array;
}

const scratch: PaperTerms = {
  slots: 0,
  order: new Int32Array(1024),
  ids: new Int32Array(1024),
  bytesAt: new Int32Array(1024),
  byteLength: new Int32Array(1024),
  start: new Int32Array(1024),
  counts: new Int32Array(1024),
  positions: new Int32Array(4096),
  tokenSlots: new Int32Array(4096),
  keys: new Float64Array(1024),
};

/**
 * The lexemes of a paper: analysed title (A), author names (B) and abstract (C) with positions. Made for every paper
 * an import writes, so terms are ids, and lexemes and positions are numbers in flat arrays until they are written.
 * Lexemes come sorted, as the server stores them, and without a position twice (positions past MAX_POSITION are
 * one, with the first field's weight, as the server would keep them): the server then checks the order instead of
 * sorting them.
 */
function paperTerms(title: string, authors: readonly { name: string }[], summary: string): PaperTerms {
  const fields = termTable.terms([title, authors.map((a) => a.name).join(' '), summary]);
  if (cachedFor !== termTable.resets) {
    termInfo.fill(0);
    lexemeBytesUsed = 0;
    papersSeen = 0;
    quoted = [];
    cachedFor = termTable.resets;
  }
  if (termTable.size * TERM_INFO > termInfo.length) {
    const grown = new Int32Array(Math.max(termTable.size * TERM_INFO, termInfo.length * 2));
    grown.set(termInfo);
    termInfo = grown;
  }
  if (papersSeen === 0x7fffffff) {
    for (let at = LAST_PAPER; at < termInfo.length; at += TERM_INFO) termInfo[at] = 0;
    papersSeen = 0;
  }
  const paper = ++papersSeen;
  let tokens = 0;
  for (const terms of fields) tokens += terms.length;
  if (tokens > scratch.tokenSlots.length) {
    scratch.tokenSlots = new Int32Array(Math.max(tokens, scratch.tokenSlots.length * 2));
    scratch.positions = new Int32Array(scratch.tokenSlots.length);
  }
  // The slots, one for each lexeme kept, with how many times it comes; each term's slot, read once.
  const info = termInfo;
  const tokenSlots = scratch.tokenSlots;
  let slots = 0;
  let token = 0;
  for (let f = 0; f < fields.length; f++) {
    const terms = fields[f]!;
    for (let i = 0; i < terms.length; i++) {
      const id = terms[i]!;
      const at = id * TERM_INFO;
      let slot: number;
      if (info[at + LAST_PAPER] === paper) {
        slot = info[at + SLOT]!;
        if (slot >= 0) scratch.counts[slot]!++;
      } else {
        info[at + LAST_PAPER] = paper;
        const length = byteLengthOf(id);
        if (length > MAX_LEXEME_BYTES) slot = -1;
        else {
          if (slots === scratch.ids.length) growSlots();
          slot = slots++;
          scratch.ids[slot] = id;
          scratch.bytesAt[slot] = info[at + BYTES_AT]!;
          scratch.byteLength[slot] = length;
          scratch.keys[slot] = (info[at + KEY_HIGH]! * 0x1000000 + info[at + KEY_LOW]!) * KEYED_SLOTS + slot;
          scratch.counts[slot] = 1;
        }
        info[at + SLOT] = slot;
      }
      tokenSlots[token++] = slot;
    }
  }
  const { start, counts, positions } = scratch;
  let at = 0;
  for (let slot = 0; slot < slots; slot++) {
    start[slot] = at;
    at += Math.min(counts[slot]!, MAX_POSITIONS_PER_LEXEME);
    counts[slot] = 0;
  }
  // The positions of each slot, in order.
  let base = 0;
  token = 0;
  for (let f = 0; f < fields.length; f++) {
    const length = fields[f]!.length;
    for (let i = 0; i < length; i++) {
      const slot = tokenSlots[token++]!;
      if (slot < 0) continue;
      const count = counts[slot]!;
      if (count === MAX_POSITIONS_PER_LEXEME) continue;
      let position = base + i + 1;
      if (position > MAX_POSITION) {
        if (count > 0 && positions[start[slot]! + count - 1]! >> 2 === MAX_POSITION) continue;
        position = MAX_POSITION;
      }
      positions[start[slot]! + count] = position * 4 + f;
      counts[slot] = count + 1;
    }
    base += length + FIELD_GAP;
  }
  scratch.slots = slots;
  sortSlots(scratch);
  return scratch;
}

/** Slots a paper may have for the quick sort below: the slot takes the low 13 bits of a key. */
const KEYED_SLOTS = 1 << 13;

/**
 * Puts the slots in the order PostgreSQL keeps lexemes: by their bytes, a shorter one before a longer one it begins
 * (as memcmp, then the length). Each slot's key (made in paperTerms from termInfo) is its first 5 bytes (a missing
 * byte as 0, which no lexeme holds) and the slot below them, so that a numeric sort does nearly all of it; slots whose first 5 bytes agree are then
 * put in order by all their bytes.
 */
function sortSlots(terms: PaperTerms): void {
  const slots = terms.slots;
  if (terms.order.length < slots) terms.order = new Int32Array(Math.max(slots, terms.order.length * 2));
  const order = terms.order;
  if (slots > KEYED_SLOTS) {
    const sorted = Array.from({ length: slots }, (_, slot) => slot).sort((a, b) => compareSlots(terms, a, b));
    order.set(sorted);
    return;
  }
  const keys = terms.keys;
  const sorted = keys.subarray(0, slots).sort();
  for (let t = 0; t < slots; t++) {
    const slot = sorted[t]! % KEYED_SLOTS;
    order[t] = slot;
    // Insertion among the slots that share the first 5 bytes (the key above the slot's bits).
    for (
      let u = t;
      u > 0 &&
      Math.floor(sorted[u - 1]! / KEYED_SLOTS) === Math.floor(sorted[t]! / KEYED_SLOTS) &&
      compareSlots(terms, order[u - 1]!, order[u]!) > 0;
      u--
    ) {
      const swap = order[u - 1]!;
      order[u - 1] = order[u]!;
      order[u] = swap;
    }
  }
}

/** The order of two slots' lexemes by their bytes (memcmp, then the shorter first). */
function compareSlots(terms: PaperTerms, a: number, b: number): number {
  const bytes = lexemeBytes;
  const fromA = terms.bytesAt[a]!;
  const fromB = terms.bytesAt[b]!;
  const lengthA = terms.byteLength[a]!;
  const lengthB = terms.byteLength[b]!;
  const length = Math.min(lengthA, lengthB);
  for (let i = 0; i < length; i++) {
    const difference = bytes[fromA + i]! - bytes[fromB + i]!;
    if (difference !== 0) return difference;
  }
  return lengthA - lengthB;
}

function growSlots(): void {
  const grow = (array: Int32Array) => {
    const grown = new Int32Array(array.length * 2);
    grown.set(array);
    return grown;
  };
  scratch.ids = grow(scratch.ids);
  scratch.bytesAt = grow(scratch.bytesAt);
  scratch.byteLength = grow(scratch.byteLength);
  scratch.start = grow(scratch.start);
  scratch.counts = grow(scratch.counts);
  const keys = new Float64Array(scratch.keys.length * 2);
  keys.set(scratch.keys);
  scratch.keys = keys;
}

/** What `cache` holds for term `id`, made by `make` the first time. */
function cached<T>(cache: (T | undefined)[], id: number, make: (term: string) => T): T {
  // Filled up to the id rather than at it alone, so that the array stays dense (a sparse one is a hash table).
  while (cache.length <= id) cache.push(undefined);
  let value = cache[id];
  if (value === undefined) {
    value = make(termTable.term(id));
    cache[id] = value;
  }
  return value;
}

const quotedLexeme = (term: string) => `${quoteLexeme(term)}:`;

/** The tsvector literal of a paper (see paperTerms). */
export function paperTsvector(title: string, authors: readonly { name: string }[], summary: string): string {
  const { slots, order, ids, start, counts, positions } = paperTerms(title, authors, summary);
  let literal = '';
  for (let t = 0; t < slots; t++) {
    const slot = order[t]!;
    const lexeme = cached(quoted, ids[slot]!, quotedLexeme);
    literal += t === 0 ? lexeme : ` ${lexeme}`;
    const from = start[slot]!;
    const to = from + counts[slot]!;
    literal += POSITION_TEXT[positions[from]!]!;
    for (let j = from + 1; j < to; j++) literal += `,${POSITION_TEXT[positions[j]!]!}`;
  }
  return literal;
}

/**
 * The tsvector of a paper (see paperTerms) as a field of binary COPY, in tsvector's binary form: the number of
 * lexemes, then each lexeme's UTF-8 bytes, a NUL, its number of positions and each position (weight in the top two
 * bits: A 3, B 2, C 1).
 */
export function writePaperTsvector(
  out: CopyBinary,
  title: string,
  authors: readonly { name: string }[],
  summary: string,
): void {
  const { slots, order, bytesAt, byteLength, start, counts, positions } = paperTerms(title, authors, summary);
  const field = out.startField();
  out.ensure(4);
  out.writeUint32(slots);
  for (let t = 0; t < slots; t++) {
    const slot = order[t]!;
    const length = byteLength[slot]!;
    const from = start[slot]!;
    const to = from + counts[slot]!;
    out.ensure(length + 3 + (to - from) * 2);
    out.writeBytes(lexemeBytes, bytesAt[slot]!, length);
    out.writeByte(0);
    out.writeUint16(to - from);
    for (let j = from; j < to; j++) {
      const p = positions[j]!;
      out.writeUint16(((3 - (p & 3)) << 14) | (p >> 2));
    }
  }
  out.endField(field);
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
