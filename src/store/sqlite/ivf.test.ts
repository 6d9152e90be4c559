/**
 * The lists of the in-memory vector index (ivf.ts, binary-index.ts) on clustered synthetic vectors: recall
 * against exact search, filtered searches that probe further, lists kept right by set/remove/replace (also
 * while a training runs), a save and load that finds exactly the same, and the small-collection path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { BinaryQuantizedIndex, listSearchFor } from './binary-index.ts';
import { CoarseQuantizer } from './ivf.ts';
import { decodeVectors, encodeVectors } from './vector-file.ts';

const DIMS = 64;
const COUNT = 20_000;
const CLUSTERS = 150;

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

const unit = (v: Float32Array) => {
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
};

const rand = random(3);
const CENTRES = Array.from({ length: CLUSTERS }, () => unit(Float32Array.from({ length: DIMS }, rand)));

/** A vector near one of the cluster centres (deterministic per document). */
function vectorOf(doc: number, spread = 0.25): Float32Array {
  const r = random(doc * 2654435761);
  const centre = CENTRES[doc % CLUSTERS]!;
  return unit(Float32Array.from({ length: DIMS }, (_, i) => centre[i]! + spread * r()));
}

/** An index of COUNT clustered vectors with its lists trained (from 1,000 vectors on). */
async function trained(): Promise<BinaryQuantizedIndex> {
  const index = new BinaryQuantizedIndex(DIMS, COUNT, { listsFrom: 1_000 });
  for (let doc = 1; doc <= COUNT; doc++) index.set(doc, vectorOf(doc));
  const before = new Map(Array.from({ length: COUNT }, (_, i) => [i + 1, index.get(i + 1)!]));
  assert.equal(index.wantsTraining, true);
  assert.equal(await index.train(), true);
  assert.equal(index.wantsTraining, false);
  // The vectors now sit in list order, each one unchanged.
  const { lists } = index.parts();
  assert.ok(lists.every((list, i) => i === 0 || list >= lists[i - 1]!));
  for (const [doc, vector] of before) assert.deepEqual(index.get(doc), vector);
  return index;
}

const QUERIES = Array.from({ length: 40 }, (_, q) => vectorOf(1_000_000 + q * 7, 0.5));

function recall(index: BinaryQuantizedIndex, search: (q: Float32Array) => { doc: number }[]): number {
  let found = 0;
  for (const q of QUERIES) {
    const exact = new Set(index.searchExact(q, 10).map((h) => h.doc));
    found += search(q).filter((h) => exact.has(h.doc)).length;
  }
  return found / (QUERIES.length * 10);
}

/** Every live document's list is its nearest leaf (recomputed), and the lists hold each exactly once. */
function assertListsRight(index: BinaryQuantizedIndex): void {
  const parts = index.parts();
  const quantizer = new CoarseQuantizer(parts.quantizer!, DIMS, parts.docs.length);
  assert.equal(parts.lists.length, parts.docs.length);
  for (let i = 0; i < parts.docs.length; i++) assert.equal(parts.lists[i], quantizer.leafOf(parts.vectors, i * DIMS));
}

test('searching the nearest lists finds what exact search finds, and probing one list does not', async () => {
  const index = await trained();
  const lists = index.quantizer!.lists;
  // About √n (each top centroid's leaves are rounded).
  assert.ok(Math.abs(lists - Math.sqrt(COUNT)) <= 0.1 * Math.sqrt(COUNT), `${lists} lists`);
  const byDefault = recall(index, (q) => index.search(q, 10));
  assert.ok(byDefault >= 0.95, `recall@10 ${byDefault} with the default probes`);
  assert.deepEqual(
    QUERIES.map((q) => index.search(q, 10)),
    QUERIES.map((q) => index.searchLists(q, 10, listSearchFor(lists, index.count))),
  );
  // One list holds ~1/141 of the vectors: a real cut, which the recall above was not measuring by accident.
  const oneList = recall(index, (q) => index.searchLists(q, 10, { probes: 1, keep: 0 }));
  assert.ok(oneList < byDefault, `one list ${oneList}, default ${byDefault}`);
  // All lists probed: every vector is in exactly one of them.
  assert.equal(
    recall(index, (q) => index.searchLists(q, 10, { probes: lists, keep: 0 })),
    1,
  );
  const cut = recall(index, (q) => index.searchLists(q, 10, { probes: 16, keep: 1_000 }));
  assert.ok(cut >= 0.9, `recall@10 ${cut} with a sign-bit cut`);
});

