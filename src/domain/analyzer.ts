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
