/**
 * The saved copy of a model's vectors (a file beside the SQLite database): a process that starts later loads it
 * and finds exactly what a copy read from the table finds; vectors written, written again or removed after the
 * save are reflected; a cut-short, damaged, foreign or outdated file, or a save that died, is set aside and the
 * copy is read from the table and saved again, with nothing lost.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { SqliteDatabase } from './database.ts';
import { madeUp } from '../../../test/contract/fixtures.ts';
import { VECTOR_FILE_VERSION, decodeVectors } from './vector-file.ts';
import { SqliteStore } from './sqlite-store.ts';
import { encodeArrays } from '../saved-arrays.ts';
import { tempDatabase } from '../../../test/support/temp-database.ts';

const MODEL = 'test-model';
const DIMS = 64;
/** More than twice the candidate floor (2,000), so searches take the sign-bit pre-selection, not exact search. */
const PAPERS = 5_000;

/** Deterministic vectors in a few dozen clusters, unit length. */
function vectorOf(seed: number): Float32Array {
  let state = (seed * 2654435761) >>> 0 || 1;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const center = seed % 37;
  const v = new Float32Array(DIMS);
  for (let i = 0; i < DIMS; i++) v[i] = ((center * 7 + i * 13) % 11) / 11 - 0.45 + rand() * 0.6;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

const QUERIES = Array.from({ length: 12 }, (_, i) => vectorOf(100_000 + i * 31));

const database = (t: TestContext) => tempDatabase(t, 'vector-file');

async function seed(store: SqliteStore, from: number, count: number, salt = 0): Promise<void> {
  const papers = Array.from({ length: count }, (_, i) => madeUp(from + i));
  await store.importBatch({ papers, entries: [], replaceDays: [] });
  await store.putVectors(
    MODEL,
    DIMS,
    papers.map((p, i) => ({ id: p.id, vector: vectorOf(from + i + salt) })),
  );
}

async function topK(store: SqliteStore, queries = QUERIES) {
  const results = [];
  for (const q of queries) results.push(await store.searchVectors(MODEL, q, 20, {}));
  return results;
}

/** A database of PAPERS papers whose vector copy was read from the table, searched (the reference top k) and saved. */
async function savedCopy(t: TestContext) {
  const db = database(t);
  const first = db.open();
  await seed(first, 1, PAPERS);
  const reference = await topK(first);
  const filePath = first.vectorFilePath(MODEL)!;
  await first.close(); // waits for the save
  return { db, reference, filePath };
}

/** What a copy read from the table finds, the saved file set aside (and put back). */
async function fromTable(db: ReturnType<typeof database>, filePath: string, queries = QUERIES) {
  const saved = existsSync(filePath) ? readFileSync(filePath) : null;
  rmSync(filePath, { force: true });
  const store = db.open();
  const results = await topK(store, queries);
  assert.equal(store.vectorsLoadedFromFile(MODEL), false);
  await store.close();
  if (saved) writeFileSync(filePath, saved);
  else rmSync(filePath, { force: true });
  return results;
}

test('a copy loaded from the saved file finds exactly what one read from the table finds', async (t) => {
  const db = database(t);
  const first = db.open();
  await seed(first, 1, PAPERS);
  const built = await topK(first);
  assert.equal(first.vectorsLoadedFromFile(MODEL), false);
  const filePath = first.vectorFilePath(MODEL)!;
  await first.close(); // waits for the save
  assert.ok(filePath.endsWith('paperboy.db.vectors-1'));
  const { header } = decodeVectors(readFileSync(filePath));
  assert.equal(header.count, PAPERS);
  assert.equal(header.modelId, MODEL);
  assert.equal(header.dimensions, DIMS);

  const second = db.open();
  const loaded = await topK(second);
  assert.equal(second.vectorsLoadedFromFile(MODEL), true);
  assert.deepEqual(loaded, built);
  assert.equal(loaded[0]!.length, 20);
  await second.close();
  assert.deepEqual(await fromTable(db, filePath), loaded);
});

test('vectors written, written again and removed after the save are reflected after a restart', async (t) => {
  const { db, filePath } = await savedCopy(t);
  const savedBytes = readFileSync(filePath);

  // Another process: new papers embedded, and a paper embedded again with another vector.
  const writer = db.open();
  await seed(writer, PAPERS + 1, 300);
  const moved = madeUp(7).id;
  const target = vectorOf(PAPERS + 42); // the vector of one of the new papers
  await writer.putVectors(MODEL, DIMS, [{ id: moved, vector: target }]);
  await writer.close();
  // Fewer than the saving threshold (2,000) were written: the file is the one saved before.
  assert.deepEqual(readFileSync(filePath), savedBytes);

  const restarted = db.open();
  const queries = [...QUERIES, target, vectorOf(7)];
  const results = await topK(restarted, queries);
  assert.equal(restarted.vectorsLoadedFromFile(MODEL), true);
  const ids = (i: number) => results[i]!.map((h) => h.id);
  // The re-embedded paper is found at its new place, and no longer at its old one.
  assert.ok(ids(QUERIES.length).includes(moved));
  assert.ok(ids(QUERIES.length).includes(madeUp(PAPERS + 42).id));
  assert.ok(!ids(QUERIES.length + 1).includes(moved));
  await restarted.close();
  assert.deepEqual(await fromTable(db, filePath, queries), results);

  // A vector removed from the table behind the store's back (no write logged): the counts disagree, so the
  // file is set aside and the table read.
  const raw = new SqliteDatabase(db.path);
  const gone = madeUp(3).id; // its write is covered by the file
  const rowid = Number(raw.sql('SELECT rowid FROM papers WHERE id = ?').get(gone)!.rowid);
  raw.raw.exec(`DELETE FROM paper_vectors_1 WHERE rowid = ${rowid}`);
  raw.close();
  const afterDelete = db.open();
  const warnings = captureWarnings(t);
  const hits = await topK(afterDelete, [target]);
  assert.equal(afterDelete.vectorsLoadedFromFile(MODEL), false);
  await delivered();
  assert.ok(warnings.some((w) => /where the table has/.test(w)));
  assert.ok(!hits[0]!.some((h) => h.id === gone));
  assert.ok(hits[0]!.some((h) => h.id === moved));
  assert.ok(hits[0]!.some((h) => h.id === madeUp(PAPERS + 42).id));
  assert.ok(!(await afterDelete.searchVectors(MODEL, vectorOf(3), 20, {})).some((h) => h.id === gone));
});

test('a process that has its copy takes in vectors another process writes, and saves once enough changed', async (t) => {
  const db = database(t);
  const reader = db.open();
  await seed(reader, 1, PAPERS);
  await topK(reader);
  const filePath = reader.vectorFilePath(MODEL)!;
  const writer = db.open();
  const target = vectorOf(999_999);
  await seed(writer, PAPERS + 1, 2_100);
  await writer.putVectors(MODEL, DIMS, [{ id: madeUp(PAPERS + 1).id, vector: target }]);
  const hits = await reader.searchVectors(MODEL, target, 5, {});
  assert.equal(hits[0]!.id, madeUp(PAPERS + 1).id);
  assert.ok(hits[0]!.score > 0.999);
  // More than 2,000 taken in: saved again with the sequence they reached.
  await reader.close();
  const { header } = decodeVectors(readFileSync(filePath));
  assert.equal(header.count, PAPERS + 2_100);
  assert.equal(header.writeSeq, PAPERS + 2_100 + 1);
  const restarted = db.open();
  const again = await restarted.searchVectors(MODEL, target, 5, {});
  assert.equal(restarted.vectorsLoadedFromFile(MODEL), true);
  assert.deepEqual(again, hits);
});

/** Warnings are delivered after the work that emitted them. */
const delivered = () => new Promise((resolve) => setTimeout(resolve, 20));

function captureWarnings(t: TestContext): string[] {
  const warnings: string[] = [];
  const listener = (warning: Error) => warnings.push(warning.message);
  process.on('warning', listener);
  t.after(() => process.off('warning', listener));
  return warnings;
}

test('a cut-short, damaged, outdated or foreign file, or a save that died, is set aside and rebuilt', async (t) => {
  const { db, reference, filePath } = await savedCopy(t);
  const good = readFileSync(filePath);

  const flipped = Buffer.from(good);
  flipped[Math.floor(flipped.length / 2)]! ^= 0x20;
  const older = Buffer.from(good);
  older.writeUInt32LE(VECTOR_FILE_VERSION + 1, 8);
  // A second model of the same dimensions: its file holds another model's vectors.
  const other = db.open();
  await other.putVectors('other-model', DIMS, [{ id: madeUp(1).id, vector: vectorOf(1) }]);
  const otherPath = other.vectorFilePath('other-model')!;
  await other.close();
  assert.ok(otherPath.endsWith('.vectors-2'));

  const cases: [string, () => void, RegExp][] = [
    ['cut short', () => truncateSync(filePath, good.length - 100), /cut short/],
    ['a flipped byte', () => writeFileSync(filePath, flipped), /checksum/],
    ['another format', () => writeFileSync(filePath, older), /format/],
    ['garbage', () => writeFileSync(filePath, 'not vectors at all'), /not a saved vector file/],
  ];
  for (const [what, damage, reason] of cases) {
    writeFileSync(filePath, good);
    damage();
    const warnings = captureWarnings(t);
    const store = db.open();
    assert.deepEqual(await topK(store), reference, what);
    assert.equal(store.vectorsLoadedFromFile(MODEL), false, what);
    await delivered();
    assert.ok(
      warnings.some((w) => reason.test(w)),
      `${what}: ${warnings.join('; ')}`,
    );
    await store.close();
    // Saved again whole: the next process loads it.
    assert.deepEqual(readFileSync(filePath), good, what);
  }

  // Another model's file under this model's name.
  writeFileSync(otherPath, good);
  const warnings = captureWarnings(t);
  const foreign = db.open();
  const hits = await foreign.searchVectors('other-model', vectorOf(1), 5, {});
  assert.deepEqual(
    hits.map((h) => h.id),
    [madeUp(1).id],
  );
  assert.equal(foreign.vectorsLoadedFromFile('other-model'), false);
  await delivered();
  assert.ok(warnings.some((w) => /another model/.test(w)));
  await foreign.close();

  // A save that died before its rename: the temporary is left, the file is the previous one.
  writeFileSync(`${filePath}.999999.deadbeef.tmp`, good.subarray(0, 1000));
  const afterCrash = db.open();
  assert.deepEqual(await topK(afterCrash), reference);
  assert.equal(afterCrash.vectorsLoadedFromFile(MODEL), true);
  // The next save removes the abandoned temporary.
  await seed(afterCrash, PAPERS + 1, 2_001);
  await afterCrash.close();
  assert.deepEqual(
    readdirSync(db.dir).filter((name) => name.endsWith('.tmp')),
    [],
  );
  assert.equal(decodeVectors(readFileSync(filePath)).header.count, PAPERS + 2_001);
});

test('a file ahead of the database (an older backup restored) is set aside', async (t) => {
  const db = database(t);
  const earlier = db.open();
  await seed(earlier, 1, PAPERS);
  await earlier.close(); // the last connection: the WAL is folded into the file
  const backup = readFileSync(db.path);
  const first = db.open();
  await seed(first, PAPERS + 1, 2_001);
  const reference = await topK(first);
  const filePath = first.vectorFilePath(MODEL)!;
  await first.close();
  const later = readFileSync(filePath);
  // The database as it was before the last 2,001 vectors, beside the file saved after them.
  rmSync(`${db.path}-wal`, { force: true });
  rmSync(`${db.path}-shm`, { force: true });
  writeFileSync(db.path, backup);
  writeFileSync(filePath, later);
  const warnings = captureWarnings(t);
  const restored = db.open();
  const results = await topK(restored);
  assert.equal(restored.vectorsLoadedFromFile(MODEL), false);
  await delivered();
  assert.ok(warnings.some((w) => /ahead of the database/.test(w)));
  assert.notDeepEqual(results, reference);
  await restored.close();
  assert.deepEqual(await fromTable(db, filePath), results);
});

test('vectors written while the copy is read from the table are in it', async (t) => {
  const db = database(t);
  const writer = db.open();
  // Read in steps of 4,096 rows: two turns of the event loop inside the read (and one reading the missing file).
  await seed(writer, 1, 9_000);
  const reader = db.open();
  const target = (i: number) => vectorOf(500_000 + i);
  let loading = true;
  const searched = reader.searchVectors(MODEL, vectorOf(1), 5, {}).finally(() => {
    loading = false;
  });
  // Papers embedded again by this process, one per turn of the event loop, while the read goes on.
  let during = 0;
  for (let i = 0; loading; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    await reader.putVectors(MODEL, DIMS, [{ id: madeUp(i + 1).id, vector: target(i) }]);
    if (loading) during++;
  }
  await searched;
  assert.equal(reader.vectorsLoadedFromFile(MODEL), false);
  assert.ok(during >= 2, `${during} writes during the read`);
  for (let i = 0; i <= during; i++) {
    const hits = await reader.searchVectors(MODEL, target(i), 3, {});
    assert.equal(hits[0]!.id, madeUp(i + 1).id, `paper ${i + 1}`);
    assert.ok(hits[0]!.score > 0.999);
  }
});

test('a file whose last write the log no longer holds at its sequence is set aside', async (t) => {
  const { db, reference, filePath } = await savedCopy(t);
  // The paper logged last before the save is embedded again (same vector): its write moves to a later sequence.
  const writer = db.open();
  await writer.putVectors(MODEL, DIMS, [{ id: madeUp(PAPERS).id, vector: vectorOf(PAPERS) }]);
  await writer.close();
  const warnings = captureWarnings(t);
  const restarted = db.open();
  assert.deepEqual(await topK(restarted), reference);
  assert.equal(restarted.vectorsLoadedFromFile(MODEL), false);
  await delivered();
  assert.ok(warnings.some((w) => /last write is not in the log/.test(w)));
  await restarted.close();
  // Saved again, covering the new write: the next process loads it.
  assert.equal(decodeVectors(readFileSync(filePath)).header.writeSeq, PAPERS + 1);
  const next = db.open();
  assert.deepEqual(await topK(next), reference);
  assert.equal(next.vectorsLoadedFromFile(MODEL), true);
});

test('an unlogged removal with enough written since to save: the file saved is the one read from the table', async (t) => {
  const { db, filePath } = await savedCopy(t);
  // Enough written since to save again, and a vector the file covers removed without a logged write.
  const writer = db.open();
  await seed(writer, PAPERS + 1, 2_100);
  await writer.close();
  const raw = new SqliteDatabase(db.path);
  const gone = madeUp(3).id;
  const rowid = Number(raw.sql('SELECT rowid FROM papers WHERE id = ?').get(gone)!.rowid);
  raw.raw.exec(`DELETE FROM paper_vectors_1 WHERE rowid = ${rowid}`);
  raw.close();
  const restarted = db.open();
  await topK(restarted);
  assert.equal(restarted.vectorsLoadedFromFile(MODEL), false);
  await restarted.close();
  const { header, index } = decodeVectors(readFileSync(filePath));
  assert.equal(header.count, PAPERS + 2_100 - 1);
  assert.equal(index.get(rowid), null);
  const next = db.open();
  const hits = await next.searchVectors(MODEL, vectorOf(3), 20, {});
  assert.equal(next.vectorsLoadedFromFile(MODEL), true);
  assert.ok(!hits.some((h) => h.id === gone));
});

test('from the size set, the lists are trained in the background and saved; the next process loads them, and an old file without them is rebuilt', async (t) => {
  const db = database(t);
  const open = () => {
    const store = new SqliteStore(db.path, { vectors: { listsFrom: 1_000 } });
    t.after(() => store.close());
    return store;
  };
  const first = open();
  await seed(first, 1, PAPERS);
  await topK(first); // loads the copy from the table, saves it, and starts the training
  await first.vectorsTrained(MODEL);
  const trained = await topK(first);
  const filePath = first.vectorFilePath(MODEL)!;
  await first.close(); // waits for the save that follows the training
  const { header, index } = decodeVectors(readFileSync(filePath), { listsFrom: 1_000 });
  assert.ok(header.lists >= 60 && header.lists <= 80, `${header.lists} lists`);
  assert.equal(header.trainedOn, PAPERS);
  assert.deepEqual(index.quantizer, { lists: header.lists, trainedOn: PAPERS });

  const second = open();
  assert.deepEqual(await topK(second), trained);
  assert.equal(second.vectorsLoadedFromFile(MODEL), true);
  await second.close();
  assert.deepEqual(decodeVectors(readFileSync(filePath)).header, header, 'loaded, not trained or saved again');

  // The same copy in the previous format (version 1: the vectors without lists).
  const parts = index.parts();
  const { tops, lists, trainedOn, ...v1 } = header;
  void [tops, lists, trainedOn];
  writeFileSync(
    filePath,
    Buffer.concat(
      encodeArrays({ magic: 'PBVECIDX', version: 1, what: 'vector file' }, v1, [
        parts.docs,
        parts.scales,
        parts.vectors,
        parts.codes,
      ]),
    ),
  );
  const third = open();
  // Read from the table, searched by the sign-bit scan until the lists are trained again.
  assert.equal((await topK(third))[0]!.length, 20);
  assert.equal(third.vectorsLoadedFromFile(MODEL), false);
  await third.vectorsTrained(MODEL);
  assert.deepEqual(await topK(third), trained);
  await third.close();
  const again = decodeVectors(readFileSync(filePath)).header;
  assert.equal(again.lists, header.lists);
});

test('exact vectors are read from a plain table written with the sqlite-vec one; a model written before it gets it filled', async (t) => {
  const { db, reference } = await savedCopy(t);
  const floats = (raw: SqliteDatabase) =>
    raw.raw.prepare('SELECT rowid, embedding FROM paper_vector_floats_1 ORDER BY rowid').all();
  const fromVec = (raw: SqliteDatabase) =>
    raw.raw.prepare('SELECT rowid, embedding FROM paper_vectors_1 ORDER BY rowid').all();
  let raw = new SqliteDatabase(db.path);
  assert.equal(floats(raw).length, PAPERS, 'every vector written to both');
  assert.deepEqual(floats(raw), fromVec(raw));
  // A model of an older version: no plain table.
  raw.raw.exec('DROP TABLE paper_vector_floats_1');
  raw.close();
  const restarted = db.open();
  assert.deepEqual(await topK(restarted), reference, 'the same hits and exact scores');
  raw = new SqliteDatabase(db.path);
  assert.deepEqual(floats(raw), fromVec(raw), 'filled from the sqlite-vec table when loaded');
  raw.raw.exec('DROP TABLE paper_vector_floats_1');
  raw.close();
  // Or when vectors are written first: the table is filled, and the new vectors go to both.
  const writer = db.open();
  await seed(writer, PAPERS + 1, 10, 7);
  await seed(writer, 1, 10, 9);
  await writer.close();
  raw = new SqliteDatabase(db.path);
  assert.equal(floats(raw).length, PAPERS + 10);
  assert.deepEqual(floats(raw), fromVec(raw));
  raw.close();
});
