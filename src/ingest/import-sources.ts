/**
 * Finds what `paperboy import PATH` reads: a day file, a folder, a .tar.gz of day files, or JSON Lines of papers
 * (gzip or not). Every source is named so that errors can say which file they are about.
 *
 * Nothing is read whole before its size is known: a day file is refused by its size on disk, archive entries and
 * JSON Lines are counted in bytes as they are decompressed, and reading stops keeping bytes at the limits of
 * domain/import-limits.ts. A small archive that inflates to gigabytes (a "bomb") costs time, not memory, and the
 * files after it are still read.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { FILE_LIMITS } from '../domain/import-limits.ts';

/** A day file; `text()` fails with a SourceError when the file is over the size limit. */
export interface DaySource {
  kind: 'day';
  name: string;
  text: () => Promise<string>;
}

/** A line of JSON Lines (numbered from 1), or, for a line over the size limit, only its size. */
export type JsonlLine = { number: number; text: string } | { number: number; bytes: number };

export type ImportSource =
  | DaySource
  | { kind: 'jsonl'; name: string; lines: () => AsyncIterable<JsonlLine> }
  /** The day files inside a tar archive, read one at a time in the order they are stored. */
  | { kind: 'archive'; name: string; entries: () => AsyncIterable<DaySource> };

export class SourceError extends Error {}

const TAR = /\.(tar|tar\.gz|tgz)$/i;
const JSONL = /\.jsonl(\.gz)?$/i;
const JSON_FILE = /\.json$/i;

export async function findSources(path: string): Promise<ImportSource[]> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new SourceError(`no such file or folder: ${path}`);
  if (info.isDirectory()) {
    const names = (await readdir(path, { recursive: true })).sort();
    const sources: ImportSource[] = [];
    for (const name of names) {
      const full = join(path, name);
      if ((TAR.test(name) || JSONL.test(name) || JSON_FILE.test(name)) && (await stat(full)).isFile()) {
        sources.push(sourceOfFile(full, name));
      }
    }
    return sources;
  }
  if (!TAR.test(path) && !JSONL.test(path) && !JSON_FILE.test(path)) {
    throw new SourceError(`${basename(path)}: unsupported file type (expected .json, .jsonl, .jsonl.gz or .tar.gz)`);
  }
  return [sourceOfFile(path, basename(path))];
}

function sourceOfFile(path: string, name: string): ImportSource {
  if (TAR.test(name)) return { kind: 'archive', name, entries: () => archiveEntries(path, name) };
  if (JSONL.test(name)) return { kind: 'jsonl', name, lines: () => readLines(path) };
  return {
    kind: 'day',
    name,
    text: async () => {
      const size = (await stat(path)).size;
      if (size > FILE_LIMITS.dayFileBytes) throw tooLarge(size);
      return readFile(path, 'utf8');
    },
  };
}

function tooLarge(bytes: number): SourceError {
  return new SourceError(`file is ${bytes} bytes, more than the ${FILE_LIMITS.dayFileBytes} allowed`);
}

/** The file's bytes, decompressed when they are gzip (told by its first two bytes, not its name). */
async function decompressed(path: string): Promise<{ stream: Readable; gzipped: boolean }> {
  const head = Buffer.alloc(2);
  const handle = await open(path, 'r');
  try {
    await handle.read(head, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const raw = createReadStream(path);
  if (!gzipped) return { stream: raw, gzipped };
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  raw.on('error', (error) => gunzip.destroy(error));
  return { stream: raw.pipe(gunzip), gzipped };
}

function unreadable(gzipped: boolean, error: unknown): SourceError {
  return new SourceError(`not a readable ${gzipped ? 'gzip ' : ''}file (${(error as Error).message})`);
}

/**
 * Lines split on the bytes, not on a string: a line is kept until it is longer than the limit, then only counted
 * to its end, so that a line of any length costs at most the limit in memory.
 */
async function* readLines(path: string): AsyncIterable<JsonlLine> {
  const { stream, gzipped } = await decompressed(path);
  const limit = FILE_LIMITS.jsonlLineBytes;
  let parts: Buffer[] = [];
  let bytes = 0;
  let number = 1;
  const finish = (): JsonlLine => {
    const line: JsonlLine =
      bytes > limit ? { number, bytes } : { number, text: Buffer.concat(parts).toString('utf8').replace(/\r$/, '') };
    parts = [];
    bytes = 0;
    number++;
    return line;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, from);
        const piece = chunk.subarray(from, newline === -1 ? chunk.length : newline);
        bytes += piece.length;
        if (bytes <= limit) parts.push(piece);
        else parts = [];
        if (newline === -1) break;
        yield finish();
        from = newline + 1;
      }
    }
  } catch (error) {
    throw unreadable(gzipped, error);
  } finally {
    stream.destroy();
  }
  if (bytes > 0) yield finish();
}

/**
 * The day files of a tar archive, one at a time as the archive is read: the archive is never held whole, and an
 * entry is kept only up to the day-file limit; past it the rest of the entry is counted and dropped, and the entry
 * fails with its size. Other entries (folders, other files, macOS "._" companions) are skipped.
 */
async function* archiveEntries(path: string, archiveName: string): AsyncIterable<DaySource> {
  const { stream, gzipped } = await decompressed(path);
  const extractor = extract();
  stream.on('error', (error: Error) => extractor.destroy(unreadable(gzipped, error)));
  stream.pipe(extractor);
  try {
    for await (const entry of extractor) {
      const { header } = entry;
      const wanted = header.type === 'file' && JSON_FILE.test(header.name) && !basename(header.name).startsWith('._');
      const { size, bytes } = await readEntry(entry, wanted ? FILE_LIMITS.dayFileBytes : 0);
      if (!wanted) continue;
      const text = bytes === null ? null : bytes.toString('utf8');
      yield {
        kind: 'day',
        name: `${archiveName}:${header.name}`,
        text: async () => {
          if (text === null) throw tooLarge(size);
          return text;
        },
      };
    }
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceError(`not a readable tar archive (${(error as Error).message})`);
  } finally {
    stream.destroy();
    extractor.destroy();
  }
}

/** What readEntry uses of an archive entry's stream. */
interface EntryStream {
  on(event: 'data', listener: (chunk: unknown) => void): unknown;
  once(event: 'error' | 'end', listener: (error?: unknown) => void): unknown;
}

/**
 * An entry's size, and its bytes unless they are more than `keep`. Read with events rather than an async iterator:
 * a gigabyte-sized entry is a hundred thousand chunks, and a promise for each of them is garbage too.
 */
function readEntry(entry: EntryStream, keep: number): Promise<{ size: number; bytes: Buffer | null }> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    entry.on('data', (data) => {
      const chunk = data as Buffer;
      size += chunk.length;
      if (size <= keep) chunks.push(chunk);
      else chunks = [];
    });
    entry.once('error', reject);
    entry.once('end', () => resolve({ size, bytes: size <= keep ? Buffer.concat(chunks) : null }));
  });
}
