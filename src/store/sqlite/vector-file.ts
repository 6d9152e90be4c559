/**
 * The saved form of SQLite's in-memory vector copy (binary-index.ts) of one embedding model: its int8 vectors,
 * scales, sign-bit codes and documents, with what they cover, so that a restarted process reads them in one
 * go instead of every row out of sqlite-vec (4.4 s at 133k vectors, 73 s at 472k), then takes in only the
 * vectors written since (vector-search.ts). The frame (magic, version, CRC-32, 8-aligned arrays) is
 * saved-arrays.ts's.
 */
import { SavedArraysError, decodeArrays, encodeArrays, type SavedArray } from '../saved-arrays.ts';
import { BinaryQuantizedIndex, codeWords } from './binary-index.ts';

/** Bump whenever the layout or the quantisation (BinaryQuantizedIndex.set) changes: older files are rebuilt. */
export const VECTOR_FILE_VERSION = 1;

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
}

/** The bytes of a saved copy, in pieces. */
export function encodeVectors(index: BinaryQuantizedIndex, header: Omit<VectorFileHeader, 'count'>): Uint8Array[] {
  const parts = index.parts();
  const full: VectorFileHeader = { ...header, dimensions: parts.dimensions, count: parts.docs.length };
  return encodeArrays(FORMAT, full, [parts.docs, parts.scales, parts.vectors, parts.codes]);
}

/** The copy saved in `bytes` and what it covers; throws SavedArraysError when they are not a whole, current copy. */
export function decodeVectors(bytes: Uint8Array): { index: BinaryQuantizedIndex; header: VectorFileHeader } {
  const { header, arrays } = decodeArrays<VectorFileHeader>(FORMAT, bytes, (h) => {
    if (!Number.isInteger(h.dimensions) || h.dimensions <= 0 || !Number.isInteger(h.count)) throw new Error('sizes');
    return [
      [Int32Array, h.count],
      [Float32Array, h.count],
      [Int8Array, h.count * h.dimensions],
      [Uint32Array, h.count * codeWords(h.dimensions)],
    ];
  });
  const [docs, scales, vectors, codes] = arrays as [Int32Array, Float32Array, Int8Array, Uint32Array] & SavedArray[];
  try {
    return {
      index: BinaryQuantizedIndex.fromParts({ dimensions: header.dimensions, docs, scales, vectors, codes }),
      header,
    };
  } catch (error) {
    throw new SavedArraysError((error as Error).message);
  }
}
