/**
 * The saved form of a lexical index: the arrays of a Bm25Index (bm25-index.ts) and the write sequence
 * (papers.write_seq) it covers, so that a process loads it in a fraction of a second, then takes in only the
 * papers written since, instead of analysing every paper again. The store keeps the bytes (a file beside a
 * SQLite database, rows of a PostgreSQL table); what they mean is decided here.
 *
 * Layout, little-endian: "PBLEXIDX", format version (u32), header length (u32), body length (u32), CRC-32 of
 * the body (u32); the body is a JSON header then each array, every part starting at a multiple of 8 bytes so
 * that the arrays are read in place. Anything that does not match (another version, a short or damaged file)
 * is refused, and the index is built afresh.
 */
import { crc32 } from 'node:zlib';
import { Bm25Index, type Bm25Parts } from './bm25-index.ts';

/**
 * Bump whenever the layout or the analysis (analyzer.ts: folding, stemming) changes: older files are rebuilt.
 * 2: the words as written (surface-words.ts), for prefix queries.
 */
export const INDEX_FORMAT_VERSION = 2;

const MAGIC = Buffer.from('PBLEXIDX', 'latin1');
const PREAMBLE = 24;

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
export class IndexFileError extends Error {}

const padding = (n: number) => (8 - (n % 8)) % 8;

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
  const body: Uint8Array[] = [];
  const add = (bytes: Uint8Array) => {
    body.push(bytes);
    if (padding(bytes.byteLength) > 0) body.push(new Uint8Array(padding(bytes.byteLength)));
  };
  add(Buffer.from(JSON.stringify(header)));
  for (const name of ARRAYS) {
    const array = parts[name];
    add(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }
  const preamble = Buffer.alloc(PREAMBLE);
  MAGIC.copy(preamble, 0);
  preamble.writeUInt32LE(INDEX_FORMAT_VERSION, 8);
  preamble.writeUInt32LE(body[0]!.byteLength, 12);
  preamble.writeUInt32LE(
    body.reduce((sum, b) => sum + b.byteLength, 0),
    16,
  );
  preamble.writeUInt32LE(
    body.reduce((crc, b) => crc32(b, crc), 0),
    20,
  );
  return [preamble, ...body];
}

/** The index and write sequence saved in `bytes`; throws IndexFileError when they are not a whole, current index. */
export function decodeIndex(saved: Uint8Array): { index: Bm25Index; writeSeq: number } {
  // The arrays are read in place, which needs the bytes 8-aligned.
  const bytes = saved.byteOffset % 8 === 0 ? saved : new Uint8Array(saved);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.byteLength < PREAMBLE || !view.subarray(0, 8).equals(MAGIC)) throw new IndexFileError('not a saved index');
  const version = view.readUInt32LE(8);
  if (version !== INDEX_FORMAT_VERSION)
    throw new IndexFileError(`saved with format ${version}, this version reads ${INDEX_FORMAT_VERSION}`);
  const headerLength = view.readUInt32LE(12);
  const bodyLength = view.readUInt32LE(16);
  if (view.byteLength !== PREAMBLE + bodyLength)
    throw new IndexFileError(`${view.byteLength} bytes where ${PREAMBLE + bodyLength} were written (cut short?)`);
  if (crc32(view.subarray(PREAMBLE)) !== view.readUInt32LE(20)) throw new IndexFileError('checksum mismatch');
  let header: Header;
  try {
    header = JSON.parse(view.toString('utf8', PREAMBLE, PREAMBLE + headerLength)) as Header;
  } catch {
    throw new IndexFileError('unreadable header');
  }
  let at = PREAMBLE + headerLength + padding(headerLength);
  const arrays = {} as Record<ArrayName, Uint8Array | Uint16Array | Uint32Array>;
  ARRAYS.forEach((name, i) => {
    const Kind = KINDS[name];
    const length = header.lengths[i]!;
    const byteLength = length * Kind.BYTES_PER_ELEMENT;
    if (at + byteLength > view.byteLength) throw new IndexFileError(`array ${name} runs past the end`);
    arrays[name] = new Kind(bytes.buffer as ArrayBuffer, bytes.byteOffset + at, length);
    at += byteLength + padding(byteLength);
  });
  let index: Bm25Index;
  try {
    index = Bm25Index.fromParts({
      ...(arrays as unknown as Pick<Bm25Parts, ArrayName>),
      documentCount: header.documentCount,
      avgLength: header.avgLength,
      parameters: header.parameters,
    });
  } catch (error) {
    throw new IndexFileError(`inconsistent arrays: ${(error as Error).message}`);
  }
  return { index, writeSeq: header.writeSeq };
}
