/**
 * The words of the indexed papers as written (folded: lowercased, without accents), before stemming: what a
 * prefix query (`optimiz*`, `generat*`) is matched against. The index's terms are stems ("optimization" and
 * "optimize" are both "optim"), so a prefix longer than the stem matches no term; the words it matches here
 * name, through their stems, the terms to search.
 *
 * Held as one UTF-8 buffer of the distinct words in sorted order (JavaScript string order) and their offsets:
 * about 12 bytes a word, ~60 bytes a paper at 133k papers.
 */

export interface SurfaceWordParts {
  /** Every word's UTF-8 bytes, sorted, back to back; word w is surfaceWords[surfaceStarts[w], surfaceStarts[w + 1]). */
  surfaceWords: Uint8Array;
  surfaceStarts: Uint32Array;
}

export class SurfaceWords {
  readonly #bytes: Buffer;
  readonly #starts: Uint32Array;

  private constructor(parts: SurfaceWordParts) {
    this.#bytes = Buffer.from(parts.surfaceWords.buffer, parts.surfaceWords.byteOffset, parts.surfaceWords.byteLength);
    this.#starts = parts.surfaceStarts;
  }

  static readonly empty = SurfaceWords.of([]);

  /** The distinct words of `words`, in any order, duplicates allowed. */
  static of(words: Iterable<string>): SurfaceWords {
    return SurfaceWords.#sorted([...new Set(words)].sort());
  }

  /** Words read back from a saved index; throws when the arrays do not describe a word list. */
  static fromParts(parts: SurfaceWordParts): SurfaceWords {
    const starts = parts.surfaceStarts;
    if (starts.length === 0 || starts[0] !== 0 || starts[starts.length - 1] !== parts.surfaceWords.length)
      throw new RangeError('surface word offsets do not cover the word bytes');
    return new SurfaceWords(parts);
  }

  static #sorted(words: readonly string[]): SurfaceWords {
    // One buffer written word by word: no array per word (a few hundred thousand of them at 133k papers).
    const starts = new Uint32Array(words.length + 1);
    words.forEach((word, i) => {
      starts[i + 1] = starts[i]! + Buffer.byteLength(word);
    });
    const bytes = Buffer.allocUnsafe(starts[words.length]!);
    words.forEach((word, i) => {
      bytes.write(word, starts[i]!);
    });
    return new SurfaceWords({ surfaceWords: bytes, surfaceStarts: starts });
  }

  parts(): SurfaceWordParts {
    return { surfaceWords: this.#bytes, surfaceStarts: this.#starts };
  }

  get size(): number {
    return this.#starts.length - 1;
  }

  get memoryBytes(): number {
    return this.#bytes.byteLength + this.#starts.byteLength;
  }

  #word(w: number): string {
    return this.#bytes.toString('utf8', this.#starts[w], this.#starts[w + 1]);
  }

  /** The position of the first word not below `word`. */
  #lowerBound(word: string): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#word(mid) < word) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(word: string): boolean {
    const at = this.#lowerBound(word);
    return at < this.size && this.#word(at) === word;
  }

  /** Up to `limit` words starting with `prefix`, in sorted order. */
  startingWith(prefix: string, limit: number): string[] {
    const found: string[] = [];
    for (let w = this.#lowerBound(prefix); w < this.size && found.length < limit; w++) {
      const word = this.#word(w);
      if (!word.startsWith(prefix)) break;
      found.push(word);
    }
    return found;
  }

  /** These words and `more` (a merge of two sorted lists; this one is left as it is). */
  with(more: Iterable<string>): SurfaceWords {
    const added = [...new Set(more)].filter((w) => !this.has(w)).sort();
    if (added.length === 0) return this;
    const merged: string[] = [];
    let a = 0;
    for (let w = 0; w < this.size; w++) {
      const word = this.#word(w);
      while (a < added.length && added[a]! < word) merged.push(added[a++]!);
      merged.push(word);
    }
    while (a < added.length) merged.push(added[a++]!);
    return SurfaceWords.#sorted(merged);
  }
}
