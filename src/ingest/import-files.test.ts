import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { importDaysAtOnce, importPath } from './import-files.ts';
import { BROKEN_DAY_FIXTURES, DAY_FIXTURES, JSONL_FIXTURE, memoryStore, tempDir } from '../../test/helpers.ts';

const recorded = (day: string) =>
  JSON.parse(readFileSync(join(DAY_FIXTURES, `${day}.json`), 'utf8')) as { paper: { id: string } }[];

test('imports a folder of real day files, every paper and every entry', async () => {
  const store = memoryStore();
  const summary = await importPath(store, DAY_FIXTURES);
  const expected = ['2024-06-03', '2025-06-02', '2026-08-21'].map((d) => recorded(d).length);
  assert.equal(summary.files, 3);
  assert.deepEqual(summary.failures, []);
  assert.equal(
    summary.entries,
    expected.reduce((a, b) => a + b, 0),
  );
  const stats = await store.stats();
  assert.equal(stats.days, 3);
  assert.equal(stats.firstDay, '2024-06-03');
  assert.equal(stats.lastDay, '2026-08-21');
  assert.equal(stats.papers, summary.papersNew);
});

test('importing the same files twice changes nothing the second time', async () => {
  const store = memoryStore();
  const first = await importPath(store, DAY_FIXTURES);
  const before = await store.listDaily({
    firstDay: '2000-01-01',
    lastDay: '2100-01-01',
    sort: 'latest',
    offset: 0,
    limit: 1000,
  });
  const second = await importPath(store, DAY_FIXTURES);
  const afterwards = await store.listDaily({
    firstDay: '2000-01-01',
    lastDay: '2100-01-01',
    sort: 'latest',
    offset: 0,
    limit: 1000,
  });
  assert.equal(second.papersNew, 0);
  assert.equal(second.papersUpdated, 0);
  assert.equal(second.papersUnchanged, first.papersNew);
  assert.deepEqual(afterwards, before);
});

test('rejects the real broken days (Python-repr items, also inside the wrapper) with a clear reason', async () => {
  const store = memoryStore();
  const summary = await importPath(store, BROKEN_DAY_FIXTURES);
  assert.equal(summary.failures.length, 2);
  for (const failure of summary.failures) assert.match(failure.reason, /strings \(Python repr\?\), not JSON objects/);
  assert.deepEqual(
    summary.failures.map((f) => f.file),
    ['2024-12-11.json', '2025-01-10.json'],
  );
  assert.equal((await store.stats()).papers, 0);
});

test('accepts the wrapped {status,date,count,data} form and takes the day from the file name', async () => {
  const dir = tempDir();
  const items = recorded('2024-06-03');
  writeFileSync(
    join(dir, '2024-06-03.json'),
    JSON.stringify({ status: 'success', date: '2024-06-03', count: items.length, data: items }),
  );
  const store = memoryStore();
  const summary = await importPath(store, dir);
  assert.deepEqual(summary.failures, []);
  assert.equal(summary.entries, items.length);
  const listed = await store.listDaily({
    firstDay: '2024-06-03',
    lastDay: '2024-06-03',
    sort: 'upvotes',
    offset: 0,
    limit: 100,
  });
  assert.deepEqual(
    listed.map((e) => e.paper.id),
    items.map((i) => i.paper.id),
  );
});

test('a malformed file is reported by name and leaves nothing behind; the other files go on', async () => {
  const dir = tempDir();
  copyFileSync(join(DAY_FIXTURES, '2024-06-03.json'), join(dir, '2024-06-03.json'));
  const items = recorded('2025-06-02') as unknown as Record<string, Record<string, unknown>>[];
  delete items[5]!.paper!.title; // the sixth item is broken: its first five must not be written either
  writeFileSync(join(dir, '2025-06-02.json'), JSON.stringify(items));
  writeFileSync(join(dir, '2025-06-03.json'), '[{"paper": ');
  writeFileSync(join(dir, '2025-06-04.json'), '{"hello": "world"}');
  const store = memoryStore();
  const summary = await importPath(store, dir);
  assert.deepEqual(
    summary.failures.map((f) => f.file),
    ['2025-06-02.json', '2025-06-03.json', '2025-06-04.json'],
  );
  assert.match(summary.failures[0]!.reason, /item 5: paper\.title/);
  assert.match(summary.failures[1]!.reason, /not valid JSON/);
  assert.match(summary.failures[2]!.reason, /expected a JSON array/);
  const stats = await store.stats();
  assert.equal(stats.days, 1);
  assert.equal(stats.papers, recorded('2024-06-03').length);
  for (const item of items.slice(0, 5)) assert.equal(await store.getPaper(String(item.paper!.id)), null);
});

