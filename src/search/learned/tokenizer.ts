/**
 * The tokenizer of the learned static model. It is part of the model: a model file records
 * TOKENIZER_VERSION, and changing anything here that changes tokens must bump it.
 *
 * Lowercased, accents folded (NFKD, marks removed), Unicode letters and digits. A token may join
 * letter/digit runs with "-", "_" or an apostrophe ("gpt-4", "state-of-the-art", "p_t") and digits with
 * "." or "," ("3.5", "1,000"). A small English stop list is dropped. Compound tokens also yield their parts
 * (`parts`), which the model uses when the whole compound is not in its vocabulary.
 */

export const TOKENIZER_VERSION = 1;

/** Longer tokens are split into their parts, or dropped if they have none (hashes, base64, DNA strings). */
export const MAX_TOKEN_LENGTH = 40;

const TOKEN = /[\p{L}\p{N}]+(?:(?:[-_'’]|(?<=\p{N})[.,](?=\p{N}))[\p{L}\p{N}]+)*/gu;
const JOINER = /[-_'’.,]/;
const PART = /[\p{L}\p{N}]+/gu;
const ASCII = /^[\x00-\x7f]*$/;
const MARKS = /\p{M}+/gu;

/** Function words that carry no topic. Kept small: idf weighting handles the rest. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all am an and any are as at be
because been before being below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than that the their
theirs them themselves then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves also may might must shall thus hence via
whether whose upon yet either neither each per within without among onto`
    .split(/\s+/)
    .filter(Boolean),
);

/** Lowercase with accents removed; ASCII text takes a fast path. */
export function foldText(text: string): string {
  return ASCII.test(text) ? text.toLowerCase() : text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/** Whether a token is a compound whose parts are worth looking up on their own. */
export function isCompound(token: string): boolean {
  return JOINER.test(token);
}

/** The letter/digit runs of a compound token, stop words and over-long runs dropped. */
export function parts(token: string): string[] {
  const out: string[] = [];
  for (const m of token.matchAll(PART)) {
    const p = m[0];
    if (p.length <= MAX_TOKEN_LENGTH && !STOP_WORDS.has(p)) out.push(p);
  }
  return out;
}

/**
 * Appends the tokens of `text` to `out` (stop words dropped) and returns it. Over-long compounds are
 * replaced by their parts; over-long plain runs are dropped.
 */
export function tokenize(text: string, out: string[] = []): string[] {
  const matches = foldText(text).match(TOKEN);
  if (matches === null) return out;
  for (const t of matches) {
    if (t.length > MAX_TOKEN_LENGTH) {
      if (isCompound(t)) out.push(...parts(t));
      continue;
    }
    if (!STOP_WORDS.has(t)) out.push(t);
  }
  return out;
}

// A sentence ends at . ! or ? followed by space and something that does not start with a lowercase letter.
const SENTENCE_BREAK = /(?<=[.!?])\s+(?=[^\p{Ll}])/u;

/** Splits an abstract into sentences (a heuristic good enough for training pairs). */
export function splitSentences(text: string): string[] {
  return text
    .split(SENTENCE_BREAK)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
