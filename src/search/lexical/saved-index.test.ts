/**
 * The saved lexical index of a SQLite database (a file beside it): a process that starts later loads it and
 * ranks exactly as a fresh build; papers written after it was saved are taken in; a damaged file, or one
 * ahead of the database, is rebuilt; a save that dies half-way leaves the previous file.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { importFixtures, madeUp } from '../../../test/contract/fixtures.ts';
import { parseQuery } from '../query-parser.ts';
import { DEFAULT_SEARCH_CONFIG } from '../search-service.ts';
import { lexicalSearch } from './lexical-search.ts';
import { decodeIndex } from './index-file.ts';
import { tempDatabase } from '../../../test/support/temp-database.ts';

const WEIGHTS = DEFAULT_SEARCH_CONFIG.weights;
const QUERIES = ['model', 'language models', 'diffusion image', 'wombatology', 'transform*', 'agent reasoning'];

const database = (t: TestContext) => tempDatabase(t, 'saved-index');

async function topK(store: SqliteStore) {
  const search = lexicalSearch(store);
  return Promise.all(QUERIES.map((q) => search.search(parseQuery(q), {}, WEIGHTS, 10)));
}

async function seed(store: SqliteStore): Promise<void> {
  await importFixtures(store);
  await store.importBatch({
    papers: Array.from({ length: 300 }, (_, i) =>
      madeUp(100 + i, { title: `Wombatology ${i % 7 === 0 ? 'of language models' : 'for agents'} ${i}` }),
    ),
    entries: [],
    replaceDays: [],
  });
}

/** A database seeded and searched once, so that its index is saved beside it; and that file's path. */
async function savedIndex(t: TestContext) {
  const db = database(t);
  const first = db.open();
  await seed(first);
  await lexicalSearch(first).warmUp();
  return { db, first, indexPath: `${db.path}.lexical-index` };
}

test('a process that starts later loads the saved index and ranks exactly as a fresh build', async (t) => {
  const { db, first, indexPath } = await savedIndex(t);
  assert.equal(lexicalSearch(first).index.loaded, false, 'the first process builds');
  assert.ok(existsSync(indexPath), 'and saves the index beside the database');
  const fresh = await topK(first);
  assert.ok(fresh.every((hits) => hits.length > 0));

  const second = db.open();
  await lexicalSearch(second).warmUp();
  assert.equal(lexicalSearch(second).index.loaded, true, 'the next process loads it');
  assert.deepEqual(await topK(second), fresh);
});

test('a saved index behind the database takes in the papers written since, and forgets replaced text', async (t) => {
  const { db, first } = await savedIndex(t);
  // Written after the save: a new paper, and a new title for an indexed one.
  await first.importBatch({
    papers: [
      madeUp(900, { title: 'Quokkas as a benchmark' }),
      madeUp(100, { title: 'Axolotls instead' }),
      madeUp(901, { title: 'Quokkanormalization' }),
    ],
    entries: [],
    replaceDays: [],
  });
  const second = db.open();
  const search = lexicalSearch(second);
  await search.warmUp();
  assert.equal(search.index.loaded, true);
  assert.equal((await search.search(parseQuery('quokkas'), {}, WEIGHTS, 5))[0]?.id, '2101.00900');
  assert.equal((await search.search(parseQuery('axolotls'), {}, WEIGHTS, 5))[0]?.id, '2101.00100');
  // A prefix past the stem ("quokkanormalization" is the term "quokkanormal") matches the word as written, in a paper
  // written since the save as in an indexed one.
  const prefixed = async (s: typeof search, q: string) =>
    (await s.search(parseQuery(q), {}, WEIGHTS, 5)).map((h) => h.id).sort();
  assert.deepEqual(await prefixed(search, 'quokkanormaliz*'), ['2101.00901']);
  assert.deepEqual(await prefixed(search, 'quokkanormalizz*'), []);
  assert.ok(
    !(await search.search(parseQuery('wombatology'), {}, WEIGHTS, 500)).some((h) => h.id === '2101.00100'),
    'the old title of paper 100 no longer matches',
  );
  // The same papers as a build from scratch over the same database (scores differ a little: the two papers
  // written since are scored with the saved index's statistics until the next build).
  rmSync(`${db.path}.lexical-index`);
  const third = db.open();
  await lexicalSearch(third).warmUp();
  assert.equal(lexicalSearch(third).index.loaded, false);
  const ids = (lists: { id: string }[][]) => lists.map((hits) => hits.map((h) => h.id));
  assert.deepEqual(ids(await topK(second)), ids(await topK(third)));
  assert.deepEqual(await prefixed(lexicalSearch(third), 'quokkanormaliz*'), ['2101.00901']);
});

test('a cut-short or damaged saved index is rebuilt and saved again whole', async (t) => {
  const { db, first, indexPath } = await savedIndex(t);
  const expected = await topK(first);
  const size = readFileSync(indexPath).length;
  for (const damage of [
    () => truncateSync(indexPath, Math.floor(size / 2)),
    () => {
      const bytes = readFileSync(indexPath);
      bytes[size - 5]! ^= 0xff;
      writeFileSync(indexPath, bytes);
    },
    () => writeFileSync(indexPath, ''),
  ]) {
    damage();
    const next = db.open();
    await lexicalSearch(next).warmUp();
    assert.equal(lexicalSearch(next).index.loaded, false, 'rebuilt');
    assert.deepEqual(await topK(next), expected);
    assert.doesNotThrow(() => decodeIndex(readFileSync(indexPath)), 'and saved again, whole');
  }
});

