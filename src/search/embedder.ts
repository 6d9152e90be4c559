/**
 * Everything that turns text into vectors goes through this interface. Vectors are stored per model id,
 * so switching models re-embeds instead of mixing spaces.
 */
export interface Embedder {
  /** Identifies the model and its version, e.g. "paperboy-static/3f2a9c": vectors of two ids never mix. */
  readonly id: string;
  readonly dimensions: number;
  /** Unit-length vectors for papers (title + abstract). */
  embedDocuments(texts: readonly string[]): Promise<Float32Array[]>;
  /** A unit-length vector for a search query (models may treat queries differently from documents). */
  embedQuery(text: string): Promise<Float32Array>;
}

/** The text of a paper as embedders see it. */
export function paperText(title: string, abstract: string): string {
  return `${title}. ${abstract}`;
}
