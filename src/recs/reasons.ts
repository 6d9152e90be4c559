/**
 * Why a paper is recommended, in words a member can check: the liked paper it is closest to (by the same
 * embeddings that ranked it) and the words that weigh most in both it and the liked papers (tf-idf over the
 * window, with the search analyzer's stems, shown in the form the candidate paper uses).
 */
import type { Paper } from '../domain/types.ts';
import { isStopWord, stemWord, words } from '../domain/analyzer.ts';

const MIN_WORD_LENGTH = 3;
const stems = new Map<string, string>();
const STEM_CACHE_LIMIT = 200_000;

/** stemWord, remembered (Porter stemming is most of the cost of a reason). */
function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    s = stemWord(word);
    if (stems.size < STEM_CACHE_LIMIT) stems.set(word, s);
  }
  return s;
}

function counted(word: string): boolean {
  return word.length >= MIN_WORD_LENGTH && !isStopWord(word) && !/^\d+$/.test(word);
}

/** Stemmed terms of a paper's title and abstract with their counts (the title counts twice). */
export function termCounts(paper: Pick<Paper, 'title' | 'summary'>): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (text: string, weight: number) => {
    for (const word of words(text)) {
      if (!counted(word)) continue;
      const term = stem(word);
      counts.set(term, (counts.get(term) ?? 0) + weight);
    }
  };
  add(paper.title, 2);
  add(paper.summary, 1);
  return counts;
}

/** Unit-length tf-idf (sublinear tf) of a paper's terms; idf from the window. */
export function tfidf(
  counts: Map<string, number>,
  documentFrequency: ReadonlyMap<string, number>,
  documents: number,
): Map<string, number> {
  const out = new Map<string, number>();
  let norm = 0;
  for (const [term, count] of counts) {
    const idf = Math.log((documents + 1) / ((documentFrequency.get(term) ?? 0) + 1)) + 1;
    const weight = (1 + Math.log(count)) * idf;
    out.set(term, weight);
    norm += weight * weight;
  }
  norm = Math.sqrt(norm) || 1;
  for (const [term, weight] of out) out.set(term, weight / norm);
  return out;
}

/** The mean tf-idf of the liked papers: what the member reads about. */
export function profileTerms(liked: readonly Map<string, number>[]): Map<string, number> {
  const profile = new Map<string, number>();
  for (const paper of liked)
    for (const [term, weight] of paper) profile.set(term, (profile.get(term) ?? 0) + weight / liked.length);
  return profile;
}

/** The `count` words that weigh most in both the candidate and the profile, as the candidate writes them. */
export function sharedWords(
  candidate: Pick<Paper, 'title' | 'summary'>,
  candidateTerms: Map<string, number>,
  profile: ReadonlyMap<string, number>,
  count: number,
): string[] {
  const weighted = [...candidateTerms]
    .map(([term, weight]) => ({ term, weight: weight * (profile.get(term) ?? 0) }))
    .filter((t) => t.weight > 0)
    .sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1))
    .slice(0, count);
  const surface = surfaceForms(`${candidate.title} ${candidate.summary}`);
  return weighted.map((t) => surface.get(t.term) ?? t.term);
}

/** For each stem, the word form a text uses most (first seen on ties). */
function surfaceForms(text: string): Map<string, string> {
  const tally = new Map<string, Map<string, number>>();
  for (const word of words(text)) {
    if (!counted(word)) continue;
    const term = stem(word);
    const forms = tally.get(term) ?? new Map<string, number>();
    forms.set(word, (forms.get(word) ?? 0) + 1);
    tally.set(term, forms);
  }
  const out = new Map<string, string>();
  for (const [term, forms] of tally) {
    let best = '';
    let most = 0;
    for (const [form, n] of forms) if (n > most) [best, most] = [form, n];
    out.set(term, best);
  }
  return out;
}
