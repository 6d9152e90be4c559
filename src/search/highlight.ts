/**
 * Which words of a text a query matched, for showing results: a text becomes segments {text, match}
 * that a template escapes one by one (no HTML is built here). A word matches when one of its analyzed
 * terms (the same stemming as the index) is a query term, a non-stop-word term of a quoted phrase, or
 * starts with a prefix (`transf*`); a whole phrase occurrence is one match, stop words included.
 *
 * The work per text is linear in its length and bounded: matches are looked for in its first SCAN_CHARS
 * characters only, so a huge abstract stored before imports had limits costs a search no more than the longest
 * one an import takes.
 */
import { STOP_WORDS, analyze, words } from '../domain/analyzer.ts';
import type { ParsedQuery } from './query-parser.ts';
import { PAPER_LIMITS } from '../domain/import-limits.ts';

export interface Segment {
  text: string;
  match: boolean;
}

export interface Matcher {
  terms: ReadonlySet<string>;
  phrases: readonly (readonly string[])[];
  prefixes: readonly string[];
}

/** A word of the original text, with the terms the index holds for it. */
interface Token {
  start: number;
  end: number;
  terms: string[];
  words: string[];
}

/** Every abstract an import takes fits whole (its limit is in bytes, and a character is at least one). */
const SCAN_CHARS = PAPER_LIMITS.abstractBytes;

/** The part of a text searched for matches: all of it, or its first SCAN_CHARS characters cut at a space. */
function scanned(text: string): string {
  if (text.length <= SCAN_CHARS) return text;
  const space = text.lastIndexOf(' ', SCAN_CHARS);
  return text.slice(0, space > 0 ? space : SCAN_CHARS);
}

/** Letters, digits and combining marks: a word as `words()` sees it, before accents are removed. */
const TOKEN = /[\p{L}\p{N}\p{M}]+/gu;

let stopStems: Set<string> | null = null;
function isStopStem(term: string): boolean {
  stopStems ??= new Set([...STOP_WORDS].flatMap((w) => analyze(w)));
  return stopStems.has(term);
}

export function matcherFor(query: Pick<ParsedQuery, 'terms' | 'phrases' | 'prefixes'>): Matcher {
  const terms = new Set(query.terms);
  // Phrase words count on their own too, except words like "of" that would light up every line.
  for (const term of query.phrases.flat()) if (!isStopStem(term)) terms.add(term);
  return { terms, phrases: query.phrases.filter((p) => p.length > 0), prefixes: query.prefixes };
}

export function isEmptyMatcher(matcher: Matcher): boolean {
  return matcher.terms.size === 0 && matcher.phrases.length === 0 && matcher.prefixes.length === 0;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const ws = words(m[0]);
    if (ws.length === 0) continue;
    tokens.push({ start: m.index, end: m.index + m[0].length, terms: analyze(m[0]), words: ws });
  }
  return tokens;
}

/** Character ranges [start, end) of the matches in a text, in order, not overlapping. */
export function matchRanges(text: string, matcher: Matcher): [number, number][] {
  if (isEmptyMatcher(matcher)) return [];
  const tokens = tokenize(scanned(text));
  const ranges: [number, number][] = [];
  for (const token of tokens) {
    if (
      token.terms.some((t) => matcher.terms.has(t)) ||
      token.words.some((w) => matcher.prefixes.some((p) => w.startsWith(p)))
    ) {
      ranges.push([token.start, token.end]);
    }
  }
  if (matcher.phrases.length > 0) {
    // The index sees a field as one stream of terms; a token may hold more than one ("½" is "1", "2").
    const stream = tokens.flatMap((token, i) => token.terms.map((term) => ({ term, token: i })));
    for (const phrase of matcher.phrases) {
      for (let i = 0; i + phrase.length <= stream.length; i++) {
        if (phrase.every((term, k) => stream[i + k]!.term === term)) {
          ranges.push([tokens[stream[i]!.token]!.start, tokens[stream[i + phrase.length - 1]!.token]!.end]);
        }
      }
    }
  }
  return merge(text, ranges);
}

