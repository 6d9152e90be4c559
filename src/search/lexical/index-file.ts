/**
 * The saved form of a lexical index: the arrays of a Bm25Index (bm25-index.ts) and the write sequence
 * (papers.write_seq) it covers, so that a process loads it in a fraction of a second, then takes in only the
 * papers written since, instead of analysing every paper again. The store keeps the bytes (a file beside a
 * SQLite database, rows of a PostgreSQL table); what they mean is decided here.
 *
 * The frame (magic, version, lengths, CRC-32, 8-aligned arrays read in place) is store/saved-arrays.ts's.
 * Anything that does not match (another version, a short or damaged file) is refused, and the index is built
 * afresh.
 */
import { SavedArraysError, decodeArrays, encodeArrays, type SavedArray } from '../../store/saved-arrays.ts';
import { Bm25Index, type Bm25Parts } from './bm25-index.ts';

/**
 * Bump whenever the layout or the analysis (analyzer.ts: folding, stemming) changes: older files are rebuilt.
 * 2: the words as written (surface-words.ts), for prefix queries.
 */
export const INDEX_FORMAT_VERSION = 2;

const FORMAT = { magic: 'PBLEXIDX', version: INDEX_FORMAT_VERSION, what: 'index' };

const ARRAYS = [
  'terms',
  'termStarts',
  'df',
  'postingStarts',
  'postings',
  'lengths',
  'idBytes',
  'idStarts',
  'surfaceWords',
  'surfaceStarts',
] as const;
type ArrayName = (typeof ARRAYS)[number];
const KINDS = {
  terms: Uint8Array,
  termStarts: Uint32Array,
  df: Uint32Array,
  postingStarts: Uint32Array,
  postings: Uint8Array,
  lengths: Uint16Array,
  idBytes: Uint8Array,
  idStarts: Uint32Array,
  surfaceWords: Uint8Array,
  surfaceStarts: Uint32Array,
} as const;

interface Header {
  writeSeq: number;
  documentCount: number;
  avgLength: [number, number, number];
  parameters: Bm25Parts['parameters'];
  /** Element counts of the arrays, in ARRAYS order. */
  lengths: number[];
}

/** A saved index that cannot be used: why, for the log. */
export { SavedArraysError as IndexFileError };

/** The bytes of a saved index, in pieces (written one after another, never joined into one string or buffer). */
export function encodeIndex(index: Bm25Index, writeSeq: number): Uint8Array[] {
  const parts = index.parts();
  const header: Header = {
    writeSeq,
    documentCount: parts.documentCount,
    avgLength: parts.avgLength,
    parameters: parts.parameters,
    lengths: ARRAYS.map((name) => parts[name].length),
  };
  return encodeArrays(
    FORMAT,
    header,
    ARRAYS.map((name) => parts[name]),
  );
}

/** The index and write sequence saved in `bytes`; throws IndexFileError when they are not a whole, current index. */
export function decodeIndex(saved: Uint8Array): { index: Bm25Index; writeSeq: number } {
  const { header, arrays } = decodeArrays<Header>(FORMAT, saved, (h) =>
    ARRAYS.map((name, i) => [KINDS[name], h.lengths[i]!] as const),
  );
  const named = Object.fromEntries(ARRAYS.map((name, i) => [name, arrays[i]!])) as Record<ArrayName, SavedArray>;
  let index: Bm25Index;
  try {
    index = Bm25Index.fromParts({
      ...(named as unknown as Pick<Bm25Parts, ArrayName>),
      documentCount: header.documentCount,
      avgLength: header.avgLength,
      parameters: header.parameters,
    });
  } catch (error) {
    throw new SavedArraysError(`inconsistent arrays: ${(error as Error).message}`);
  }
  return { index, writeSeq: header.writeSeq };
}