test('a filtered search probes further lists until it has k admitted matches', async () => {
  const index = await trained();
  const query = QUERIES[0]!;
  // Documents of clusters far from the query, scattered over many lists: none in the nearest lists.
  const far = index
    .searchExact(
      query.map((x) => -x),
      400,
    )
    .map((h) => h.doc)
    .filter((doc) => doc % 3 === 0);
  const admitted = new Set(far.slice(0, 40));
  const admits = (doc: number) => admitted.has(doc);
  const settings = { probes: 2, keep: 0 };
  const hits = index.searchLists(query, 10, settings, admits);
  assert.equal(hits.length, 10);
  assert.ok(hits.every((h) => admitted.has(h.doc)));
  assert.equal(new Set(hits.map((h) => h.doc)).size, 10);
  // Fewer admitted than k: all of them, wherever they are.
  const few = new Set(far.slice(0, 4));
  assert.deepEqual(
    index
      .searchLists(query, 10, settings, (doc) => few.has(doc))
      .map((h) => h.doc)
      .sort((a, b) => a - b),
    [...few].sort((a, b) => a - b),
  );
  assert.deepEqual(
    index
      .searchLists(query, 10, { probes: 2, keep: 500 }, (doc) => few.has(doc))
      .map((h) => h.doc)
      .sort((a, b) => a - b),
    [...few].sort((a, b) => a - b),
  );
  assert.deepEqual(
    index.searchLists(query, 10, settings, () => false),
    [],
  );
});

test('set, replace and remove keep every vector in its nearest list, also while a training runs', async () => {
  const index = await trained();
  // New documents, documents moved to another cluster, documents removed.
  for (let doc = COUNT + 1; doc <= COUNT + 300; doc++) index.set(doc, vectorOf(doc));
  const moved = Array.from({ length: 100 }, (_, i) => 1 + i * 37);
  // Each into the cluster of the next document (a vector of its own).
  for (const doc of moved) index.set(doc, vectorOf(doc + 1, 0.3));
  const removed = Array.from({ length: 100 }, (_, i) => 5 + i * 41);
  for (const doc of removed) index.remove(doc);
  assertListsRight(index);
  const all = { probes: index.quantizer!.lists, keep: 0 };
  for (const doc of moved.slice(0, 20)) {
    // Found at its new place, once, and not at its old one.
    const hits = index.searchLists(index.get(doc)!, 5, all);
    assert.equal(hits[0]!.doc, doc);
    assert.equal(hits.filter((h) => h.doc === doc).length, 1);
    assert.ok(!index.searchLists(vectorOf(doc), 50, all).some((h) => h.doc === doc && h.score > 0.99));
  }
  for (const doc of removed.slice(0, 20))
    assert.ok(!index.searchLists(vectorOf(doc), 20, all).some((h) => h.doc === doc));

  // A second training (more than twice the vectors), with writes between its steps.
  for (let doc = COUNT + 301; doc <= 2 * COUNT + 301; doc++) index.set(doc, vectorOf(doc));
  assert.equal(index.wantsTraining, true);
  const before = index.quantizer!;
  const training = index.train();
  assert.equal(index.train(), training, 'one training at a time');
  let turns = 0;
  let done = false;
  void training.then(() => (done = true));
  while (!done) {
    turns++;
    index.set(3 * COUNT + turns, vectorOf(turns));
    index.set(2 + turns * 13, vectorOf(turns * 5));
    index.remove(3 + turns * 17);
    await yieldToEventLoop();
  }
  assert.equal(await training, true);
  assert.ok(turns >= 3, `${turns} turns of the event loop during the training`);
  assert.notEqual(index.quantizer, before);
  assert.equal(index.quantizer!.trainedOn > COUNT * 2, true);
  assertListsRight(index);
});