/** Sorts ranges and joins those that overlap or are separated by spaces only ("large language"). */
function merge(text: string, ranges: [number, number][]): [number, number][] {
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const [start, end] of ranges) {
    const last = merged.at(-1);
    if (last && (start <= last[1] || /^[ \t]+$/.test(text.slice(last[1], start)))) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

function segmentsOf(text: string, ranges: readonly [number, number][], offset = 0): Segment[] {
  const segments: Segment[] = [];
  let at = offset;
  const end = offset + text.length;
  for (const [s, e] of ranges) {
    const start = Math.max(s, offset);
    const stop = Math.min(e, end);
    if (stop <= start) continue;
    if (start > at) segments.push({ text: text.slice(at - offset, start - offset), match: false });
    segments.push({ text: text.slice(start - offset, stop - offset), match: true });
    at = stop;
  }
  if (at < end) segments.push({ text: text.slice(at - offset), match: false });
  return segments;
}

/** The whole text as segments (for a title). */
export function highlight(text: string, matcher: Matcher): Segment[] {
  return segmentsOf(text, matchRanges(text, matcher));
}

/** Characters of context kept before the first match of a snippet. */
const LEAD = 60;

/**
 * Where the window of `width` characters holding the most whole matches starts: at the start of the text or `lead`
 * characters before a match, the earliest among equals (so the start of the text wins ties). `ranges` are sorted
 * and separate, as matchRanges returns them, so their ends are sorted too: the first match inside a window and the
 * first one past its end only move forward from one candidate to the next, and one pass counts every window.
 */
export function densestWindow(ranges: readonly (readonly [number, number])[], width: number, lead: number): number {
  let bestStart = 0;
  let bestCount = -1;
  let first = 0;
  let past = 0;
  for (let i = -1; i < ranges.length; i++) {
    const candidate = i < 0 ? 0 : Math.max(0, ranges[i]![0] - lead);
    while (first < ranges.length && ranges[first]![0] < candidate) first++;
    while (past < ranges.length && ranges[past]![1] <= candidate + width) past++;
    const count = Math.max(0, past - first);
    if (count > bestCount) {
      bestCount = count;
      bestStart = candidate;
    }
  }
  return bestStart;
}

/**
 * About `max` characters of a text around its densest run of matches, cut at word boundaries, with "…"
 * where text was left out. Without matches, the start of the text.
 */
export function snippet(rawText: string, matcher: Matcher, max = 300): Segment[] {
  const read = scanned(rawText);
  const text = read.replace(/\s+/g, ' ').trim();
  if (text.length === 0) return [];
  const ranges = matchRanges(text, matcher);
  /** Whether the text goes on after `end`: in what was read, or beyond it. */
  const goesOn = (end: number) => end < text.length || read.length < rawText.length;
  if (!goesOn(max)) return segmentsOf(text, ranges);

  let start = densestWindow(ranges, max, LEAD);
  if (start > 0) {
    // Begin at a sentence when one starts shortly before the first match, else at the next word.
    const firstMatch = ranges.find(([s]) => s >= start)?.[0] ?? start;
    const sentence = text.lastIndexOf('. ', firstMatch);
    if (sentence >= 0 && sentence + 2 >= firstMatch - LEAD * 2 && sentence + 2 <= firstMatch) start = sentence + 2;
    else {
      const space = text.indexOf(' ', start);
      start = space >= 0 && space < firstMatch ? space + 1 : start;
    }
  }
  let end = Math.min(text.length, start + max);
  if (goesOn(end)) {
    const space = text.lastIndexOf(' ', end);
    if (space > start + max * 0.6) end = space;
    // Never cut through a match: stop before it.
    const cut = ranges.find(([s, e]) => s < end && e > end);
    if (cut && cut[0] > start) end = cut[0];
  }
  let body = text.slice(start, end);
  if (goesOn(end)) body = body.replace(/[\s,.;:!?-]+$/, '');
  const segments = segmentsOf(body, ranges, start);
  if (start > 0) segments.unshift({ text: '…', match: false });
  if (goesOn(end)) segments.push({ text: '…', match: false });
  return joinPlain(segments);
}

/** Neighbouring plain segments become one. */
function joinPlain(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const segment of segments) {
    const last = out.at(-1);
    if (last && !last.match && !segment.match) last.text += segment.text;
    else out.push({ ...segment });
  }
  return out;
}
