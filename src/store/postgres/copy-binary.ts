/**
 * Rows in the binary format of PostgreSQL's COPY (`COPY … FROM STDIN (FORMAT binary)`): a signature, then each row
 * as its field count and each field as its byte length (-1 for NULL) and the bytes of the type's binary form, then
 * -1. Text is its UTF-8 bytes (nothing escaped, nothing for the server to parse), integers big-endian. The import
 * writes papers and author lists this way.
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;
/** Version of the binary form of jsonb (its only one): the byte before the JSON text. */
const JSONB_VERSION = 1;

export class CopyBinary {
  #buffer: Buffer;
  #at = 0;

  constructor(bytes = 1 << 16) {
    this.#buffer = Buffer.allocUnsafe(Math.max(bytes, 64));
    this.#buffer.set(SIGNATURE, 0);
    // Flags (no OIDs) and the length of the header extension, both 0.
    this.#buffer.fill(0, SIGNATURE.length, SIGNATURE.length + 8);
    this.#at = SIGNATURE.length + 8;
  }

  /** Room for `bytes` more bytes. */
  #ensure(bytes: number): void {
    if (this.#at + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#at + bytes));
    this.#buffer.copy(grown, 0, 0, this.#at);
    this.#buffer = grown;
  }

  /** Starts a row of `fields` fields. */
  row(fields: number): void {
    this.#ensure(2);
    this.#buffer.writeInt16BE(fields, this.#at);
    this.#at += 2;
  }

  null(): void {
    this.#ensure(4);
    this.#buffer.writeInt32BE(-1, this.#at);
    this.#at += 4;
  }

  /** A text field (text, json, and any type whose binary form is its text). */
  text(value: string | null): void {
    this.#utf8(value, null);
  }

  /** A jsonb field: a version byte, then the JSON text. */
  jsonb(value: string | null): void {
    this.#utf8(value, JSONB_VERSION);
  }

  /** A field of a string's UTF-8 bytes, after `version` when it is given. */
  #utf8(value: string | null, version: number | null): void {
    if (value === null) {
      this.null();
      return;
    }
    const head = version === null ? 4 : 5;
    this.#ensure(head + value.length * 3);
    const length = this.#buffer.write(value, this.#at + head, 'utf8');
    this.#buffer.writeInt32BE(length + head - 4, this.#at);
    if (version !== null) this.#buffer[this.#at + 4] = version;
    this.#at += head + length;
  }

  /** An integer field; a number that is not a 32-bit integer is refused as the server refuses it in text. */
  int4(value: number | null): void {
    if (value === null) {
      this.null();
      return;
    }
    if (!Number.isInteger(value) || value < INT4_MIN || value > INT4_MAX) {
      throw new Error(`invalid input for type integer: ${value}`);
    }
    this.#ensure(8);
    this.#buffer.writeInt32BE(4, this.#at);
    this.#buffer.writeInt32BE(value, this.#at + 4);
    this.#at += 8;
  }

  bool(value: boolean | null): void {
    if (value === null) {
      this.null();
      return;
    }
    this.#ensure(5);
    this.#buffer.writeInt32BE(1, this.#at);
    this.#buffer[this.#at + 4] = value ? 1 : 0;
    this.#at += 5;
  }

  /** The whole COPY data: the rows written and the end mark. The writer is not used after. */
  finish(): Buffer {
    this.#ensure(2);
    this.#buffer.writeInt16BE(-1, this.#at);
    this.#at += 2;
    return this.#buffer.subarray(0, this.#at);
  }
}

/** The 1-based line (row) of a COPY error, from the error's `where`: "COPY import_papers, line 3, column …". */
export function copyErrorLine(error: unknown): number | null {
  const where = (error as { where?: unknown } | null)?.where;
  const match = typeof where === 'string' ? /\bCOPY [^,]+, line (\d+)/.exec(where) : null;
  return match ? Number(match[1]) : null;
}