test('a saved index ahead of the database (an older backup restored) is rebuilt', async (t) => {
  const { indexPath } = await savedIndex(t);
  const saved = readFileSync(indexPath);
  // Another database, with fewer writes, gets that index file beside it.
  const other = database(t);
  const restored = other.open();
  await importFixtures(restored);
  writeFileSync(`${other.path}.lexical-index`, saved);
  const search = lexicalSearch(restored);
  await search.warmUp();
  assert.equal(search.index.loaded, false);
  assert.deepEqual(await search.search(parseQuery('wombatology'), {}, WEIGHTS, 5), []);
});

test('a save that dies before the rename leaves the previous index, and its temporary file is cleared later', async (t) => {
  const { db, indexPath } = await savedIndex(t);
  const before = readFileSync(indexPath);
  // What a process killed while writing leaves: a partial temporary file named for a pid that no longer runs.
  const abandoned = `${indexPath}.999999999.deadbeef.tmp`;
  writeFileSync(abandoned, before.subarray(0, 100));
  const second = db.open();
  await lexicalSearch(second).warmUp();
  assert.equal(lexicalSearch(second).index.loaded, true, 'the previous index is still whole');
  assert.deepEqual(readFileSync(indexPath), before);
  // The next save clears the abandoned file.
  await second.indexSource.saveIndex([Buffer.from('replaced')]);
  assert.equal(existsSync(abandoned), false);
  assert.equal(readFileSync(indexPath, 'utf8'), 'replaced');
});

/** 2,100 papers written after the save (more than are taken in without a merge), one a new version of paper 100. */
async function writeMany(store: SqliteStore): Promise<void> {
  await store.importBatch({
    papers: [
      ...Array.from({ length: 2_100 }, (_, i) =>
        madeUp(1_000 + i, { title: `Numbats ${i % 3 === 0 ? 'and language models' : 'for agents'} ${i}` }),
      ),
      madeUp(100, { title: 'Axolotls instead' }),
    ],
    entries: [],
    replaceDays: [],
  });
}

const NEW_QUERIES = ['numbats', 'language models', 'axolotls', 'wombatology', 'agent*'];

async function newTopK(store: SqliteStore) {
  const search = lexicalSearch(store);
  return Promise.all(NEW_QUERIES.map((q) => search.search(parseQuery(q), {}, WEIGHTS, 10)));
}

test('papers written after the save are merged in and saved with their write sequence; a later process loads that and ranks as a fresh build', async (t) => {
  const { db, first, indexPath } = await savedIndex(t);
  const before = decodeIndex(readFileSync(indexPath)).writeSeq;
  await writeMany(first);
  // The next search takes them in, which merges them into the index and saves it.
  assert.ok((await newTopK(first))[0]!.length > 0);
  await lexicalSearch(first).warmUp();
  assert.equal(lexicalSearch(first).index.merges, 1);
  const saved = decodeIndex(readFileSync(indexPath));
  assert.equal(saved.writeSeq, (await first.indexSource.writeMark()).writeSeq);
  assert.ok(saved.writeSeq > before);
  assert.ok(saved.index.documentFrequency('numbat') >= 2_100, 'the saved index holds the new papers');

  const second = db.open();
  await lexicalSearch(second).warmUp();
  assert.equal(lexicalSearch(second).index.loaded, true);
  const merged = await newTopK(second);
  // A build from scratch over the same database: the same papers with the same scores.
  rmSync(indexPath);
  const third = db.open();
  await lexicalSearch(third).warmUp();
  assert.equal(lexicalSearch(third).index.loaded, false);
  assert.deepEqual(merged, await newTopK(third));
  assert.deepEqual(await newTopK(first), merged);
  assert.ok(!merged[3]!.some((h) => h.id === '2101.00100'), 'the old title of paper 100 no longer matches');
});

test('a merge whose save dies leaves the previous index; the next process catches up from it to the same top k', async (t) => {
  const { db, first, indexPath } = await savedIndex(t);
  const before = readFileSync(indexPath);
  // The process dies while writing the merged index: a partial temporary file, and no rename.
  first.indexSource.saveIndex = async (parts) => {
    writeFileSync(`${indexPath}.999999998.feedface.tmp`, parts[0]!);
    throw new Error('killed while saving');
  };
  await writeMany(first);
  await newTopK(first);
  await lexicalSearch(first).warmUp();
  assert.equal(lexicalSearch(first).index.merges, 1);
  assert.deepEqual(readFileSync(indexPath), before, 'the previous index is whole and unchanged');

  const second = db.open();
  await lexicalSearch(second).warmUp();
  assert.equal(lexicalSearch(second).index.loaded, true);
  const caughtUp = await newTopK(second);
  await lexicalSearch(second).warmUp();
  assert.equal(lexicalSearch(second).index.merges, 1, 'it merges the papers written since in turn');
  rmSync(indexPath);
  const third = db.open();
  await lexicalSearch(third).warmUp();
  assert.deepEqual(caughtUp, await newTopK(third));
});
