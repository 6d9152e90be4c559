/**
 * Training of the static model on the papers it will search: vocabulary and idf, LSA initialisation, then
 * contrastive training (symmetric InfoNCE with in-batch negatives) on (title, abstract) and
 * (one sentence, rest of the abstract) pairs, with lazy Adam on the rows a batch touches.
 */
import { Bag, CorpusBuilder, countFactor, type Corpus, type TrainingDoc, type VocabularyOptions } from './corpus.ts';
import { createKernels, KERNEL_WIDTH, type KernelKind, type Kernels } from './kernels.ts';
import { lsaInit, type LsaResult } from './lsa.ts';
import { StaticModel, type ModelConfig, type Precision, type SubwordTable } from './model.ts';
import { Rng } from './prng.ts';
import { ngramHashes, resolveSubwords, type SubwordOptions } from './subwords.ts';

export interface Progress {
  phase: 'read' | 'vocabulary' | 'lsa' | 'train';
  done: number;
  total: number;
  /** Mean training loss so far in the current epoch (train phase). */
  loss?: number;
  epoch?: number;
  /** Optimiser steps so far and planned (train phase). */
  step?: number;
  steps?: number;
  /** Latest score on the validation pairs (mean reciprocal rank), when one was taken. */
  validation?: number;
}

export interface TrainOptions extends VocabularyOptions {
  /** Vector size, a multiple of 16 (default 256). */
  dimensions?: number;
  /**
   * Nominal passes over the training pairs (default 8); 0 gives the LSA initialisation alone. The optimiser
   * steps they make (epochs × batches per epoch) are then brought within [minSteps, maxSteps]: a small corpus
   * gets more passes, a large one fewer.
   */
  epochs?: number;
  /** Total optimiser steps, overriding the budget from epochs, minSteps and maxSteps. */
  steps?: number;
  /**
   * Fewest optimiser steps (default 0: epochs' worth). Raising it gives a small corpus more passes; on the
   * dev collections (arXiv abstracts) that did not help: validation peaks within 50..100 steps at 5k papers.
   */
  minSteps?: number;
  /** Most optimiser steps (default 4,000): bounds training time on a large corpus. */
  maxSteps?: number;
  /**
   * Papers set aside to check progress on (their title → abstract and sentence → rest pairs, never trained
   * on; default 5% of the papers, at most 1,000); 0 disables the checks and early stopping. Fewer than 20
   * disables them too.
   */
  validationPapers?: number;
  /** Steps between two validation checks (default: one epoch's batches, within 50..200). */
  checkEvery?: number;
  /**
   * Checks without a better validation score after which training stops (default 4; 0: never stops early).
   * Each such check also halves the step size.
   */
  patience?: number;
  /**
   * The model keeps the weights of the latest check whose score is within this of the best (default 0.005;
   * 0 keeps the best check's).
   */
  tolerance?: number;
  /** Seed of every random choice (default 1). */
  seed?: number;
  /** Pairs per batch, which are also each other's negatives (default 512). */
  batchSize?: number;
  /** Softmax temperature of the InfoNCE loss (default 0.05). */
  temperature?: number;
  /** Adam step size for the word vectors (default 0.01 with unit-RMS initial rows). */
  learningRate?: number;
  /**
   * 'learned' (default) trains a multiplier per word on top of idf (log-parametrised, same optimizer);
   * 'idf' keeps idf as the word weights.
   */
  tokenWeights?: 'idf' | 'learned';
  /** Adam step size for the learned word-weight multipliers (default learningRate / 10). */
  tokenWeightLearningRate?: number;
  /** Papers in the LSA's SVD (default 40,000; the fold-in pass reads all). */
  lsaSampleSize?: number;
  /** Subspace iterations of the randomized SVD (default 2). */
  lsaPowerIterations?: number;
  /** Train on (title, abstract) pairs (default true). */
  titlePairs?: boolean;
  /**
   * Hard in-batch negatives (default false: within noise on the dev collections): batches are made of papers close to each other at the start of
   * training (the same side of a few random hyperplanes through their LSA vectors), so that a pair's
   * negatives share its topic instead of being drawn from the whole corpus.
   */
  hardNegatives?: boolean;
  /** Train on (sentence, rest of the abstract) pairs (default true). */
  sentencePairs?: boolean;
  /** How the trained model holds its vectors: int8 with a scale per word (default), or float32. */
  precision?: Precision;
  /**
   * Character n-gram (sub-word) vectors (default off): a word's vector is its own row plus the mean of its
   * n-grams' hashed bucket rows, trained together; words outside the vocabulary then embed from their
   * n-grams. `true` for minN 3, maxN 5, 65,536 buckets, minShare 1.
   */
  subwords?: boolean | Partial<SubwordOptions>;
  /** Adam step size for the sub-word bucket rows (default learningRate). */
  subwordLearningRate?: number;
  /** Numeric kernels: WebAssembly SIMD when available (default), or plain TypeScript. */
  kernels?: 'auto' | KernelKind;
  /**
   * Threads for the WebAssembly kernels (default 1). The model does not depend on it: every number is
   * computed by the same code whichever thread runs it.
   */
  threads?: number;
  onProgress?: (p: Progress) => void;
}

type Resolved = Required<
  Omit<
    TrainOptions,
    | 'onProgress'
    | 'kernels'
    | 'threads'
    | 'precision'
    | 'steps'
    | 'validationPapers'
    | 'checkEvery'
    | 'subwords'
    | keyof VocabularyOptions
  >
> & {
  subwords: SubwordOptions | null;
  steps: number | null;
  validationPapers: number | null;
  checkEvery: number | null;
  threads: number;
  minCount: number;
  maxVocabulary: number;
  kernels: 'auto' | KernelKind;
  precision: Precision;
};

/** Default fewest and most optimiser steps of a training (see TrainOptions). */
export const DEFAULT_MIN_STEPS = 0;
export const DEFAULT_MAX_STEPS = 4_000;
/** Default share of the papers set aside for validation, and its cap. */
const VALIDATION_SHARE = 0.05;
const MAX_VALIDATION_PAPERS = 1_000;
const MIN_VALIDATION_PAPERS = 20;
const VALIDATION_DISTRACTORS = 5_000;

