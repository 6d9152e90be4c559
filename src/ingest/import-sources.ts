/**
 * Finds what `paperboy import PATH` reads: a day file, a folder, a .tar.gz of day files, or JSON Lines of
 * papers (gzip or not). Every source is named so that errors can say which file they are about.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createGunzip, gunzipSync } from 'node:zlib';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';

export type ImportSource =
  | { kind: 'day'; name: string; text: () => Promise<string> }
  | { kind: 'jsonl'; name: string; lines: () => AsyncIterable<string> };

export class SourceError extends Error {}

/** Day files larger than this are refused: the largest real one is well under 1 MB. */
export const MAX_DAY_FILE_BYTES = 64 * 1024 * 1024;

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
        sources.push(...(await sourcesOfFile(full, name)));
      }
    }
    return sources;
  }
  if (!TAR.test(path) && !JSONL.test(path) && !JSON_FILE.test(path)) {
    throw new SourceError(`${basename(path)}: unsupported file type (expected .json, .jsonl, .jsonl.gz or .tar.gz)`);
  }
  return sourcesOfFile(path, basename(path));
}

async function sourcesOfFile(path: string, name: string): Promise<ImportSource[]> {
  if (TAR.test(name)) return tarSources(path, name);
  if (JSONL.test(name)) return [{ kind: 'jsonl', name, lines: () => readLines(path) }];
  return [{
    kind: 'day',
    name,
    text: async () => {
      const size = (await stat(path)).size;
      if (size > MAX_DAY_FILE_BYTES) throw new SourceError(`file is ${size} bytes, more than the ${MAX_DAY_FILE_BYTES} allowed`);
      return readFile(path, 'utf8');
    },
  }];
}

async function* readLines(path: string): AsyncIterable<string> {
  const head = await readFile(path, { flag: 'r' }).then((b) => b.subarray(0, 2)).catch(() => Buffer.alloc(0));
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const raw = createReadStream(path);
  const stream = gzipped ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) yield line;
}

/** The day files inside a tar archive, in name order so that imports are repeatable. */
async function tarSources(path: string, archiveName: string): Promise<ImportSource[]> {
  let bytes = await readFile(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new SourceError(`${archiveName}: not a readable gzip file (${(error as Error).message})`);
    }
  }
  const files: { name: string; text: string }[] = [];
  const extractor = extract();
  const done = new Promise<void>((resolve, reject) => {
    extractor.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        if (header.type === 'file' && JSON_FILE.test(header.name) && !basename(header.name).startsWith('._')) {
          files.push({ name: `${archiveName}:${header.name}`, text: Buffer.concat(chunks).toString('utf8') });
        }
        next();
      });
      stream.resume();
    });
    extractor.on('finish', resolve);
    extractor.on('error', (error: Error) => reject(new SourceError(`${archiveName}: not a readable tar archive (${error.message})`)));
  });
  Readable.from([bytes]).pipe(extractor);
  await done;
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return files.map((file) => ({ kind: 'day' as const, name: file.name, text: async () => file.text }));
}
