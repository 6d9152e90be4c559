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
  /** Words read in place: their lowercased text, its hash, and the id of their term. */
  #words: string[] = [];
  #wordHashes: number[] = [];
  #wordTerms: number[] = [];
  /** Open addressing over word hashes: word index + 1, 0 when free. */
  #slots = new Int32Array(1 << 21);

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
    this.#words = [];
    this.#wordHashes = [];
    this.#wordTerms = [];
    this.#slots.fill(0);
  }

  /** The ids of analyze(text) for each text, in order: the ids of one call hold together. */
  terms(texts: readonly string[]): number[][] {
    if (this.#words.length >= TERM_TABLE_LIMIT || this.#terms.length >= TERM_TABLE_LIMIT) this.reset();
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
    const mask = this.#slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot]!;
      if (entry === 0) {
        // A copy, not a slice: a slice of 13 characters or more would keep the whole lowercased text alive.
        const word = Buffer.from(lower.slice(start, end), 'latin1').toString('latin1');
        const id = this.#idOf(stem(word));
        // Kept while the slots stay at most half full.
        if (this.#words.length < (mask + 1) >> 1) {
          this.#slots[slot] = this.#words.push(word);
          this.#wordHashes.push(hash);
          this.#wordTerms.push(id);
        }
        return id;
      }
      const word = this.#words[entry - 1]!;
      if (this.#wordHashes[entry - 1] === hash && word.length === length && lower.startsWith(word, start)) {
        return this.#wordTerms[entry - 1]!;
      }
    }
  }
}
