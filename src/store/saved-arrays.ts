/**
 * The frame of a saved in-memory index (the lexical index, search/lexical/index-file.ts; SQLite's vector copy,
 * sqlite/vector-file.ts): a JSON header and typed arrays, checked as a whole before any of it is used.
 *
 * Layout, little-endian: an 8-byte magic, format version (u32), header length (u32), body length (u32), CRC-32
 * of the body (u32); the body is the JSON header then each array, every part starting at a multiple of 8 bytes
 * so that the arrays are read in place. Anything that does not match (another magic or version, a short or
 * damaged file) is refused with the reason, and the caller builds its index afresh.
 */
import { crc32 } from 'node:zlib';

/** Saved bytes that cannot be used: why, for the log. */
export class SavedArraysError extends Error {}

export type SavedArray = Int8Array | Uint8Array | Uint16Array | Int32Array | Uint32Array | Float32Array;
export type SavedArrayKind =
  | typeof Int8Array
  | typeof Uint8Array
  | typeof Uint16Array
  | typeof Int32Array
  | typeof Uint32Array
  | typeof Float32Array;

export interface SavedFormat {
  /** Eight latin-1 characters at the start of the bytes. */
  magic: string;
  version: number;
  /** What the bytes are, in reasons: "not a saved {what}". */
  what: string;
}

const PREAMBLE = 24;

const padding = (n: number) => (8 - (n % 8)) % 8;

/** The saved bytes, in pieces (written one after another, never joined into one buffer). */
export function encodeArrays(format: SavedFormat, header: object, arrays: readonly SavedArray[]): Uint8Array[] {
  const body: Uint8Array[] = [];
  const add = (bytes: Uint8Array) => {
    body.push(bytes);
    if (padding(bytes.byteLength) > 0) body.push(new Uint8Array(padding(bytes.byteLength)));
  };
  add(Buffer.from(JSON.stringify(header)));
  for (const array of arrays) add(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  const preamble = Buffer.alloc(PREAMBLE);
  Buffer.from(format.magic, 'latin1').copy(preamble, 0, 0, 8);
  preamble.writeUInt32LE(format.version, 8);
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

/**
 * The header and arrays saved in `bytes` (the arrays are views of them, not copies). `layout` tells, from the
 * header, the kind and element count of each array in order. Throws SavedArraysError for anything not whole
 * and current.
 */
export function decodeArrays<Header>(
  format: SavedFormat,
  saved: Uint8Array,
  layout: (header: Header) => readonly (readonly [SavedArrayKind, number])[],
): { header: Header; arrays: SavedArray[] } {
  // The arrays are read in place, which needs the bytes 8-aligned.
  const bytes = saved.byteOffset % 8 === 0 ? saved : new Uint8Array(saved);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.byteLength < PREAMBLE || !view.subarray(0, 8).equals(Buffer.from(format.magic, 'latin1')))
    throw new SavedArraysError(`not a saved ${format.what}`);
  const version = view.readUInt32LE(8);
  if (version !== format.version)
    throw new SavedArraysError(`saved with format ${version}, this version reads ${format.version}`);
  const headerLength = view.readUInt32LE(12);
  const bodyLength = view.readUInt32LE(16);
  if (view.byteLength !== PREAMBLE + bodyLength)
    throw new SavedArraysError(`${view.byteLength} bytes where ${PREAMBLE + bodyLength} were written (cut short?)`);
  if (crc32(view.subarray(PREAMBLE)) !== view.readUInt32LE(20)) throw new SavedArraysError('checksum mismatch');
  let header: Header;
  let kinds: readonly (readonly [SavedArrayKind, number])[];
  try {
    header = JSON.parse(view.toString('utf8', PREAMBLE, PREAMBLE + headerLength)) as Header;
    kinds = layout(header);
  } catch {
    throw new SavedArraysError('unreadable header');
  }
  let at = PREAMBLE + headerLength + padding(headerLength);
  const arrays = kinds.map(([Kind, length], i) => {
    const byteLength = length * Kind.BYTES_PER_ELEMENT;
    if (!Number.isInteger(length) || length < 0 || at + byteLength > view.byteLength)
      throw new SavedArraysError(`array ${i} runs past the end`);
    const array = new Kind(bytes.buffer as ArrayBuffer, bytes.byteOffset + at, length);
    at += byteLength + padding(byteLength);
    return array;
  });
  return { header, arrays };
}
