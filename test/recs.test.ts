/** Recommendations: the per-member ranking, its reasons, exclusions and the cold start. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { PaperInput, DailyEntryInput } from '../src/domain/types.ts';
import { Recommender } from '../src/recs/recommender.ts';
import { centroid, choleskySolve, scoreRows, trainRidge, windowMoments } from '../src/recs/linear-model.ts';
import { memoryStore } from './helpers.ts';
import { TOPIC_DIMENSIONS, seededNoise, topicVector } from './topic-vectors.ts';

const store = memoryStore();
const MODEL = 'test-model/1';
const D = TOPIC_DIMENSIONS;
const TOPICS = [
  {
    name: 'quantum',
    title: 'Quantum error correction with surface codes',
    abstract: 'We study quantum error correction, surface codes and logical qubits on noisy quantum hardware.',
  },
  {
    name: 'protein',
    title: 'Protein folding with structure prediction',
    abstract: 'Protein structure prediction and folding dynamics of amino acid chains with diffusion models.',
  },
  {
    name: 'galaxy',
    title: 'Galaxy cluster survey of dark matter',
    abstract: 'A galaxy cluster survey measuring dark matter halos and weak lensing of distant galaxies.',
  },
];

const idOf = (topic: number, n: number) => `2608.${String(topic * 100 + n).padStart(5, '0')}`;

before(async () => {
  const next = seededNoise(7);
  const papers: PaperInput[] = [];
  const entries: DailyEntryInput[] = [];
  const vectors: { id: string; vector: Float32Array }[] = [];
  for (let t = 0; t < TOPICS.length; t++) {
    for (let n = 0; n < 20; n++) {
      const id = idOf(t, n);
      const day = `2026-08-${String(1 + (n % 20)).padStart(2, '0')}`;
      papers.push({
        id,
        title: `${TOPICS[t]!.title} ${n}`,
        summary: `${TOPICS[t]!.abstract} Variant ${n}.`,
        publishedAt: `${day}T00:00:00.000Z`,
        authors: [{ name: `Author ${t}`, externalId: null, hidden: false }],
        upvotes: t === 2 ? 50 - n : n,
      });
      vectors.push({ id, vector: topicVector(t, next) });
      if (n < 5)
        entries.push({
          day: '2026-08-20',
          paperId: id,
          position: entries.length,
          submittedAt: '2026-08-20T00:00:00.000Z',
          submittedBy: null,
          listedPublishedAt: `${day}T00:00:00.000Z`,
          thumbnail: null,
          isAuthorParticipating: false,
        });
    }
  }
  // An old paper, outside any 30-day window.
  papers.push({
    id: '2401.00001',
    title: 'Quantum codes of old',
    summary: 'Quantum error correction, long ago.',
    publishedAt: '2024-01-05T00:00:00.000Z',
    authors: [],
  });
  vectors.push({ id: '2401.00001', vector: topicVector(0, next) });
  await store.importBatch({ papers, entries, replaceDays: [] });
  await store.putVectors(MODEL, D, vectors);
});

test('a member who upvoted quantum papers gets quantum papers, with a reason, never what they liked or dismissed', async () => {
  const recommender = new Recommender(store, () => MODEL);
  const upvoted = [idOf(0, 0), idOf(0, 1), idOf(0, 2)];
  const saved = [idOf(0, 3)];
  const dismissed = [idOf(0, 4), idOf(0, 5)];
  const list = await recommender.recommend({ upvoted, saved, dismissed }, { limit: 10 });
  assert.equal(list.method, 'linear');
  assert.equal(list.coldStart, false);
  assert.equal(list.likesUsed, 4);
  assert.deepEqual(list.window, { firstDay: '2026-07-22', lastDay: '2026-08-20', papers: 60 });
  assert.equal(list.items.length, 10);
  const ids = list.items.map((i) => i.paper.id);
  for (const id of [...upvoted, ...saved, ...dismissed]) assert.ok(!ids.includes(id), `${id} is not recommended again`);
  assert.ok(!ids.includes('2401.00001'), 'papers outside the window are not recommended');
  assert.ok(
    list.items.every((i) => i.paper.title.startsWith('Quantum')),
    ids.join(' '),
  );
  const scores = list.items.map((i) => i.score);
  assert.deepEqual(
    scores,
    [...scores].sort((a, b) => b - a),
  );
  for (const item of list.items) {
    assert.equal(item.reason.kind, 'similar');
    if (item.reason.kind !== 'similar') continue;
    assert.ok([...upvoted, ...saved].includes(item.reason.closestTo.id));
    assert.ok(item.reason.words.length > 0 && item.reason.words.length <= 3);
    assert.ok(
      item.reason.words.every((w) => /quantum|error|correction|surface|codes|logical|qubits|noisy|hardware/.test(w)),
      item.reason.words.join(),
    );
    assert.match(
      item.reason.text,
      /^Close to “Quantum error correction with surface codes \d”, which you (upvoted|saved) · /,
    );
  }
});

test('one like ranks by the centroid; the list follows the liked topic', async () => {
  const list = await new Recommender(store, () => MODEL).recommend({ saved: [idOf(1, 0)] }, { limit: 5 });
  assert.equal(list.method, 'centroid');
  assert.ok(list.items.every((i) => i.paper.title.startsWith('Protein')));
  assert.match(list.items[0]!.reason.text, /which you saved/);
});

test('a member with no history gets the trending list, flagged as a cold start; dismissed papers stay out', async () => {
  const recommender = new Recommender(store, () => MODEL);
  const list = await recommender.recommend({ dismissed: [idOf(2, 0)] }, { limit: 8 });
  assert.equal(list.coldStart, true);
  assert.equal(list.coldStartReason, 'no-history');
  assert.equal(list.method, 'trending');
  assert.equal(list.items.length, 8);
  assert.ok(!list.items.some((i) => i.paper.id === idOf(2, 0)));
  assert.ok(list.items.every((i) => i.reason.kind === 'trending'));
  // The trending papers (on the feed) come first, then the newest.
  assert.ok(
    list.items.slice(0, 5).every((i) => /^2608\.00[0-2]0[0-4]$/.test(i.paper.id)),
    list.items.map((i) => i.paper.id).join(),
  );
});

test('without an embedder, or with likes that have no vector, the list is a cold start, not an error', async () => {
  const none = await new Recommender(store, () => null).recommend({ upvoted: [idOf(0, 0)] });
  assert.equal(none.coldStartReason, 'no-embedder');
  assert.ok(none.items.length > 0);
  const unknown = await new Recommender(store, () => MODEL).recommend({ upvoted: ['9999.99999'] });
  assert.equal(unknown.coldStartReason, 'not-embedded');
  assert.ok(!unknown.items.some((i) => i.paper.id === '9999.99999'));
  const otherModel = await new Recommender(store, () => 'another/model').recommend({ upvoted: [idOf(0, 0)] });
  assert.equal(otherModel.coldStartReason, 'not-embedded');
});

test('likes from outside the window still teach the model', async () => {
  const list = await new Recommender(store, () => MODEL).recommend({ upvoted: ['2401.00001'] }, { limit: 5 });
  assert.equal(list.coldStart, false);
  assert.ok(list.items.every((i) => i.paper.title.startsWith('Quantum')));
});

test('the window and its end day can be chosen; a logistic model ranks like the ridge one here', async () => {
  const recommender = new Recommender(store, () => MODEL, { model: 'logistic', lambda: 0.001 });
  const list = await recommender.recommend(
    { upvoted: [idOf(2, 1), idOf(2, 2), idOf(2, 3)] },
    { limit: 5, windowDays: 5, lastDay: '2026-08-10' },
  );
  assert.deepEqual(list.window, { firstDay: '2026-08-06', lastDay: '2026-08-10', papers: 15 });
  assert.ok(list.items.every((i) => i.paper.title.startsWith('Galaxy') && i.paper.publishedAt >= '2026-08-06'));
});

test('linear algebra: Cholesky solves, ridge separates two clusters, the centroid is unit length', () => {
  const a = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3]);
  const x = choleskySolve(a, Float64Array.from([2, 3, 4]), 3);
  const check = [4 * x[0]! + 2 * x[1]!, 2 * x[0]! + 5 * x[1]! + x[2]!, x[1]! + 3 * x[2]!];
  check.forEach((v, i) => {
    assert.ok(Math.abs(v - [2, 3, 4][i]!) < 1e-9);
  });
  const next = seededNoise(3);
  const rows = Array.from({ length: 40 }, (_, i) => topicVector(i % 2, next));
  const matrix = new Float32Array(40 * D);
  rows.forEach((r, i) => {
    matrix.set(r, i * D);
  });
  const model = trainRidge(rows.filter((_, i) => i % 2 === 1).slice(0, 5), windowMoments(matrix, 40, D), 0.05);
  const scores = scoreRows(matrix, 40, model);
  const min1 = Math.min(...[...scores].filter((_, i) => i % 2 === 1));
  const max0 = Math.max(...[...scores].filter((_, i) => i % 2 === 0));
  assert.ok(min1 > max0, 'every paper of the liked cluster outranks every other');
  assert.ok(Math.abs(Math.hypot(...centroid(rows.slice(0, 3), D)) - 1) < 1e-6);
});
