/**
 * Paperboy's own embedding model, learned from the papers it searches (no download): static word vectors
 * initialised by LSA and trained contrastively on (title, abstract) and (sentence, rest of abstract) pairs,
 * for a budget of optimiser steps with early stopping on held-out papers; its vectors are held as int8.
 *
 *   const model = await trainStaticModel(papers, { epochs: 8, onProgress });
 *   await model.save('data/model.pbs');
 *   const embedder = new StaticEmbedder(await StaticModel.load('data/model.pbs'));
 */
export { StaticEmbedder } from './static-embedder.ts';
export {
  StaticModel,
  MODEL_FORMAT,
  MODEL_VERSION,
  SUBWORD_VERSION,
  quantizeInt8,
  type ModelConfig,
  type ModelMeta,
  type Precision,
  type Int8Vectors,
  type SubwordTable,
} from './model.ts';
export { DEFAULT_SUBWORDS, type SubwordOptions } from './subwords.ts';
export {
  trainStaticModel,
  buildCorpus,
  Trainer,
  type TrainOptions,
  type Progress,
  type EpochStats,
  type TrainingSummary,
  type ValidationCheck,
} from './train.ts';
export type { TrainingDoc, Corpus, VocabularyOptions } from './corpus.ts';
export { tokenize, TOKENIZER_VERSION } from './tokenizer.ts';
