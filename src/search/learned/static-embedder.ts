/**
 * The Embedder of a learned static model (see model.ts): a weighted mean of word vectors, so it embeds
 * thousands of papers per second on one core and a query in microseconds. Queries and papers are embedded
 * the same way. A text with no word the model knows gives the zero vector.
 */
import type { Embedder } from '../embedder.ts';
import { StaticModel } from './model.ts';

/** Papers embedded between two yields to the event loop in embedDocuments. */
const YIELD_EVERY = 512;

export class StaticEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly model: StaticModel;

  constructor(model: StaticModel) {
    this.model = model;
    this.id = model.id;
    this.dimensions = model.dimensions;
  }

  static async load(path: string): Promise<StaticEmbedder> {
    return new StaticEmbedder(await StaticModel.load(path));
  }

  async embedDocuments(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i++) {
      out.push(this.model.embed(texts[i]!));
      if (i % YIELD_EVERY === YIELD_EVERY - 1 && i < texts.length - 1) await new Promise((r) => setImmediate(r));
    }
    return out;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return this.model.embed(text);
  }

  /** Synchronous embedding, for callers that batch on their own. */
  embedSync(text: string, out?: Float32Array): Float32Array {
    return this.model.embed(text, out);
  }
}
