/**
 * Character n-grams of words, hashed into buckets (fastText-style sub-word vectors). A word is wrapped as
 * "<word>" and cut into every substring of minN..maxN characters (UTF-16 code units); each n-gram's
 * 32-bit FNV-1a hash picks one of `buckets` rows. With sub-words on, a known word's vector is its own row
 * plus the mean of its n-grams' bucket rows, and a word outside the vocabulary embeds from the buckets of
 * those of its n-grams that some vocabulary word also has (see model.ts).
 */

export interface SubwordOptions {
  /** Shortest n-gram, in characters of "<word>" (default 3). */
  minN: number;
  /** Longest n-gram (default 5). */
  maxN: number;
  /** Hash buckets, i.e. bucket rows (default 65,536). */
  buckets: number;
  /**
   * A word outside the vocabulary embeds from its n-grams only if at least this share of them are n-grams of
   * vocabulary words (default 1: all of them; above 1, never). Lower values let more strings through,
   * nonsense included (see README.md).
   */
  minShare: number;
}

export const DEFAULT_SUBWORDS: SubwordOptions = { minN: 3, maxN: 5, buckets: 65_536, minShare: 1 };

/** Checks and completes sub-word options (`true` for the defaults). */
export function resolveSubwords(value: boolean | Partial<SubwordOptions> | null | undefined): SubwordOptions | null {
  if (value === undefined || value === null || value === false) return null;
  const s = { ...DEFAULT_SUBWORDS, ...(value === true ? {} : value) };
  if (!Number.isInteger(s.minN) || s.minN < 1) throw new Error('subwords.minN must be an integer ≥ 1');
  if (!Number.isInteger(s.maxN) || s.maxN < s.minN) throw new Error('subwords.maxN must be an integer ≥ minN');
  if (!Number.isInteger(s.buckets) || s.buckets < 1 || s.buckets > 1 << 24)
    throw new Error('subwords.buckets must be an integer within 1..16,777,216');
  if (!(s.minShare >= 0)) throw new Error('subwords.minShare must be a number ≥ 0');
  return s;
}

/**
 * Appends the 32-bit FNV-1a hashes of the n-grams of "<word>" with minN ≤ n ≤ maxN to `out` (in order of
 * start, then length; repeated n-grams repeat) and returns it.
 */
export function ngramHashes(word: string, minN: number, maxN: number, out: number[] = []): number[] {
  const w = `<${word}>`;
  const L = w.length;
  for (let i = 0; i < L; i++) {
    let h = 0x811c9dc5;
    for (let j = i; j < L && j - i < maxN; j++) {
      h = Math.imul(h ^ w.charCodeAt(j), 0x01000193) >>> 0;
      if (j - i + 1 >= minN) out.push(h);
    }
  }
  return out;
}

/** The sorted distinct n-gram hashes of a vocabulary: the n-grams a word outside it may borrow. */
export function knownNgrams(vocab: readonly string[], minN: number, maxN: number): Uint32Array {
  const all: number[] = [];
  for (const word of vocab) ngramHashes(word, minN, maxN, all);
  const sorted = Uint32Array.from(all).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return sorted.slice(0, n);
}

/** Whether `hash` is in the sorted array `known`. */
export function hasNgram(known: Uint32Array, hash: number): boolean {
  let lo = 0;
  let hi = known.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = known[mid]!;
    if (v === hash) return true;
    if (v < hash) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
