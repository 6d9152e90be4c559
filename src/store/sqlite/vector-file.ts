/**
 * The saved form of SQLite's in-memory vector copy (binary-index.ts) of one embedding model: its int8 vectors,
 * scales, sign-bit codes and documents, the coarse quantizer's centroids and each vector's list (ivf.ts) when
 * one is trained, with what they cover, so that a restarted process reads them in one
 * go instead of every row out of sqlite-vec (4.4 s at 133k vectors, 73 s at 472k), then takes in only the
 * vectors written since (vector-search.ts). The frame (magic, version, CRC-32, 8-aligned arrays) is
 * saved-arrays.ts's.
 */
import { SavedArraysError, decodeArrays, encodeArrays, type SavedArray } from '../saved-arrays.ts';
import { BinaryQuantizedIndex, codeWords, type IndexOptions } from './binary-index.ts';

/** Bump whenever the layout or the quantisation (BinaryQuantizedIndex.set) changes: older files are rebuilt. */
export const VECTOR_FILE_VERSION = 2;

const FORMAT = { magic: 'PBVECIDX', version: VECTOR_FILE_VERSION, what: 'vector file' };

/** Which vectors a saved copy holds: one model's (told apart by id, number and creation), up to a write. */
export interface VectorFileHeader {
  modelId: string;
  modelNumber: number;
  /** When the model was registered (embedding_models.created_at): a model re-created under the same id differs. */
  modelCreatedAt: string;
  dimensions: number;
  /** Every vector write up to this sequence (the model's write log, vector-search.ts) is in the copy. */
  writeSeq: number;
  /**
   * The paper logged at writeSeq when the copy was saved (null at 0): a database restored from a backup and
   * written to since can reach the same sequence with other writes.
   */
  lastPaper: number | null;
  count: number;
  /** The quantizer's top centroids and leaf lists (0 and 0: none), and the vectors it was trained on. */
  tops: number;
  lists: number;
  trainedOn: number;
}

/** The bytes of a saved copy, in pieces. */
export function encodeVectors(
  index: BinaryQuantizedIndex,
  header: Omit<VectorFileHeader, 'count' | 'tops' | 'lists' | 'trainedOn'>,
): Uint8Array[] {
  const parts = index.parts();
  const q = parts.quantizer;
  const full: VectorFileHeader = {
    ...header,
    dimensions: parts.dimensions,
    count: parts.docs.length,
    tops: q ? q.topStart.length - 1 : 0,
    lists: q ? q.leaves.length / parts.dimensions : 0,
    trainedOn: q?.trainedOn ?? 0,
  };
  return encodeArrays(FORMAT, full, [
    parts.docs,
    parts.scales,
    parts.vectors,
    parts.codes,
    q?.top ?? new Float32Array(0),
    q?.topStart ?? new Int32Array(0),
    q?.leaves ?? new Float32Array(0),
    parts.lists,
  ]);
}

/** The copy saved in `bytes` and what it covers; throws SavedArraysError when they are not a whole, current copy. */
export function decodeVectors(
  bytes: Uint8Array,
  options: IndexOptions = {},
): { index: BinaryQuantizedIndex; header: VectorFileHeader } {
  const { header, arrays } = decodeArrays<VectorFileHeader>(FORMAT, bytes, (h) => {
    const sizes = [h.dimensions, h.count, h.tops, h.lists, h.trainedOn];
    if (!sizes.every((n) => Number.isInteger(n) && n >= 0) || h.dimensions === 0 || (h.tops === 0) !== (h.lists === 0))
      throw new Error('sizes');
    return [
      [Int32Array, h.count],
      [Float32Array, h.count],
      [Int8Array, h.count * h.dimensions],
      [Uint32Array, h.count * codeWords(h.dimensions)],
      [Float32Array, h.tops * h.dimensions],
      [Int32Array, h.tops === 0 ? 0 : h.tops + 1],
      [Float32Array, h.lists * h.dimensions],
      [Int32Array, h.lists === 0 ? 0 : h.count],
    ];
  });
  const [docs, scales, vectors, codes, top, topStart, leaves, lists] = arrays as [
    Int32Array,
    Float32Array,
    Int8Array,
    Uint32Array,
    Float32Array,
    Int32Array,
    Float32Array,
    Int32Array,
  ] &
    SavedArray[];
  try {
    // Copies: views would keep the whole file's bytes alive.
    const quantizer =
      header.lists === 0
        ? null
        : { top: top.slice(), topStart: topStart.slice(), leaves: leaves.slice(), trainedOn: header.trainedOn };
    return {
      index: BinaryQuantizedIndex.fromParts(
        { dimensions: header.dimensions, docs, scales, vectors, codes, quantizer, lists },
        1024,
        options,
      ),
      header,
    };
  } catch (error) {
    throw new SavedArraysError((error as Error).message);
  }
}
