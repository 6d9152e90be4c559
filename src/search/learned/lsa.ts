/**
 * LSA initialisation: a truncated SVD of the tf-idf (sublinear tf, unit-length papers) term×paper matrix
 * of a sample of papers, by randomized subspace iteration (Halko, Martinsson & Tropp 2011) on the paper
 * side, then one more pass over every paper that folds all words of the vocabulary into the same space.
 */
import { Bag, countFactor, type Corpus } from './corpus.ts';
import { createKernels, KERNEL_WIDTH, type Kernels } from './kernels.ts';
import { symmetricEigen } from './linalg.ts';
import type { Rng } from './prng.ts';

export interface LsaOptions {
  /** Components wanted (the model's dimensions). */
  dimensions: number;
  /** Papers in the SVD sample (the fold-in pass reads all of them). */
  sampleSize: number;
  /** Subspace iterations after the first range finding (2 is plenty for an initialisation). */
  powerIterations: number;
  /** Extra columns of the random range finder. */
  oversample: number;
}

export interface LsaResult {
  /** Singular values of the sampled matrix, largest first (fewer than `dimensions` if the sample's rank is lower). */
  singularValues: Float64Array;
  sampleSize: number;
  sampledTerms: number;
  seconds: { sample: number; iterations: number; fold: number };
}

/** Unit-length tf-idf weights of paper p (all its segments) into bag (ids) and `out` (weights). */
export function paperTfidf(corpus: Corpus, p: number, bag: Bag, out: Float64Array): number {
  bag.clear();
  bag.addRange(corpus.tokens, corpus.segStart[corpus.docSeg[p]!]!, corpus.segStart[corpus.docSeg[p + 1]!]!);
  let norm = 0;
  for (let i = 0; i < bag.size; i++) {
    const w = countFactor(bag.counts[i]!) * corpus.idf[bag.ids[i]!]!;
    out[i] = w;
    norm += w * w;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < bag.size; i++) out[i] = out[i]! / norm;
  return bag.size;
}

function maxPaperTokens(corpus: Corpus): number {
  let max = 1;
  for (let p = 0; p < corpus.nDocs; p++) {
    max = Math.max(max, corpus.segStart[corpus.docSeg[p + 1]!]! - corpus.segStart[corpus.docSeg[p]!]!);
  }
  return max;
}

/**
 * Writes LSA word vectors into `table` (vocabulary×dimensions float32 rows at byte offset `table` of the
 * kernel heap), using `scratch` (same size, left zeroed) and a small buffer area of the heap. Rows are
 * the left singular vectors (unscaled: a paper's weighted mean is its LSA projection), rescaled so that
 * the root-mean-square row norm is 1; dimensions beyond the sample's rank and empty rows get small noise.
 */