test('a .tar.gz of day files imports the same as the folder', async () => {
  const dir = tempDir();
  const archive = pack();
  for (const day of ['2024-06-03', '2025-06-02', '2026-08-21']) {
    archive.entry({ name: `hf-daily-papers/${day}.json` }, readFileSync(join(DAY_FIXTURES, `${day}.json`)));
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  writeFileSync(join(dir, 'days.tar.gz'), gzipSync(Buffer.concat(chunks)));
  const fromTar = memoryStore();
  const fromFolder = memoryStore();
  const tarSummary = await importPath(fromTar, join(dir, 'days.tar.gz'));
  await importPath(fromFolder, DAY_FIXTURES);
  assert.equal(tarSummary.files, 3);
  assert.deepEqual(tarSummary.failures, []);
  assert.deepEqual(await fromTar.stats(), await fromFolder.stats());
  assert.deepEqual(await fromTar.getPaper('2608.19880'), await fromFolder.getPaper('2608.19880'));
});

test('a file that is not a tar archive is reported, not thrown; a path that is not importable is refused', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'broken.tar.gz'), gzipSync(Buffer.from('this is not a tar archive at all')));
  const summary = await importPath(memoryStore(), join(dir, 'broken.tar.gz'));
  assert.equal(summary.files, 1);
  assert.deepEqual(
    summary.failures.map((f) => f.file),
    ['broken.tar.gz'],
  );
  assert.match(summary.failures[0]!.reason, /^not a readable tar archive/);
  writeFileSync(join(dir, 'cut.tar.gz'), gzipSync(Buffer.from('x'.repeat(5000))).subarray(0, 20));
  assert.match(
    (await importPath(memoryStore(), join(dir, 'cut.tar.gz'))).failures[0]!.reason,
    /^not a readable gzip file/,
  );
  writeFileSync(join(dir, 'cut.jsonl.gz'), gzipSync(readFileSync(JSONL_FIXTURE)).subarray(0, 200));
  assert.deepEqual((await importPath(memoryStore(), join(dir, 'cut.jsonl.gz'))).failures, [
    { file: 'cut.jsonl.gz', reason: 'not a readable gzip file (unexpected end of file)' },
  ]);
  await assert.rejects(importPath(memoryStore(), join(dir, 'nothing-here')), /no such file or folder/);
  writeFileSync(join(dir, 'notes.txt'), 'hello');
  await assert.rejects(importPath(memoryStore(), join(dir, 'notes.txt')), /unsupported file type/);
});

test('JSONL of papers, gzip or not; papers with hf_date join the feed of that day', async () => {
  const dir = tempDir();
  const text = readFileSync(JSONL_FIXTURE);
  mkdirSync(join(dir, 'gz'));
  writeFileSync(join(dir, 'gz', 'papers.jsonl.gz'), gzipSync(text));
  for (const path of [JSONL_FIXTURE, join(dir, 'gz', 'papers.jsonl.gz')]) {
    const store = memoryStore();
    const summary = await importPath(store, path);
    assert.deepEqual(summary.failures, []);
    assert.equal(summary.papersNew, 8);
    assert.equal(summary.entries, 3);
    const records = text
      .toString('utf8')
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            arxiv_id: string;
            organization?: string;
            upvotes: number;
            hf_date: string;
          },
      );
    const withOrg = records.find((r) => r.organization)!;
    const paper = await store.getPaper(withOrg.arxiv_id);
    assert.equal(paper?.organization?.fullname, withOrg.organization);
    assert.equal(paper?.upvotes, withOrg.upvotes);
    assert.deepEqual(await store.featuredDays(withOrg.arxiv_id), [withOrg.hf_date]);
  }
});

test('a JSONL file with one bad line is rejected whole, naming the line', async () => {
  const dir = tempDir();
  const lines = readFileSync(JSONL_FIXTURE, 'utf8').trim().split('\n');
  lines.splice(4, 0, '{"arxiv_id": "not-an-id", "title": "x", "abstract": "y", "published": "2020-01-01"}');
  writeFileSync(join(dir, 'bad.jsonl'), lines.join('\n'));
  const store = memoryStore();
  const summary = await importPath(store, join(dir, 'bad.jsonl'));
  assert.equal(summary.failures.length, 1);
  assert.match(summary.failures[0]!.reason, /^line 5: arxiv_id is not an arXiv id/);
  assert.equal((await store.stats()).papers, 0);
});

test('hostile text is stored as given (escaping is the job of each view)', async () => {
  const dir = tempDir();
  const title = `<script>alert("x")</script>'; DROP TABLE papers; --`;
  writeFileSync(
    join(dir, 'p.jsonl'),
    JSON.stringify({
      arxiv_id: '2401.00001',
      title,
      abstract: 'a',
      published: '2024-01-01',
      authors: ['Robert"); DROP TABLE authors;--'],
    }),
  );
  const store = memoryStore();
  await importPath(store, join(dir, 'p.jsonl'));
  const paper = await store.getPaper('2401.00001');
  assert.equal(paper?.title, title);
  assert.equal(paper?.authors[0]?.name, 'Robert"); DROP TABLE authors;--');
  assert.equal((await store.stats()).papers, 1);
});

test('day files imported at once end as imported one by one; one malformed file leaves nothing at all', async () => {
  const atOnce = memoryStore();
  const oneByOne = memoryStore();
  const summary = await importDaysAtOnce(atOnce, DAY_FIXTURES);
  await importPath(oneByOne, DAY_FIXTURES);
  assert.equal(summary.files, 3);
  assert.deepEqual(await atOnce.stats(), await oneByOne.stats());
  const all = { firstDay: '2000-01-01', lastDay: '2100-01-01', sort: 'latest' as const, offset: 0, limit: 1000 };
  assert.deepEqual(await atOnce.listDaily(all), await oneByOne.listDaily(all));

  const dir = tempDir();
  copyFileSync(join(DAY_FIXTURES, '2024-06-03.json'), join(dir, '2024-06-03.json'));
  writeFileSync(join(dir, '2024-06-04.json'), '[{"paper": ');
  const store = memoryStore();
  await assert.rejects(importDaysAtOnce(store, dir), /^Error: 2024-06-04\.json: not valid JSON/);
  assert.equal((await store.stats()).papers, 0);
});