test('a training told to stop leaves the index as it was', async () => {
  const index = new BinaryQuantizedIndex(DIMS, COUNT, { listsFrom: 1_000 });
  for (let doc = 1; doc <= COUNT; doc++) index.set(doc, vectorOf(doc));
  const reference = QUERIES.map((q) => index.search(q, 10));
  assert.equal(await index.train(() => true), false);
  assert.equal(index.quantizer, null);
  assert.deepEqual(
    QUERIES.map((q) => index.search(q, 10)),
    reference,
  );
});

test('saved and loaded, the lists find exactly what they found before the save', async () => {
  const index = await trained();
  for (const doc of [7, 70, 700]) index.remove(doc);
  index.set(9, vectorOf(10));
  const header = {
    modelId: 'm',
    modelNumber: 1,
    modelCreatedAt: 'now',
    dimensions: DIMS,
    writeSeq: 0,
    lastPaper: null,
  };
  const bytes = Buffer.concat(encodeVectors(index, header));
  const { index: loaded, header: read } = decodeVectors(bytes, { listsFrom: 1_000 });
  assert.equal(read.lists, index.quantizer!.lists);
  assert.deepEqual(loaded.quantizer, index.quantizer);
  for (const settings of [
    listSearchFor(index.quantizer!.lists, index.count),
    { probes: 3, keep: 0 },
    { probes: 12, keep: 800 },
  ])
    assert.deepEqual(
      QUERIES.map((q) => loaded.searchLists(q, 10, settings)),
      QUERIES.map((q) => index.searchLists(q, 10, settings)),
    );
  assert.deepEqual(
    QUERIES.map((q) => loaded.search(q, 20, (doc) => doc % 2 === 0)),
    QUERIES.map((q) => index.search(q, 20, (doc) => doc % 2 === 0)),
  );
  assertListsRight(loaded);
  // List numbers that name no list, or lists that do not match the vectors, are refused.
  const parts = index.parts();
  const wrong = parts.lists.slice();
  wrong[5] = index.quantizer!.lists;
  assert.throws(() => BinaryQuantizedIndex.fromParts({ ...parts, lists: wrong }), /no list/);
  assert.throws(() => BinaryQuantizedIndex.fromParts({ ...parts, lists: wrong.subarray(1) }), /different lengths/);
});

test('below the size from which lists are used, nothing is trained and search is the sign-bit scan', async () => {
  const index = new BinaryQuantizedIndex(DIMS, COUNT);
  for (let doc = 1; doc <= COUNT; doc++) index.set(doc, vectorOf(doc));
  assert.equal(index.wantsTraining, false);
  assert.equal(index.quantizer, null);
  assert.deepEqual(
    QUERIES.map((q) => index.search(q, 10)),
    QUERIES.map((q) => index.scan(q, 10, 20, undefined, 2_000)),
  );
  assert.equal(index.parts().quantizer, null);
  // Lists trained, then the index shrinks below the size: the scan again.
  const shrunk = await trained();
  const restored = BinaryQuantizedIndex.fromParts(shrunk.parts(), 10, { listsFrom: 19_000 });
  for (let doc = 1; doc <= 2_000; doc++) restored.remove(doc);
  assert.ok(restored.quantizer !== null && restored.count < 19_000);
  assert.deepEqual(
    QUERIES.map((q) => restored.search(q, 10)),
    QUERIES.map((q) => restored.scan(q, 10, 20, undefined, 2_000)),
  );
});