export function lsaInit(
  corpus: Corpus,
  kernels: Kernels,
  table: number,
  scratch: number,
  options: LsaOptions,
  rng: Rng,
  onProgress?: (done: number, total: number) => void,
): LsaResult {
  const d = options.dimensions;
  const V = corpus.vocab.length;
  const t0 = performance.now();

  // The sample, in canonical order (papers are already shuffled by content hash), holdout papers included.
  const n = Math.min(corpus.nDocs, Math.max(1, options.sampleSize));
  const papers = new Int32Array(n);
  if (n === corpus.nDocs) for (let i = 0; i < n; i++) papers[i] = i;
  else {
    const all = Int32Array.from({ length: corpus.nDocs }, (_, i) => i);
    rng.shuffle(all);
    papers.set(all.subarray(0, n));
    papers.sort();
  }
  // The sampled tf-idf matrix A (terms × papers) by paper, on a heap of its own (freed after).
  const bag = new Bag(V);
  const cap = maxPaperTokens(corpus);
  const w = new Float64Array(cap);
  const local = new Int32Array(V).fill(-1);
  const terms: number[] = [];
  const ptr = new Uint32Array(n + 1);
  for (let j = 0; j < n; j++) {
    bag.clear();
    const p = papers[j]!;
    bag.addRange(corpus.tokens, corpus.segStart[corpus.docSeg[p]!]!, corpus.segStart[corpus.docSeg[p + 1]!]!);
    ptr[j + 1] = ptr[j]! + bag.size;
    for (let i = 0; i < bag.size; i++) if (local[bag.ids[i]!]! < 0) local[bag.ids[i]!] = terms.push(bag.ids[i]!) - 1;
  }
  const m = terms.length;
  if (m === 0 || corpus.nDocs === 0) {
    // Nothing to decompose: small noise, training (if any) starts from there.
    for (let i = 0; i < V * d; i++) kernels.f32[(table >> 2) + i] = rng.gaussian() / Math.sqrt(d);
    const none = (performance.now() - t0) / 1000;
    return {
      singularValues: new Float64Array(0),
      sampleSize: n,
      sampledTerms: 0,
      seconds: { sample: none, iterations: 0, fold: 0 },
    };
  }
  const nnz = ptr[n]!;
  const W = KERNEL_WIDTH;
  const l = Math.max(W, Math.ceil(Math.min(d + options.oversample, n, m) / W) * W);
  const np = Math.ceil(n / W) * W;
  const mp = Math.ceil(m / W) * W;
  const h = createKernels(
    8 * nnz + 4 * (3 * n * l + 2 * mp * l + np * l + 2 * l * l + n * d + m * d + d * l) + 1024,
    kernels.kind,
    kernels.threads,
  );
  const rowsA = h.alloc(4 * nnz);
  const valsA = h.alloc(4 * nnz);
  for (let j = 0; j < n; j++) {
    const len = paperTfidf(corpus, papers[j]!, bag, w);
    for (let i = 0; i < len; i++) {
      h.i32[(rowsA >> 2) + ptr[j]! + i] = local[bag.ids[i]!]!;
      h.f32[(valsA >> 2) + ptr[j]! + i] = w[i]!;
    }
  }
  const Q = h.alloc(4 * n * l);
  const Y = h.alloc(4 * n * l);
  const Z = h.alloc(4 * m * l);
  const T = h.alloc(4 * Math.max(np, mp) * l); // a transpose (l × papers or l × terms), zero-padded
  const G = h.alloc(4 * l * l);
  const TT = h.alloc(4 * l * l);
  const t1 = performance.now();

  /** out (terms × cols) = A · X (papers × cols) */
  const times = (x: number, out: number, cols: number) => {
    h.f32.fill(0, out >> 2, (out >> 2) + m * cols);
    for (let j = 0; j < n; j++)
      h.scatter(rowsA + 4 * ptr[j]!, valsA + 4 * ptr[j]!, ptr[j + 1]! - ptr[j]!, out, x + 4 * j * cols, cols);
  };
  /** out (papers × cols) = A^T · X (terms × cols) */
  const transposeTimes = (x: number, out: number, cols: number) => {
    for (let j = 0; j < n; j++)
      h.gather(rowsA + 4 * ptr[j]!, valsA + 4 * ptr[j]!, ptr[j + 1]! - ptr[j]!, x, out + 4 * j * cols, cols);
  };
  /** Eigen-decomposition of X^T X for X (rows × l). */
  const gramEigen = (x: number, rows: number) => {
    const rowsPadded = Math.ceil(rows / W) * W;
    const f = h.f32;
    f.fill(0, T >> 2, (T >> 2) + l * rowsPadded);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < l; c++) f[(T >> 2) + c * rowsPadded + r] = f[(x >> 2) + r * l + c]!;
    h.gemmNT(T, T, G, l, l, rowsPadded, l);
    return symmetricEigen(Float64Array.from(f.subarray(G >> 2, (G >> 2) + l * l)), l);
  };

  for (let i = 0; i < n * l; i++) h.f32[(Q >> 2) + i] = rng.gaussian();
  const total = options.powerIterations + 1;
  for (let it = 0; it < total; it++) {
    // Q = orth(A^T A Q): Y = A^T A Q, Y^T Y = W Λ W^T, Q = Y W Λ^-1/2 (near-null directions dropped)
    times(Q, Z, l);
    transposeTimes(Z, Y, l);
    const { values, vectors } = gramEigen(Y, n);
    const top = Math.max(values[0] ?? 0, 0);
    h.f32.fill(0, TT >> 2, (TT >> 2) + l * l);
    for (let c = 0; c < l; c++) {
      if (!(values[c]! > 1e-7 * top)) continue;
      const inv = 1 / Math.sqrt(values[c]!);
      for (let r = 0; r < l; r++) h.f32[(TT >> 2) + c * l + r] = vectors[r * l + c]! * inv;
    }
    h.gemmNT(Y, TT, Q, n, l, l, l);
    onProgress?.(it + 1, total + 1);
  }
  // A ≈ A Q Q^T. With Z = A Q and Z^T Z = W Σ² W^T: right singular vectors Q W, singular values Σ.
  times(Q, Z, l);
  const { values, vectors } = gramEigen(Z, m);
  const top = Math.max(values[0] ?? 0, 0);
  let k = 0;
  while (k < Math.min(d, l) && values[k]! > 1e-7 * top) k++;
  const singular = new Float64Array(k);
  const Wk = h.alloc(4 * d * l); // d × l: row c is eigenvector c (zero beyond k)
  for (let c = 0; c < k; c++) {
    singular[c] = Math.sqrt(values[c]!);
    for (let r = 0; r < l; r++) h.f32[(Wk >> 2) + c * l + r] = vectors[r * l + c]!;
  }
  const Vk = h.alloc(4 * n * d);
  h.gemmNT(Q, Wk, Vk, n, d, l, d);
  const US = h.alloc(4 * m * d);
  times(Vk, US, d);
  onProgress?.(total + 1, total + 1);

  // Fold every paper in: U_all ∝ A_all A_all^T U Σ^-2, one more power step over all papers and all words.
  const { f32 } = kernels;
  f32.fill(0, scratch >> 2, (scratch >> 2) + V * d);
  f32.fill(0, table >> 2, (table >> 2) + V * d);
  for (let r = 0; r < m; r++) {
    const o = (scratch >> 2) + terms[r]! * d;
    for (let c = 0; c < k; c++) f32[o + c] = h.f32[(US >> 2) + r * d + c]! / singular[c]!;
  }
  h.close();
  const t2 = performance.now();
  const idsPtr = kernels.alloc(cap * 4);
  const wPtr = kernels.alloc(cap * 4);
  const coords = kernels.alloc(d * 4);

  for (let p = 0; p < corpus.nDocs; p++) {
    const len = paperTfidf(corpus, p, bag, w);
    if (len === 0) continue;
    for (let i = 0; i < len; i++) {
      kernels.i32[(idsPtr >> 2) + i] = bag.ids[i]!;
      f32[(wPtr >> 2) + i] = w[i]!;
    }
    kernels.gather(idsPtr, wPtr, len, scratch, coords, d);
    kernels.scatter(idsPtr, wPtr, len, table, coords, d);
  }
  f32.fill(0, scratch >> 2, (scratch >> 2) + V * d);

  // Columns to the scale of U (Σ^-2), then rows to unit RMS norm; noise where there is no signal.
  const colScale = new Float64Array(d);
  for (let c = 0; c < k; c++) colScale[c] = 1 / (singular[c]! * singular[c]!);
  let sumSq = 0;
  let nonEmpty = 0;
  for (let t = 0; t < V; t++) {
    const o = (table >> 2) + t * d;
    let s = 0;
    for (let c = 0; c < d; c++) {
      const v = f32[o + c]! * colScale[c]!;
      f32[o + c] = v;
      s += v * v;
    }
    if (s > 0) {
      sumSq += s;
      nonEmpty++;
    }
  }
  const rms = nonEmpty > 0 ? Math.sqrt(sumSq / nonEmpty) : 1;
  const noise = 0.01 / Math.sqrt(d);
  for (let t = 0; t < V; t++) {
    const o = (table >> 2) + t * d;
    for (let c = 0; c < d; c++)
      f32[o + c] = f32[o + c]! / rms + (c >= k || f32[o + c] === 0 ? noise * rng.gaussian() : 0);
  }
  const t3 = performance.now();
  return {
    singularValues: singular,
    sampleSize: n,
    sampledTerms: m,
    seconds: { sample: (t1 - t0) / 1000, iterations: (t2 - t1) / 1000, fold: (t3 - t2) / 1000 },
  };
}
