/**
 * Small files that decompress to gigabytes, and lines longer than a string can be. A 1.5 MB .tar.gz holding a
 * 1.5 GB day file once ran `paperboy import` to 6 GB and died uncaught (ERR_STRING_TOO_LONG), taking the
 * archive's other files with it; a 700 MB JSONL line died with `RangeError: Invalid string length`.
 *
 * Each bomb is made here, streamed into a temporary folder: gzip members are concatenated, so the test writes a
 * precompressed megabyte of zeros again and again instead of compressing a gigabyte, and the plain file's huge line
 * is a hole in a sparse file. Then `paperboy import` runs as a child process with a preload that reports its peak
 * RSS (report-max-rss.ts): the good files and records are imported, the bad one is named (with its line), the
 * status is 1, and the peak stays under 300 MB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CLI, DAY_FIXTURES, JSONL_FIXTURE, NODE, REPO_ROOT, tempDir } from '../helpers.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const MiB = 1024 * 1024;
const MAX_RSS_BYTES = 300 * MiB;
const REPORT_MAX_RSS = fileURLToPath(new URL('./report-max-rss.ts', import.meta.url));

/** A file written piece by piece: each piece gzipped on its own (a gzip member), or left as it is. */
class BombFile {
  readonly path: string;
  readonly #fd: number;
  #offset = 0;

  constructor(path: string) {
    this.path = path;
    this.#fd = openSync(path, 'w');
  }

  write(bytes: Buffer): void {
    writeSync(this.#fd, bytes, 0, bytes.length, this.#offset);
    this.#offset += bytes.length;
  }

  /** `count` times the same bytes (written once compressed, when they are a gzip member). */
  repeat(bytes: Buffer, count: number): void {
    for (let i = 0; i < count; i++) this.write(bytes);
  }

  /** Moves on without writing: the file gets a hole that reads as zero bytes and takes no disk. */
  skip(bytes: number): void {
    this.#offset += bytes;
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** A ustar header block for a regular file of `size` bytes. */
function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\u000000', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/** A whole tar entry (header, data, padding to the next block). */
function tarEntry(name: string, data: Buffer): Buffer {
  return Buffer.concat([tarHeader(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

async function paperboyImport(
  path: string,
  db: string,
): Promise<{ status: number | null; stdout: string; stderr: string; maxRss: number }> {
  const child = spawn(NODE, ['--import', REPORT_MAX_RSS, CLI, 'import', path], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: db },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const reported = /max-rss-kb: (\d+)/.exec(stderr);
  assert.ok(reported, `the child reported its peak RSS:\n${stderr}`);
  return { status, stdout, stderr, maxRss: Number(reported[1]) * 1024 };
}

async function storedIds(db: string): Promise<string[]> {
  const store = new SqliteStore(db);
  try {
    return (await store.listPapers(null, 10_000)).papers.map((p) => p.id).sort();
  } finally {
    await store.close();
  }
}

const dayIds = (day: string) =>
  (JSON.parse(readFileSync(join(DAY_FIXTURES, `${day}.json`), 'utf8')) as { paper: { id: string } }[]).map(
    (i) => i.paper.id,
  );
const jsonlLines = readFileSync(JSONL_FIXTURE, 'utf8').trim().split('\n');
const jsonlIds = jsonlLines.map((line) => (JSON.parse(line) as { arxiv_id: string }).arxiv_id);

test('a 1.5 MB .tar.gz holding a 1.5 GB day file: the file is refused by its size, the others are imported', async (t) => {
  const dir = tempDir();
  const bomb = new BombFile(join(dir, 'days.tar.gz'));
  const day = (name: string) =>
    gzipSync(tarEntry(`hf-daily-papers/${name}.json`, readFileSync(join(DAY_FIXTURES, `${name}.json`))));
  const huge = 1536 * MiB;
  bomb.write(day('2024-06-03'));
  bomb.write(day('2025-06-02'));
  bomb.write(gzipSync(tarHeader('hf-daily-papers/2025-06-03.json', huge)));
  bomb.repeat(gzipSync(Buffer.alloc(MiB)), huge / MiB);
  bomb.write(day('2026-08-21'));
  bomb.write(gzipSync(Buffer.alloc(1024)));
  bomb.close();
  const db = join(dir, 'bomb.db');
  const result = await paperboyImport(bomb.path, db);
  t.diagnostic(
    `peak RSS ${(result.maxRss / MiB).toFixed(0)} MB (archive of ${(readFileSync(bomb.path).length / MiB).toFixed(1)} MB)`,
  );
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stdout, /files: 4 \(1 failed\)/);
  assert.match(
    result.stdout,
    /error: days\.tar\.gz:hf-daily-papers\/2025-06-03\.json: file is 1610612736 bytes, more than the 67108864 allowed/,
  );
  assert.deepEqual(
    await storedIds(db),
    [...new Set([...dayIds('2024-06-03'), ...dayIds('2025-06-02'), ...dayIds('2026-08-21')])].sort(),
  );
  assert.ok(result.maxRss < MAX_RSS_BYTES, `peak RSS ${result.maxRss} bytes`);
});

test('a .jsonl.gz with a 700 MB line among good ones: the line is skipped and named, the records around it imported', async (t) => {
  const dir = tempDir();
  const bomb = new BombFile(join(dir, 'papers.jsonl.gz'));
  const huge = 700 * MiB;
  bomb.write(gzipSync(`${jsonlLines.slice(0, 4).join('\n')}\n`));
  bomb.repeat(gzipSync(Buffer.alloc(MiB, 'x')), huge / MiB);
  bomb.write(gzipSync(`\n${jsonlLines.slice(4).join('\n')}\n`));
  bomb.close();
  const db = join(dir, 'bomb.db');
  const result = await paperboyImport(bomb.path, db);
  t.diagnostic(`peak RSS ${(result.maxRss / MiB).toFixed(0)} MB`);
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stdout, /records skipped: 1\n/);
  assert.match(result.stdout, /skipped: papers\.jsonl\.gz line 5: longer than 16777216 bytes \(it has 734003200\)/);
  assert.deepEqual(await storedIds(db), [...jsonlIds].sort());
  assert.ok(result.maxRss < MAX_RSS_BYTES, `peak RSS ${result.maxRss} bytes`);
});

test('a plain .jsonl with a 700 MB line: the same, without gzip', async (t) => {
  const dir = tempDir();
  const bomb = new BombFile(join(dir, 'papers.jsonl'));
  const huge = 700 * MiB;
  bomb.write(Buffer.from(`${jsonlLines.slice(0, 2).join('\n')}\n`));
  bomb.skip(huge);
  bomb.write(Buffer.from(`\n${jsonlLines.slice(2).join('\n')}\n`));
  bomb.close();
  const db = join(dir, 'bomb.db');
  const result = await paperboyImport(bomb.path, db);
  t.diagnostic(`peak RSS ${(result.maxRss / MiB).toFixed(0)} MB`);
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stdout, /skipped: papers\.jsonl line 3: longer than 16777216 bytes \(it has 734003200\)/);
  assert.deepEqual(await storedIds(db), [...jsonlIds].sort());
  assert.ok(result.maxRss < MAX_RSS_BYTES, `peak RSS ${result.maxRss} bytes`);
});