function resolve(options: TrainOptions): Resolved {
  const r: Resolved = {
    dimensions: options.dimensions ?? 256,
    epochs: options.epochs ?? 8,
    steps: options.steps ?? null,
    minSteps: options.minSteps ?? DEFAULT_MIN_STEPS,
    maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    validationPapers: options.validationPapers ?? null,
    checkEvery: options.checkEvery ?? null,
    patience: options.patience ?? 4,
    tolerance: options.tolerance ?? 0.005,
    seed: options.seed ?? 1,
    batchSize: options.batchSize ?? 512,
    temperature: options.temperature ?? 0.05,
    learningRate: options.learningRate ?? 0.01,
    tokenWeights: options.tokenWeights ?? 'learned',
    tokenWeightLearningRate: options.tokenWeightLearningRate ?? (options.learningRate ?? 0.01) / 10,
    lsaSampleSize: options.lsaSampleSize ?? 40_000,
    lsaPowerIterations: options.lsaPowerIterations ?? 2,
    titlePairs: options.titlePairs ?? true,
    sentencePairs: options.sentencePairs ?? true,
    hardNegatives: options.hardNegatives ?? false,
    minCount: options.minCount ?? 3,
    maxVocabulary: options.maxVocabulary ?? 200_000,
    kernels: options.kernels ?? 'auto',
    precision: options.precision ?? 'int8',
    subwords: resolveSubwords(options.subwords),
    subwordLearningRate: options.subwordLearningRate ?? options.learningRate ?? 0.01,
    threads: Math.max(1, Math.floor(options.threads ?? 1)),
  };
  if (!Number.isInteger(r.dimensions) || r.dimensions <= 0 || r.dimensions % KERNEL_WIDTH !== 0) {
    throw new Error(`dimensions must be a positive multiple of ${KERNEL_WIDTH}`);
  }
  if (!Number.isInteger(r.epochs) || r.epochs < 0) throw new Error('epochs must be a non-negative integer');
  for (const [name, value] of [
    ['steps', r.steps ?? 0],
    ['minSteps', r.minSteps],
    ['maxSteps', r.maxSteps],
    ['validationPapers', r.validationPapers ?? 0],
    ['checkEvery', r.checkEvery ?? 1],
    ['patience', r.patience],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  }
  if (r.checkEvery === 0) throw new Error('checkEvery must be at least 1');
  if (!Number.isInteger(r.batchSize) || r.batchSize < 2) throw new Error('batchSize must be an integer ≥ 2');
  if (!(r.temperature >= 0.005)) throw new Error('temperature must be at least 0.005');
  return r;
}

/** Reads and tokenizes papers (an array or an async stream) into a corpus. */
export async function buildCorpus(
  docs: AsyncIterable<TrainingDoc> | Iterable<TrainingDoc>,
  options: VocabularyOptions = {},
  onProgress?: (p: Progress) => void,
): Promise<Corpus> {
  const builder = new CorpusBuilder();
  const total = Array.isArray(docs) ? docs.length : 0;
  for await (const doc of docs) {
    builder.add(doc);
    if (builder.size % 5000 === 0) onProgress?.({ phase: 'read', done: builder.size, total });
  }
  onProgress?.({ phase: 'read', done: builder.size, total: builder.size });
  const corpus = builder.finish(options);
  onProgress?.({ phase: 'vocabulary', done: corpus.vocab.length, total: corpus.vocab.length });
  return corpus;
}

export interface EpochStats {
  epoch: number;
  pairs: number;
  batches: number;
  loss: number;
  seconds: number;
}

/** A validation check: mean reciprocal rank of each pair's document among the validation papers' ones. */
export interface ValidationCheck {
  step: number;
  /** Mean of the two MRRs below (the sentence one alone when no paper has a title): what early stopping maximises. */
  score: number;
  /** NaN when the corpus has no titles. */
  title: number;
  sentence: number;
}

/** What a training did with its step budget. */
export interface TrainingSummary {
  plannedSteps: number;
  steps: number;
  /** The step whose weights the model keeps (the best validation score; the last step without checks). */
  keptStep: number;
  stoppedEarly: boolean;
  validationPapers: number;
  checks: ValidationCheck[];
}

interface PendingValidation {
  papers: number;
  /** Abstracts of other papers every validation query is also ranked against. */
  distractors: number;
  /** 4 × papers bags (titles, abstracts, sentences, rests), then the distractors' abstracts. */
  bags: { ids: Int32Array; counts: Float32Array }[];
  tokens: number;
}

interface ValidationTexts {
  papers: number;
  distractors: number;
  bags: { ids: Int32Array; counts: Float32Array }[];
  /** Heap offsets: token ids and weights of the texts back to back, each text's start and length. */
  ids: number;
  ws: number;
  starts: number;
  lens: number;
  /** 4 × papers + distractors unit vectors, then one papers × max(papers, distractors) block of scores (row stride ldc). */
  out: number;
  scores: number;
  ldc: number;
}

/**
 * Trainer state: word vectors, optimizer moments and batch buffers on one kernel heap. Use
 * `trainStaticModel` unless you want the steps (e.g. to evaluate the LSA initialisation and each epoch).
 */
export class Trainer {
  readonly corpus: Corpus;
  readonly options: Resolved;
  readonly kernels: Kernels;
  readonly epochStats: EpochStats[] = [];
  lsa: LsaResult | null = null;
  private readonly onProgress: ((p: Progress) => void) | undefined;
  private readonly rng: Rng;
  private readonly V: number;
  /** Sub-word buckets (0 without sub-words): rows V .. V + K of the table `E`. */
  private readonly K: number;
  private readonly d: number;
  private readonly B: number;
  private readonly Bp: number;
  // heap pointers
  /** Trained rows: V words, then K buckets. */
  private readonly E: number;
  /**
   * The word vectors texts are summed from: `E` itself without sub-words; with them, `Cw` (V × d), each
   * row composed as E[t] + mean of E[V + bucket] over the word's n-grams (`compose`).
   */
  private readonly W: number;
  /** With sub-words: word t's composition list at entries swStart[t] .. swStart[t + 1] of swIds / swW: [t, V + b...], weights [1, 1/|G_t|...]. */
  private readonly swStart: Int32Array | null = null;
  private readonly swIds: number = 0;
  private readonly swW: number = 0;
  private readonly M1: number;
  private readonly M2: number;
  private readonly Gr: number;
  private readonly ids: number;
  private readonly ws: number;
  private readonly dotsOut: number;
  private readonly U: number;
  private readonly dU: number;
  private readonly S: number;
  private readonly Gm: number;
  private readonly GmT: number;
  private readonly UqT: number;
  private readonly UdT: number;
  private readonly rows: number;
  private readonly tStart: number;
  private readonly tLen: number;
  // learned token weights (log multipliers) and their Adam moments
  private readonly theta: Float64Array;
  private readonly thetaM1: Float64Array;
  private readonly thetaM2: Float64Array;
  private readonly thetaGrad: Float64Array;
  private step = 0;
  private totalSteps = 0;
  private epochsDone = 0;
  /** Papers set aside for validation (never in a training pair), and their texts as bags on the heap. */
  private readonly validation: Uint8Array;
  private readonly val: ValidationTexts | null;
  private readonly checks: ValidationCheck[] = [];
  private bestScore = -Infinity;
  private bestStep = 0;
  private bestE: Float32Array | null = null;
  private bestTheta: Float64Array | null = null;
  private sinceBest = 0;
  private stopped = false;
  private checkEvery = 0;
  /** Batches in one epoch (set by plannedSteps or the first epoch), and the plateau factor of the step size. */
  private epochBatches = 0;
  private plateauScale = 1;
  private readonly seconds: Record<string, number> = {};

  constructor(corpus: Corpus, options: TrainOptions = {}) {
    this.corpus = corpus;
    this.options = resolve(options);
    this.onProgress = options.onProgress;
    this.rng = new Rng(this.options.seed);
    this.V = Math.max(1, corpus.vocab.length);
    const sub = this.options.subwords;
    this.K = sub ? sub.buckets : 0;
    this.d = this.options.dimensions;
    this.B = this.options.batchSize;
    this.Bp = Math.ceil(this.B / KERNEL_WIDTH) * KERNEL_WIDTH;
    let maxPaper = 1;
    for (let p = 0; p < corpus.nDocs; p++) {
      maxPaper = Math.max(maxPaper, corpus.segStart[corpus.docSeg[p + 1]!]! - corpus.segStart[corpus.docSeg[p]!]!);
    }
    const { V, K, d, B, Bp } = this;
    let swIds: Int32Array | null = null;
    if (sub) {
      // Each word's row followed by its n-grams' bucket rows (a repeated bucket repeats: it counts twice).
      const start = new Int32Array(V + 1);
      const list: number[] = [];
      const hashes: number[] = [];
      for (let t = 0; t < corpus.vocab.length; t++) {
        start[t] = list.length;
        list.push(t);
        hashes.length = 0;
        ngramHashes(corpus.vocab[t]!, sub.minN, sub.maxN, hashes);
        for (const h of hashes) list.push(V + (h % K));
      }
      for (let t = corpus.vocab.length; t <= V; t++) start[t] = list.length;
      this.swStart = start;
      swIds = Int32Array.from(list);
    }
    this.validation = new Uint8Array(corpus.nDocs);
    const valTexts = this.pickValidation();
    const nVal = valTexts ? valTexts.papers : 0;
    const nTexts = valTexts ? 4 * nVal + valTexts.distractors : 0;
    const ldcVal = Math.ceil(Math.max(nVal, valTexts?.distractors ?? 0) / KERNEL_WIDTH) * KERNEL_WIDTH;
    const valBytes = valTexts
      ? 2 * valTexts.tokens * 4 + 2 * nTexts * 4 + nTexts * d * 4 + nVal * ldcVal * 4 + 8 * 16
      : 0;
    const table = (V + K) * d * 4;
    const tokenCap = 2 * B * (maxPaper + 1);
    const subBytes = swIds ? V * d * 4 + 2 * swIds.length * 4 + 2 * 16 : 0;
    const bytes =
      4 * table +
      subBytes +
      K * 4 +
      3 * tokenCap * 4 +
      2 * (2 * B * d * 4) +
      3 * (B * Bp * 4) +
      2 * (d * Bp * 4) +
      V * 4 +
      3 * maxPaper * 4 +
      2 * d * 4 +
      64 * 16;
    this.kernels = createKernels(bytes + 2 * 2 * B * 4 + valBytes, this.options.kernels, this.options.threads);
    const k = this.kernels;
    this.E = k.alloc(table);
    this.W = this.E;
    if (swIds) {
      this.W = k.alloc(V * d * 4);
      this.swIds = k.alloc(swIds.length * 4);
      this.swW = k.alloc(swIds.length * 4);
      k.i32.set(swIds, this.swIds >> 2);
      const start = this.swStart!;
      for (let t = 0; t < V; t++) {
        const n = start[t + 1]! - start[t]!;
        for (let e = start[t]!; e < start[t + 1]!; e++) k.f32[(this.swW >> 2) + e] = e === start[t] ? 1 : 1 / (n - 1);
      }
    }
    this.M1 = k.alloc(table);
    this.M2 = k.alloc(table);
    this.Gr = k.alloc(table);
    this.ids = k.alloc(tokenCap * 4);
    this.ws = k.alloc(tokenCap * 4);
    this.dotsOut = k.alloc(tokenCap * 4);
    this.U = k.alloc(2 * B * d * 4);
    this.dU = k.alloc(2 * B * d * 4);
    this.S = k.alloc(B * Bp * 4);
    this.Gm = k.alloc(B * Bp * 4);
    this.GmT = k.alloc(B * Bp * 4);
    this.UqT = k.alloc(d * Bp * 4);
    this.UdT = k.alloc(d * Bp * 4);
    this.rows = k.alloc((V + K) * 4);
    this.tStart = k.alloc(2 * B * 4);
    this.tLen = k.alloc(2 * B * 4);
    this.theta = new Float64Array(V);
    this.thetaM1 = new Float64Array(V);
    this.thetaM2 = new Float64Array(V);
    this.thetaGrad = new Float64Array(V);
    this.val = valTexts ? this.layOutValidation(valTexts) : null;
  }

  /**
   * Sets aside validation papers: evenly spaced in the corpus's canonical (content-hash) order, among those
   * with a sentence pair. Returns their texts (title, abstract, one sentence, the rest); a corpus without
   * titles gives empty title bags, which the checks leave out.
   */
  private pickValidation(): PendingValidation | null {
    const c = this.corpus;
    const eligible: number[] = [];
    for (let p = 0; p < c.nDocs; p++) {
      if (c.holdout[p]) continue;
      if (this.sentenceOf(p) >= 0) eligible.push(p);
    }
    const wanted =
      this.options.validationPapers ??
      Math.min(MAX_VALIDATION_PAPERS, Math.floor(VALIDATION_SHARE * (c.nDocs - c.holdout.reduce((a, b) => a + b, 0))));
    const n = Math.min(wanted, Math.floor(eligible.length / 2));
    if (n < MIN_VALIDATION_PAPERS) return null;
    const papers: number[] = [];
    for (let i = 0; i < n; i++) papers.push(eligible[Math.floor((i * eligible.length) / n)]!);
    const bags: { ids: Int32Array; counts: Float32Array }[] = [];
    const bag = new Bag(this.V);
    const take = () => {
      bags.push({ ids: bag.ids.slice(0, bag.size), counts: bag.counts.slice(0, bag.size) });
      bag.clear();
    };
    let tokens = 0;
    // Four kinds of text, each as a block of n: titles, abstracts, sentences, rests.
    for (let kind = 0; kind < 4; kind++) {
      for (const p of papers) {
        const first = c.docSeg[p]!;
        const absFrom = c.segStart[first + 1]!;
        const absTo = c.segStart[c.docSeg[p + 1]!]!;
        const s = this.sentenceOf(p);
        if (kind === 0) bag.addRange(c.tokens, c.segStart[first]!, absFrom);
        else if (kind === 1) bag.addRange(c.tokens, absFrom, absTo);
        else if (kind === 2) bag.addRange(c.tokens, c.segStart[s]!, c.segStart[s + 1]!);
        else {
          bag.addRange(c.tokens, absFrom, c.segStart[s]!);
          bag.addRange(c.tokens, c.segStart[s + 1]!, absTo);
        }
        tokens += bag.size;
        take();
      }
    }
    for (const p of papers) this.validation[p] = 1;
    // Distractors: abstracts of papers that are not set aside, evenly spaced, so that a check ranks each
    // query among a few thousand documents (among the validation papers alone it would be too easy to tell).
    const others: number[] = [];
    for (let p = 0; p < c.nDocs; p++) if (!this.validation[p]) others.push(p);
    const m = Math.min(VALIDATION_DISTRACTORS, others.length);
    for (let i = 0; i < m; i++) {
      const p = others[Math.floor((i * others.length) / m)]!;
      bag.addRange(c.tokens, c.segStart[c.docSeg[p]! + 1]!, c.segStart[c.docSeg[p + 1]!]!);
      tokens += bag.size;
      take();
    }
    return { papers: n, distractors: m, bags, tokens };
  }

  private titleLength(p: number): number {
    const c = this.corpus;
    const first = c.docSeg[p]!;
    return c.segStart[first + 1]! - c.segStart[first]!;
  }

  /** The validation sentence of a paper: its longest sentence with at least 3 known words and a rest, or -1. */
  private sentenceOf(p: number): number {
    const c = this.corpus;
    const first = c.docSeg[p]!;
    const last = c.docSeg[p + 1]!;
    const abstractLen = c.segStart[last]! - c.segStart[first + 1]!;
    let best = -1;
    let bestLen = 0;
    for (let s = first + 1; s < last; s++) {
      const len = c.segStart[s + 1]! - c.segStart[s]!;
      if (len >= 3 && abstractLen - len > 0 && len > bestLen) {
        best = s;
        bestLen = len;
      }
    }
    return best;
  }

  private layOutValidation(pending: PendingValidation): ValidationTexts {
    const k = this.kernels;
    const n = pending.papers;
    const nP = Math.ceil(Math.max(n, pending.distractors) / KERNEL_WIDTH) * KERNEL_WIDTH;
    const texts = 4 * n + pending.distractors;
    const v: ValidationTexts = {
      papers: n,
      distractors: pending.distractors,
      bags: pending.bags,
      ids: k.alloc(pending.tokens * 4),
      ws: k.alloc(pending.tokens * 4),
      starts: k.alloc(texts * 4),
      lens: k.alloc(texts * 4),
      out: k.alloc(texts * this.d * 4),
      scores: k.alloc(n * nP * 4),
      ldc: nP,
    };
    let at = 0;
    pending.bags.forEach((bag, t) => {
      k.i32[(v.starts >> 2) + t] = at;
      k.i32[(v.lens >> 2) + t] = bag.ids.length;
      k.i32.set(bag.ids, (v.ids >> 2) + at);
      at += bag.ids.length;
    });
    return v;
  }

  /**
   * Scores the current weights on the validation papers: each title against every abstract, each sentence
   * against every rest; the mean reciprocal rank of the right one, averaged over both kinds.
   */
  validate(): ValidationCheck | null {
    const v = this.val;
    if (!v) return null;
    const k = this.kernels;
    const { f32, i32 } = k;
    const d = this.d;
    const n = v.papers;
    const wo = v.ws >> 2;
    let at = 0;
    for (const bag of v.bags) {
      for (let i = 0; i < bag.ids.length; i++)
        f32[wo + at + i] = countFactor(bag.counts[i]!) * this.tokenWeight(bag.ids[i]!);
      at += bag.ids.length;
    }
    const texts = 4 * n + v.distractors;
    this.composeAll();
    k.gatherRows(v.starts, v.lens, texts, v.ids, v.ws, this.W, v.out, d);
    const oo = v.out >> 2;
    for (let t = 0; t < texts; t++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += f32[oo + t * d + c]! * f32[oo + t * d + c]!;
      const inv = 1 / (Math.sqrt(s) || 1);
      for (let c = 0; c < d; c++) f32[oo + t * d + c] = f32[oo + t * d + c]! * inv;
    }
    void i32;
    // Rank of each query's own document among the other validation papers' ones and the distractors.
    const mrr = (queries: number, docs: number) => {
      const so = v.scores >> 2;
      const ranks = new Int32Array(n).fill(1);
      const own = new Float32Array(n);
      k.gemmNT(v.out + queries * n * d * 4, v.out + docs * n * d * 4, v.scores, n, n, d, v.ldc);
      for (let i = 0; i < n; i++) {
        const row = so + i * v.ldc;
        own[i] = f32[row + i]!;
        for (let j = 0; j < n; j++) if (j !== i && f32[row + j]! >= own[i]!) ranks[i]!++;
      }
      if (v.distractors > 0) {
        k.gemmNT(v.out + queries * n * d * 4, v.out + 4 * n * d * 4, v.scores, n, v.distractors, d, v.ldc);
        for (let i = 0; i < n; i++) {
          const row = so + i * v.ldc;
          for (let j = 0; j < v.distractors; j++) if (f32[row + j]! >= own[i]!) ranks[i]!++;
        }
      }
      let sum = 0;
      let count = 0;
      for (let i = 0; i < n; i++) {
        if (v.bags[queries * n + i]!.ids.length === 0) continue;
        count++;
        sum += 1 / ranks[i]!;
      }
      return count > 0 ? sum / count : Number.NaN;
    };
    const title = mrr(0, 1);
    const sentence = mrr(2, 3);
    const score = Number.isNaN(title) ? sentence : (title + sentence) / 2;
    return { step: this.step, score, title, sentence };
  }

  /** Pairs in an epoch, counted without drawing them (the sentence pick does not change the count). */
  private pairsPerEpoch(): number {
    const c = this.corpus;
    let pairs = 0;
    for (let p = 0; p < c.nDocs; p++) {
      if (c.holdout[p] || this.validation[p]) continue;
      const first = c.docSeg[p]!;
      const last = c.docSeg[p + 1]!;
      const abstractLen = c.segStart[last]! - c.segStart[first + 1]!;
      if (this.options.titlePairs && this.titleLength(p) > 0 && abstractLen > 0) pairs++;
      if (this.options.sentencePairs && last - first > 2) {
        for (let s = first + 1; s < last; s++) {
          const len = c.segStart[s + 1]! - c.segStart[s]!;
          if (len >= 3 && abstractLen - len > 0) {
            pairs++;
            break;
          }
        }
      }
    }
    return pairs;
  }

  /** The optimiser steps this training plans: `steps`, or epochs' worth brought within [minSteps, maxSteps]. */
  plannedSteps(): number {
    const o = this.options;
    const pairs = this.pairsPerEpoch();
    const batches = Math.max(1, Math.floor(pairs / this.B) + (pairs % this.B >= 2 ? 1 : 0));
    this.epochBatches = batches;
    if (o.steps !== null) return o.steps;
    if (o.epochs === 0 || pairs < 2) return 0;
    return Math.min(o.maxSteps, Math.max(o.minSteps, o.epochs * batches));
  }

  /**
   * Trains for the planned steps, checking the validation pairs every `checkEvery` steps; stops after
   * `patience` checks without a better score and keeps the weights of the best check.
   */
  train(): TrainingSummary {
    const planned = this.plannedSteps();
    this.totalSteps = Math.max(1, planned);
    // About one check per epoch: small corpora overfit within a few epochs, large ones take many steps per epoch.
    this.checkEvery = this.options.checkEvery ?? Math.min(200, Math.max(50, this.epochBatches));
    if (this.val && planned > 0) this.check();
    while (this.step < planned && !this.stopped) {
      const before = this.step;
      this.trainEpoch(planned);
      if (this.step === before) break; // no pair at all
    }
    if (this.val && this.checks.at(-1)?.step !== this.step && planned > 0) this.check();
    if (this.bestE && this.bestStep !== this.step) {
      this.kernels.f32.set(this.bestE, this.E >> 2);
      this.theta.set(this.bestTheta!);
    }
    this.bestE = null;
    this.bestTheta = null;
    return this.summary(planned);
  }

  private summary(planned: number): TrainingSummary {
    return {
      plannedSteps: planned,
      steps: this.step,
      keptStep: this.val && this.checks.length > 0 ? this.bestStep : this.step,
      stoppedEarly: this.stopped,
      validationPapers: this.val?.papers ?? 0,
      checks: this.checks.map((c) => ({ ...c })),
    };
  }

  /** One validation check; a better score saves the weights. */
  private check(): void {
    const result = this.validate();
    if (!result) return;
    this.checks.push(result);
    this.onProgress?.({
      phase: 'train',
      done: this.step,
      total: this.totalSteps,
      step: this.step,
      steps: this.totalSteps,
      validation: result.score,
    });
    const progress = result.score > this.bestScore;
    if (progress) {
      this.bestScore = result.score;
      this.sinceBest = 0;
    } else {
      this.plateauScale /= 2;
      if (++this.sinceBest >= this.options.patience && this.options.patience > 0) this.stopped = true;
    }
    // The checkpoint kept is the latest within `tolerance` of the best score: differences that small are
    // the noise of a few hundred validation papers, and the more trained weights did better on the dev
    // collections than an earlier, marginally higher check.
    if (result.score >= this.bestScore - this.options.tolerance) {
      this.bestStep = this.step;
      const len = (this.V + this.K) * this.d;
      this.bestE ??= new Float32Array(len);
      this.bestE.set(this.kernels.f32.subarray(this.E >> 2, (this.E >> 2) + len));
      this.bestTheta ??= new Float64Array(this.V);
      this.bestTheta.set(this.theta);
    }
  }

  /** Fills the word vectors from an LSA of the corpus. */
  initLsa(): LsaResult {
    const t = performance.now();
    const o = this.options;
    this.lsa = lsaInit(
      this.corpus,
      this.kernels,
      this.E,
      this.M1,
      {
        dimensions: this.d,
        sampleSize: o.lsaSampleSize,
        powerIterations: o.lsaPowerIterations,
        oversample: 16,
      },
      this.rng,
      (done, total) => this.onProgress?.({ phase: 'lsa', done, total }),
    );
    this.seconds.lsa = (performance.now() - t) / 1000;
    return this.lsa;
  }

  /** With sub-words: word t's composed vector W[t] = E[t] + mean of its buckets' rows, from the rows as they are. */
  private compose(t: number): void {
    const start = this.swStart!;
    const at = start[t]! * 4;
    this.kernels.gather(
      this.swIds + at,
      this.swW + at,
      start[t + 1]! - start[t]!,
      this.E,
      this.W + t * this.d * 4,
      this.d,
    );
  }

  /** Composes every word's vector (no-op without sub-words). */
  private composeAll(): void {
    if (!this.swStart) return;
    for (let t = 0; t < this.corpus.vocab.length; t++) this.compose(t);
  }

  /** Word weights in effect: idf × exp(learned log multiplier). */
  private tokenWeight(id: number): number {
    return this.corpus.idf[id]! * Math.exp(this.theta[id]!);
  }

  /** Builds this epoch's pairs: [paper, sentence segment or -1 for the title] in a shuffled order. */
  private epochPairs(): { paper: Int32Array; sentence: Int32Array } {
    const c = this.corpus;
    const paper: number[] = [];
    const sentence: number[] = [];
    const minSentence = 3;
    for (let p = 0; p < c.nDocs; p++) {
      if (c.holdout[p] || this.validation[p]) continue;
      const first = c.docSeg[p]!;
      const last = c.docSeg[p + 1]!;
      const titleLen = c.segStart[first + 1]! - c.segStart[first]!;
      const abstractLen = c.segStart[last]! - c.segStart[first + 1]!;
      if (this.options.titlePairs && titleLen > 0 && abstractLen > 0) {
        paper.push(p);
        sentence.push(-1);
      }
      if (this.options.sentencePairs && last - first > 2) {
        let candidates = 0;
        for (let s = first + 1; s < last; s++) {
          const len = c.segStart[s + 1]! - c.segStart[s]!;
          if (len >= minSentence && abstractLen - len > 0) candidates++;
        }
        if (candidates > 0) {
          let pick = this.rng.int(candidates);
          for (let s = first + 1; s < last; s++) {
            const len = c.segStart[s + 1]! - c.segStart[s]!;
            if (len >= minSentence && abstractLen - len > 0 && pick-- === 0) {
              paper.push(p);
              sentence.push(s);
              break;
            }
          }
        }
      }
    }
    const order = Int32Array.from({ length: paper.length }, (_, i) => i);
    this.rng.shuffle(order);
    if (this.options.hardNegatives) {
      // Papers of one cluster next to each other (in shuffled order within it), cut into batches, and the
      // batches shuffled: each batch mostly holds one cluster's pairs.
      const cluster = this.clusters();
      const sorted = Int32Array.from(order).sort((a, b) => cluster[paper[a]!]! - cluster[paper[b]!]! || 0);
      const batches = Math.ceil(sorted.length / this.B);
      const batchOrder = Int32Array.from({ length: batches }, (_, i) => i);
      this.rng.shuffle(batchOrder);
      let at = 0;
      for (const b of batchOrder) {
        for (let i = b * this.B; i < Math.min(sorted.length, (b + 1) * this.B); i++) order[at++] = sorted[i]!;
      }
    }
    return { paper: Int32Array.from(order, (i) => paper[i]!), sentence: Int32Array.from(order, (i) => sentence[i]!) };
  }

  private clusterOf: Uint16Array | null = null;

  /**
   * Each paper's cluster for hard negatives, computed once from the word vectors as they are (the LSA start):
   * the signs of its abstract's vector on ~log2(batches per epoch) random directions.
   */
  private clusters(): Uint16Array {
    if (this.clusterOf) return this.clusterOf;
    const c = this.corpus;
    const { d, kernels: k } = this;
    const { f32, i32 } = k;
    const bits = Math.max(1, Math.min(12, Math.round(Math.log2(Math.max(2, this.pairsPerEpoch() / this.B)))));
    const directions = Float64Array.from({ length: bits * d }, () => this.rng.gaussian());
    const out = new Uint16Array(c.nDocs);
    const bag = new Bag(this.V);
    const io = this.ids >> 2;
    const wo = this.ws >> 2;
    const uo = this.U >> 2;
    this.composeAll();
    for (let p = 0; p < c.nDocs; p++) {
      bag.clear();
      bag.addRange(c.tokens, c.segStart[c.docSeg[p]! + 1]!, c.segStart[c.docSeg[p + 1]!]!);
      for (let i = 0; i < bag.size; i++) {
        i32[io + i] = bag.ids[i]!;
        f32[wo + i] = countFactor(bag.counts[i]!) * this.tokenWeight(bag.ids[i]!);
      }
      k.gather(this.ids, this.ws, bag.size, this.W, this.U, d);
      let key = 0;
      for (let b = 0; b < bits; b++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += f32[uo + j]! * directions[b * d + j]!;
        if (dot > 0) key |= 1 << b;
      }
      out[p] = key;
    }
    this.clusterOf = out;
    return out;
  }

  /** Writes a text's bag (ids, weights) at token offset `at` of the batch buffers; returns its length. */
  private writeText(bag: Bag, at: number): number {
    const { i32, f32 } = this.kernels;
    const io = (this.ids >> 2) + at;
    const wo = (this.ws >> 2) + at;
    for (let i = 0; i < bag.size; i++) {
      const id = bag.ids[i]!;
      i32[io + i] = id;
      f32[wo + i] = countFactor(bag.counts[i]!) * this.tokenWeight(id);
    }
    return bag.size;
  }

  private touchedBag: Bag | null = null;
  private batchScratch: {
    bag: Bag;
    norms: Float64Array;
    batchPaper: Int32Array;
    e: Float64Array;
    rowMax: Float64Array;
    rowSum: Float64Array;
    rowScale: Float64Array;
    colSum: Float64Array;
  } | null = null;

  /** The rows a batch touches: its words first, then (with sub-words) their buckets. */
  private touchedRows(): Bag {
    this.touchedBag ??= new Bag(this.V + this.K, 4096);
    return this.touchedBag;
  }

  /**
   * Forward and backward pass of the batch of pairs `from .. from + n` (n ≥ 2): returns the loss and the
   * number of words among the touched rows, and leaves dLoss/dE in `Gr` (on the touched rows) and dLoss/dθ in
   * `thetaGrad` (on the touched words).
   */
  private forwardBackward(
    paper: Int32Array,
    sentence: Int32Array,
    from: number,
    n: number,
  ): { loss: number; words: number } {
    const o = this.options;
    const c = this.corpus;
    const { d, B, Bp, kernels: k } = this;
    const { f32, i32 } = k;
    this.batchScratch ??= {
      bag: new Bag(this.V),
      norms: new Float64Array(2 * B),
      batchPaper: new Int32Array(B),
      e: new Float64Array(B * B),
      rowMax: new Float64Array(B),
      rowSum: new Float64Array(B),
      rowScale: new Float64Array(B),
      colSum: new Float64Array(B),
    };
    const { bag, norms, batchPaper, e, rowMax, rowSum, rowScale, colSum } = this.batchScratch;
    const touched = this.touchedRows();
    const tStart = i32.subarray(this.tStart >> 2, (this.tStart >> 2) + 2 * B);
    const tLen = i32.subarray(this.tLen >> 2, (this.tLen >> 2) + 2 * B);
    const learned = o.tokenWeights === 'learned';
    // --- texts: queries at rows [0, n), documents at rows [B, B + n)
    let at = 0;
    touched.clear();
    for (let i = 0; i < n; i++) {
      const p = paper[from + i]!;
      const s = sentence[from + i]!;
      batchPaper[i] = p;
      const first = c.docSeg[p]!;
      const absFrom = c.segStart[first + 1]!;
      const absTo = c.segStart[c.docSeg[p + 1]!]!;
      bag.clear();
      if (s < 0) bag.addRange(c.tokens, c.segStart[first]!, absFrom);
      else bag.addRange(c.tokens, c.segStart[s]!, c.segStart[s + 1]!);
      tStart[i] = at;
      tLen[i] = this.writeText(bag, at);
      at += tLen[i]!;
      bag.clear();
      if (s < 0) bag.addRange(c.tokens, absFrom, absTo);
      else {
        bag.addRange(c.tokens, absFrom, c.segStart[s]!);
        bag.addRange(c.tokens, c.segStart[s + 1]!, absTo);
      }
      tStart[B + i] = at;
      tLen[B + i] = this.writeText(bag, at);
      at += tLen[B + i]!;
    }
    for (let q = 0; q < at; q++) touched.add(i32[(this.ids >> 2) + q]!);
    // Words of the batch; with sub-words, their vectors composed from the rows as they are now, and their
    // buckets touched too.
    const words = touched.size;
    if (this.swStart) {
      const start = this.swStart;
      for (let q = 0; q < words; q++) {
        const t = touched.ids[q]!;
        this.compose(t);
        for (let e = start[t]! + 1; e < start[t + 1]!; e++) touched.add(i32[(this.swIds >> 2) + e]!);
      }
    }

    // --- forward: normalised weighted means
    k.gatherRows(this.tStart, this.tLen, n, this.ids, this.ws, this.W, this.U, d);
    k.gatherRows(this.tStart + B * 4, this.tLen + B * 4, n, this.ids, this.ws, this.W, this.U + B * d * 4, d);
    for (let side = 0; side < 2; side++) {
      for (let i = 0; i < n; i++) {
        const t = side * B + i;
        const uo = (this.U >> 2) + t * d;
        let s = 0;
        for (let c2 = 0; c2 < d; c2++) s += f32[uo + c2]! * f32[uo + c2]!;
        const norm = Math.sqrt(s) || 1;
        norms[t] = norm;
        for (let c2 = 0; c2 < d; c2++) f32[uo + c2] = f32[uo + c2]! / norm;
      }
    }
    // --- similarities S[i][j] = q_i · d_j
    k.gemmNT(this.U, this.U + B * d * 4, this.S, n, n, d, Bp);
    // --- symmetric InfoNCE over logits S / tau; gradient with respect to S into Gm and its transpose GmT
    const loss = this.infoNce(n, batchPaper, e, rowSum, colSum, rowMax, rowScale);
    // --- dUq = G Ud, dUd = G^T Uq (through transposes so both are A·B^T products)
    const uqt = this.UqT >> 2;
    const udt = this.UdT >> 2;
    f32.fill(0, uqt, uqt + d * Bp);
    f32.fill(0, udt, udt + d * Bp);
    const uo = this.U >> 2;
    for (let i = 0; i < n; i++) {
      for (let c2 = 0; c2 < d; c2++) {
        f32[uqt + c2 * Bp + i] = f32[uo + i * d + c2]!;
        f32[udt + c2 * Bp + i] = f32[uo + (B + i) * d + c2]!;
      }
    }
    k.gemmNT(this.Gm, this.UdT, this.dU, n, d, Bp, d);
    k.gemmNT(this.GmT, this.UqT, this.dU + B * d * 4, n, d, Bp, d);
    // --- through the normalisation, then into the word rows (and the word weights)
    const duo = this.dU >> 2;
    for (let side = 0; side < 2; side++) {
      for (let i = 0; i < n; i++) {
        const t = side * B + i;
        const r = t * d;
        let dot = 0;
        for (let c2 = 0; c2 < d; c2++) dot += f32[duo + r + c2]! * f32[uo + r + c2]!;
        const inv = 1 / norms[t]!;
        for (let c2 = 0; c2 < d; c2++) f32[duo + r + c2] = (f32[duo + r + c2]! - dot * f32[uo + r + c2]!) * inv;
        const idsAt = this.ids + tStart[t]! * 4;
        const wsAt = this.ws + tStart[t]! * 4;
        if (learned) {
          k.dots(idsAt, tLen[t]!, this.W, this.dU + r * 4, d, this.dotsOut);
          const dot0 = this.dotsOut >> 2;
          for (let q = 0; q < tLen[t]!; q++) {
            const id = i32[(idsAt >> 2) + q]!;
            this.thetaGrad[id] = this.thetaGrad[id]! + f32[(wsAt >> 2) + q]! * f32[dot0 + q]!;
          }
        }
        k.scatter(idsAt, wsAt, tLen[t]!, this.Gr, this.dU + r * 4, d);
      }
    }
    // --- with sub-words: a word row's gradient (that of its composed vector) also goes to each of its
    // buckets, times 1/|G_t|
    if (this.swStart) {
      const start = this.swStart;
      for (let q = 0; q < words; q++) {
        const t = touched.ids[q]!;
        const len = start[t + 1]! - start[t]! - 1;
        if (len > 0)
          k.scatter(
            this.swIds + (start[t]! + 1) * 4,
            this.swW + (start[t]! + 1) * 4,
            len,
            this.Gr,
            this.Gr + t * d * 4,
            d,
          );
      }
    }
    return { loss, words };
  }

  /**
   * For tests (gradient checks): the loss of one batch of (paper, sentence segment or -1 for the title)
   * pairs at the current weights, and its gradient with respect to every trained row (V words, then the
   * buckets) and to the word weights' log multipliers. Changes no weight.
   */
  batchGradient(paper: number[], sentence: number[]): { loss: number; rows: Float32Array; theta: Float64Array } {
    if (paper.length < 2 || paper.length > this.B || sentence.length !== paper.length)
      throw new Error('2 to batchSize pairs expected');
    const { loss, words } = this.forwardBackward(Int32Array.from(paper), Int32Array.from(sentence), 0, paper.length);
    const len = (this.V + this.K) * this.d;
    const rows = this.kernels.f32.slice(this.Gr >> 2, (this.Gr >> 2) + len);
    this.kernels.f32.fill(0, this.Gr >> 2, (this.Gr >> 2) + len);
    const theta = Float64Array.from(this.thetaGrad);
    for (let q = 0; q < words; q++) this.thetaGrad[this.touchedRows().ids[q]!] = 0;
    return { loss, rows, theta };
  }

  /** The trained rows (V words, then the sub-word buckets), d floats each: a live view, for tests. */
  get parameters(): Float32Array {
    return this.kernels.f32.subarray(this.E >> 2, (this.E >> 2) + (this.V + this.K) * this.d);
  }

  /** The log multipliers of the word weights: a live view, for tests. */
  get logWeights(): Float64Array {
    return this.theta;
  }

  /** One pass over the training pairs (cut short at step `stopAt`, or by early stopping within `train`). */
  trainEpoch(stopAt = Infinity): EpochStats {
    const t0 = performance.now();
    const o = this.options;
    const { d, B, kernels: k } = this;
    const { i32 } = k;
    const pairs = this.epochPairs();
    const nPairs = pairs.paper.length;
    const batches = Math.ceil(nPairs / B);
    if (this.totalSteps === 0) {
      this.totalSteps = Math.max(1, batches * o.epochs);
      this.epochBatches = batches;
    }
    const learned = o.tokenWeights === 'learned';
    const touched = this.touchedRows();
    let lossSum = 0;
    let lossCount = 0;

    for (let b = 0; b < batches; b++) {
      if (this.step >= stopAt || this.stopped) break;
      const from = b * B;
      const n = Math.min(B, nPairs - from);
      if (n < 2) break; // a pair alone has no negatives
      const { loss, words } = this.forwardBackward(pairs.paper, pairs.sentence, from, n);
      lossSum += loss;
      lossCount++;
      // --- lazy Adam on the touched rows
      this.step++;
      const lr = o.learningRate * this.schedule();
      const beta1 = 0.9;
      const beta2 = 0.999;
      const bc1 = 1 - beta1 ** this.step;
      const bc2 = 1 - beta2 ** this.step;
      const ro = this.rows >> 2;
      for (let q = 0; q < touched.size; q++) i32[ro + q] = touched.ids[q]!;
      // Word rows, then (with sub-words) bucket rows at their own step size.
      const ranges: [number, number, number][] = [[0, words, lr]];
      if (touched.size > words) ranges.push([words, touched.size, o.subwordLearningRate * this.schedule()]);
      for (const [first, end, rate] of ranges) {
        k.adam(
          this.rows + first * 4,
          end - first,
          this.E,
          this.M1,
          this.M2,
          this.Gr,
          d,
          (rate * Math.sqrt(bc2)) / bc1,
          beta1,
          beta2,
          1e-8 * Math.sqrt(bc2),
        );
      }
      if (learned) {
        const lrT = (o.tokenWeightLearningRate * this.schedule() * Math.sqrt(bc2)) / bc1;
        for (let q = 0; q < words; q++) {
          const id = touched.ids[q]!;
          const g = this.thetaGrad[id]!;
          this.thetaGrad[id] = 0;
          const m = beta1 * this.thetaM1[id]! + (1 - beta1) * g;
          const v = beta2 * this.thetaM2[id]! + (1 - beta2) * g * g;
          this.thetaM1[id] = m;
          this.thetaM2[id] = v;
          this.theta[id] = this.theta[id]! - (lrT * m) / (Math.sqrt(v) + 1e-8 * Math.sqrt(bc2));
        }
      }
      if ((b & 15) === 15 || b === batches - 1) {
        this.onProgress?.({
          phase: 'train',
          done: b + 1,
          total: batches,
          loss: lossSum / lossCount,
          epoch: this.epochsDone + 1,
          step: this.step,
          steps: this.totalSteps,
        });
      }
      if (this.val && this.checkEvery > 0 && this.step % this.checkEvery === 0) this.check();
    }
    this.epochsDone++;
    const stats: EpochStats = {
      epoch: this.epochsDone,
      pairs: nPairs,
      batches,
      loss: lossCount > 0 ? lossSum / lossCount : Number.NaN,
      seconds: (performance.now() - t0) / 1000,
    };
    this.epochStats.push(stats);
    return stats;
  }

  /**
   * Symmetric InfoNCE on the n×n similarities in S (logits S / τ, other pairs of the same paper masked):
   * returns the loss and writes dLoss/dS to Gm and its transpose to GmT. One exp per entry: with
   * e = exp(z − rowMax_i), the column softmax is e·exp(rowMax_i − g) / Σ_i e·exp(rowMax_i − g) for the
   * global max g (no overflow for τ ≥ 0.005, as |z| ≤ 1/τ).
   */
  private infoNce(
    n: number,
    paper: Int32Array,
    e: Float64Array,
    rowSum: Float64Array,
    colSum: Float64Array,
    rowMax: Float64Array,
    rowScale: Float64Array,
  ): number {
    const { f32 } = this.kernels;
    const Bp = this.Bp;
    const invTau = 1 / this.options.temperature;
    const so = this.S >> 2;
    // logits and masks
    let g = -Infinity;
    for (let i = 0; i < n; i++) {
      let m = -Infinity;
      const si = so + i * Bp;
      const ei = i * n;
      for (let j = 0; j < n; j++) {
        const v = f32[si + j]! * invTau;
        e[ei + j] = v;
        if (v > m) m = v;
      }
      rowMax[i] = m;
      if (m > g) g = m;
    }
    const first = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const other = first.get(paper[i]!);
      if (other === undefined) first.set(paper[i]!, i);
      else {
        e[i * n + other] = -Infinity;
        e[other * n + i] = -Infinity;
      }
    }
    // exponentials, row sums, column sums
    colSum.fill(0, 0, n);
    for (let i = 0; i < n; i++) {
      const m = rowMax[i]!;
      const scale = Math.exp(m - g);
      rowScale[i] = scale;
      const ei = i * n;
      let rs = 0;
      for (let j = 0; j < n; j++) {
        const x = Math.exp(e[ei + j]! - m);
        e[ei + j] = x;
        rs += x;
        colSum[j] = colSum[j]! + x * scale;
      }
      rowSum[i] = rs;
    }
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const eii = e[i * n + i]!;
      loss -= Math.log(eii / rowSum[i]!) + Math.log((eii * rowScale[i]!) / colSum[i]!);
    }
    // gradient: (softmax_row + softmax_col − 2·I) / (2 n τ)
    const scale = invTau / (2 * n);
    const gmo = this.Gm >> 2;
    const gto = this.GmT >> 2;
    for (let j = 0; j < n; j++) colSum[j] = scale / colSum[j]!;
    for (let i = 0; i < n; i++) {
      const a = scale / rowSum[i]!;
      const b = rowScale[i]!;
      const ei = i * n;
      const gi = gmo + i * Bp;
      for (let j = 0; j < n; j++) {
        const x = e[ei + j]!;
        const v = x * (a + b * colSum[j]!) - (i === j ? 2 * scale : 0);
        f32[gi + j] = v;
        f32[gto + j * Bp + i] = v;
      }
      f32.fill(0, gi + n, gi + Bp);
      f32.fill(0, gto + i * Bp + n, gto + i * Bp + Bp);
    }
    return loss / (2 * n);
  }

  /**
   * Learning-rate multiplier: linear warm-up over 5% of the planned steps (at most one epoch), then linear
   * decay to 10% at the last planned step; halved at every validation check that brings no better score.
   */
  private schedule(): number {
    const warm = Math.max(1, Math.round(Math.min(0.05 * this.totalSteps, this.epochBatches || Infinity)));
    if (this.step <= warm) return this.step / warm;
    const progress = Math.min(1, (this.step - warm) / Math.max(1, this.totalSteps - warm));
    return (1 - 0.9 * progress) * this.plateauScale;
  }

  /** Stops the kernels' helper threads, if any (snapshot still works after). */
  close(): void {
    this.kernels.close();
  }

  /** The model as it is now (a copy: training can go on). */
  snapshot(stats: Record<string, unknown> = {}): StaticModel {
    const d = this.d;
    const vocab = this.corpus.vocab;
    const weights = new Float32Array(vocab.length);
    for (let t = 0; t < vocab.length; t++) weights[t] = this.tokenWeight(t);
    this.composeAll();
    const vectors = this.kernels.f32.slice(this.W >> 2, (this.W >> 2) + vocab.length * d);
    const o = this.options;
    let subwords: SubwordTable | null = null;
    if (o.subwords) {
      const from = (this.E >> 2) + this.V * d;
      subwords = {
        ...o.subwords,
        oovWeight: this.unknownWordWeight(weights),
        vectors: this.kernels.f32.slice(from, from + this.K * d),
      };
    }
    const config: ModelConfig = {
      dimensions: d,
      epochs: this.epochsDone,
      steps: this.step,
      keptStep: this.val && this.checks.length > 0 ? this.bestStep : this.step,
      minSteps: o.minSteps,
      maxSteps: o.maxSteps,
      validationPapers: this.val?.papers ?? 0,
      patience: o.patience,
      batchSize: o.batchSize,
      temperature: o.temperature,
      learningRate: o.learningRate,
      minCount: o.minCount,
      maxVocabulary: o.maxVocabulary,
      lsaSampleSize: o.lsaSampleSize,
      lsaPowerIterations: o.lsaPowerIterations,
      tokenWeights: o.tokenWeights,
      tokenWeightLearningRate: o.tokenWeightLearningRate,
      titlePairs: o.titlePairs,
      sentencePairs: o.sentencePairs,
      hardNegatives: o.hardNegatives,
      kernels: this.kernels.kind,
      ...(o.subwords ? { subwords: { ...o.subwords }, subwordLearningRate: o.subwordLearningRate } : {}),
    };
    return new StaticModel(
      vocab,
      weights,
      vectors,
      d,
      {
        seed: o.seed,
        config,
        corpus: {
          documents: this.corpus.nDocs,
          heldOut: this.corpus.holdout.reduce((a, b) => a + b, 0),
          fingerprint: this.corpus.fingerprint,
        },
        stats: {
          seconds: { ...this.seconds },
          lsa: this.lsa
            ? { sampleSize: this.lsa.sampleSize, sampledTerms: this.lsa.sampledTerms, seconds: this.lsa.seconds }
            : null,
          epochs: this.epochStats.map((e) => ({ ...e })),
          validation: this.checks.map((c) => ({ ...c })),
          ...stats,
        },
      },
      o.precision,
      subwords,
    );
  }

  /**
   * The weight of a word outside the vocabulary: the median weight of the rarest words in it (the least
   * document frequency), whose idf is closest to that of words seen in fewer papers than minCount.
   */
  private unknownWordWeight(weights: Float32Array): number {
    const df = this.corpus.df;
    if (df.length === 0) return 1;
    let least = Infinity;
    for (let t = 0; t < df.length; t++) least = Math.min(least, df[t]!);
    const rare: number[] = [];
    for (let t = 0; t < df.length; t++) if (df[t] === least) rare.push(weights[t]!);
    rare.sort((a, b) => a - b);
    return rare[rare.length >> 1]!;
  }
}

/**
 * Trains a static model on papers: vocabulary, LSA initialisation, `epochs` of contrastive training.
 * Deterministic for a given seed, corpus (in any order) and kernel kind.
 */
export async function trainStaticModel(
  docs: AsyncIterable<TrainingDoc> | Iterable<TrainingDoc>,
  options: TrainOptions = {},
): Promise<StaticModel> {
  const t0 = performance.now();
  const corpus = await buildCorpus(docs, options, options.onProgress);
  const t1 = performance.now();
  const trainer = new Trainer(corpus, options);
  let t2: number;
  let t3: number;
  let summary: TrainingSummary;
  try {
    trainer.initLsa();
    t2 = performance.now();
    summary = trainer.train();
    t3 = performance.now();
  } finally {
    trainer.close();
  }
  return trainer.snapshot({
    phases: { corpus: (t1 - t0) / 1000, lsa: (t2 - t1) / 1000, train: (t3 - t2) / 1000, total: (t3 - t0) / 1000 },
    vocabularySize: corpus.vocab.length,
    training: { ...summary, checks: undefined },
  });
}
