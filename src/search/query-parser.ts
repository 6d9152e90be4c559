/**
 * Parses what a person types into a search box. Nothing of the raw text ever reaches a database query
 * language: the result is lists of analyzed terms (letters and digits only).
 */
import { analyze, isStopWord, words } from '../domain/analyzer.ts';
import { findArxivId } from '../domain/arxiv-id.ts';

export interface ParsedQuery {
  /** Stemmed terms outside quotes, stop words removed (unless nothing else is left). */
  terms: string[];
  /** Quoted phrases as sequences of stemmed terms (stop words kept). */
  phrases: string[][];
  /** Terms written with a trailing * (not stemmed). */
  prefixes: string[];
  /** Stemmed terms written with a leading minus: no result holds them. */
  exclusions: string[];
  /** An arXiv id or URL in the query. */
  arxivId: string | null;
  /** The query as words, for exact-title matching and highlighting. */
  words: string[];
  /** True when the query had words but only stop words. */
  onlyStopWords: boolean;
}

export const MAX_QUERY_TERMS = 32;
const MIN_PREFIX_LENGTH = 2;

export function parseQuery(raw: string): ParsedQuery {
  const text = raw.normalize('NFKC').slice(0, 2000);
  const phrases: string[][] = [];
  const rest = text.replace(/"([^"]*)"/g, (_, phrase: string) => {
    const terms = analyze(phrase);
    if (terms.length === 1) return ` ${phrase} `;
    if (terms.length > 1) phrases.push(terms.slice(0, MAX_QUERY_TERMS));
    return ' ';
  });
  const prefixes: string[] = [];
  const plain: string[] = [];
  const exclusions: string[] = [];
  for (const chunk of rest.split(/\s+/)) {
    if (chunk.length > 1 && chunk.startsWith('-')) {
      exclusions.push(...analyze(chunk.slice(1)));
      continue;
    }
    if (chunk.endsWith('*')) {
      const [prefix] = words(chunk);
      if (prefix && prefix.length >= MIN_PREFIX_LENGTH) {
        prefixes.push(prefix);
        continue;
      }
    }
    plain.push(...words(chunk));
  }
  const meaningful = plain.filter((w) => !isStopWord(w));
  const onlyStopWords = plain.length > 0 && meaningful.length === 0 && phrases.length === 0 && prefixes.length === 0;
  const terms = [...new Set((meaningful.length > 0 ? meaningful : plain).flatMap((w) => analyze(w)))];
  return {
    terms: terms.slice(0, MAX_QUERY_TERMS),
    phrases,
    prefixes: prefixes.slice(0, MAX_QUERY_TERMS),
    exclusions: [...new Set(exclusions)].slice(0, MAX_QUERY_TERMS),
    arxivId: findArxivId(text),
    words: words(text),
    onlyStopWords,
  };
}

export function isEmptyQuery(query: ParsedQuery): boolean {
  return (
    query.terms.length === 0 && query.phrases.length === 0 && query.prefixes.length === 0 && query.arxivId === null
  );
}
