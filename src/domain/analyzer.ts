/**
 * Text analysis shared by indexing and querying, in TypeScript rather than in a database tokenizer, so that
 * every backend and every check (phrases, highlighting) sees exactly the same terms: Unicode words,
 * lowercased, accents removed, Porter-stemmed. Stop words stay in the index (phrases need them) and are
 * dropped from queries.
 */
import { stemmer } from 'stemmer';

const WORD = /[\p{L}\p{N}]+/gu;

/** Common English words that carry no meaning on their own in a query. */
export const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before
being below between both but by can did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
once only or other our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours yourself yourselves via using based towards toward`.split(/\s+/),
);

const stemCache = new Map<string, string>();
const STEM_CACHE_LIMIT = 500_000;

/** The index term of one folded word (see words()). */
export function stemWord(word: string): string {
  // Numbers and mixed tokens ("gpt4", "3d") are kept as they are.
  return /^\p{L}+$/u.test(word) && word.length > 2 ? stemmer(word) : word;
}

/** Calls `visit` with each folded word of a text, in order, without building an array; returns the count. */
export function forEachWord(text: string, visit: (word: string) => void): number {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  const pattern = new RegExp(WORD.source, 'gu');
  let count = 0;
  for (let match = pattern.exec(folded); match !== null; match = pattern.exec(folded)) {
    visit(match[0]);
    count++;
  }
  return count;
}

/** stemWord, remembered for the most recent words. */
export function stem(word: string): string {
  let stemmed = stemCache.get(word);
  if (stemmed === undefined) {
    stemmed = stemWord(word);
    if (stemCache.size < STEM_CACHE_LIMIT) stemCache.set(word, stemmed);
  }
  return stemmed;
}

/** Lowercased words without accents, in order, not stemmed. */
export function words(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  return folded.match(WORD) ?? [];
}

/** The terms of a text as the index holds them. */
export function analyze(text: string): string[] {
  return words(text).map(stem);
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** Titles compared for an exact match: words only, lowercased, no accents. */
export function titleKey(title: string): string {
  return words(title).join(' ');
}

/** Text that holds nothing but ASCII: NFKD and accent removal leave it as it is, and its letters are A-Z and a-z. */
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Distinct words a TermTable remembers; past this it starts over (its ids are for one text at a time). */
const TERM_TABLE_LIMIT = 1_000_000;

/** Numbers of one slot of TermTable's word table, side by side: a word costs one memory read to find. */
const SLOT_HASH = 0;
/** The word's term id. */
const SLOT_TERM = 1;
/** Where the word's characters are in the arena, and how many (0: a free slot; words are never empty). */
const SLOT_AT = 2;
const SLOT_LENGTH = 3;
const SLOT_SIZE = 4;

/**
 * The terms of texts as small integers (ids), for code that analyses a great many texts, such as an import writing
 * each paper's full-text terms: the same terms as analyze(), in the same order, but an ASCII text is read in place,
 * word by word, and a word seen before is found by its characters without a string being made or stemmed again
 * (at 133k abstracts, analyze() spends most of its time making words and looking up their stems). Other text goes
 * through analyze(). An id holds until reset(), which `terms` calls by itself when the table is full: callers keep
 * the ids of one call only.
 */
export class TermTable {
  /** Term of each id. */
  #terms: string[] = [];
  #termIds = new Map<string, number>();
  /** Words read in place, by open addressing over their hashes (see SLOT_HASH …), at most half full. */
  #slots = new Int32Array((1 << 16) * SLOT_SIZE);
  #wordCount = 0;
  /** The characters of those words (lowercased ASCII letters and digits), one after the other. */
  #arena = new Uint8Array(1 << 20);
  #arenaUsed = 0;

  /** How many times the table started over: ids kept with this number are good while it stays the same. */
  resets = 0;

  /** How many ids there are (every id is below this). */
  get size(): number {
    return this.#terms.length;
  }

  term(id: number): string {
    return this.#terms[id]!;
  }

  /** Forgets every word and term: ids start again from 0. */
  reset(): void {
    this.resets++;
    this.#terms = [];
    this.#termIds = new Map();
    this.#slots = new Int32Array((1 << 16) * SLOT_SIZE);
    this.#wordCount = 0;
    this.#arenaUsed = 0;
  }

  /** The ids of analyze(text) for each text, in order: the ids of one call hold together. */
  terms(texts: readonly string[]): number[][] {
    if (this.#wordCount >= TERM_TABLE_LIMIT || this.#terms.length >= TERM_TABLE_LIMIT) this.reset();
    return texts.map((text) => this.#textTerms(text));
  }

  #textTerms(text: string): number[] {
    if (!ASCII_ONLY.test(text)) return analyze(text).map((term) => this.#idOf(term));
    const lower = text.toLowerCase();
    const ids: number[] = [];
    const length = lower.length;
    let i = 0;
    while (i < length) {
      let c = lower.charCodeAt(i);
      if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) {
        i++;
        continue;
      }
      const start = i;
      let hash = 0x811c9dc5;
      do {
        hash = Math.imul(hash ^ c, 0x01000193);
        c = ++i < length ? lower.charCodeAt(i) : 0;
      } while ((c >= 97 && c <= 122) || (c >= 48 && c <= 57));
      ids.push(this.#wordTerm(lower, start, i, hash));
    }
    return ids;
  }

  #idOf(term: string): number {
    let id = this.#termIds.get(term);
    if (id === undefined) {
      id = this.#terms.length;
      this.#terms.push(term);
      this.#termIds.set(term, id);
    }
    return id;
  }

  /** The term id of the word lower[start, end), which is ASCII letters and digits. */
  #wordTerm(lower: string, start: number, end: number, hash: number): number {
    const slots = this.#slots;
    const arena = this.#arena;
    const mask = slots.length / SLOT_SIZE - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slot * SLOT_SIZE;
      const wordLength = slots[at + SLOT_LENGTH]!;
      if (wordLength === 0) return this.#addWord(lower, start, end, hash, at);
      if (slots[at + SLOT_HASH] !== hash || wordLength !== length) continue;
      const from = slots[at + SLOT_AT]!;
      let k = 0;
      while (k < length && arena[from + k] === lower.charCodeAt(start + k)) k++;
      if (k === length) return slots[at + SLOT_TERM]!;
    }
  }

  /** A word not seen before, at the free slot `at`: its term, remembered while the table may grow. */
  #addWord(lower: string, start: number, end: number, hash: number, at: number): number {
    const length = end - start;
    if (this.#arenaUsed + length > this.#arena.length) {
      const grown = new Uint8Array(Math.max(this.#arena.length * 2, this.#arenaUsed + length));
      grown.set(this.#arena.subarray(0, this.#arenaUsed));
      this.#arena = grown;
    }
    for (let k = 0; k < length; k++) this.#arena[this.#arenaUsed + k] = lower.charCodeAt(start + k);
    // Read back from the arena: a string of its own, where a slice of 13 characters or more would keep the whole
    // lowercased text alive (in the stem cache, in the terms).
    const word = Buffer.from(this.#arena.buffer, this.#arena.byteOffset + this.#arenaUsed, length).toString('latin1');
    const id = this.#idOf(stem(word));
    const slots = this.#slots;
    slots[at + SLOT_HASH] = hash;
    slots[at + SLOT_TERM] = id;
    slots[at + SLOT_AT] = this.#arenaUsed;
    slots[at + SLOT_LENGTH] = length;
    this.#arenaUsed += length;
    if (++this.#wordCount * 2 > slots.length / SLOT_SIZE) this.#growSlots();
    return id;
  }

  /** Twice the slots, every word put again by its hash. */
  #growSlots(): void {
    const old = this.#slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length / SLOT_SIZE - 1;
    for (let from = 0; from < old.length; from += SLOT_SIZE) {
      if (old[from + SLOT_LENGTH] === 0) continue;
      let slot = old[from + SLOT_HASH]! & mask;
      while (slots[slot * SLOT_SIZE + SLOT_LENGTH] !== 0) slot = (slot + 1) & mask;
      slots.set(old.subarray(from, from + SLOT_SIZE), slot * SLOT_SIZE);
    }
    this.#slots = slots;
  }
}
