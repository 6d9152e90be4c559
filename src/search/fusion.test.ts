import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuse } from './fusion.ts';

const lexical = [
  { id: 'a', score: 10 },
  { id: 'b', score: 6 },
  { id: 'c', score: 2 },
];
const vector = [
  { id: 'c', score: 0.9 },
  { id: 'd', score: 0.5 },
  { id: 'a', score: 0.1 },
];

test('convex fusion normalises each side and weighs the vector side by w', () => {
  const fused = fuse(lexical, vector, { method: 'convex', vectorWeight: 0.3, rrfK: 60 });
  const byId = Object.fromEntries(fused.map((h) => [h.id, h]));
  // a: lexical 1, vector 0 -> 0.7; b: 0.5 lexical, absent vector -> 0.35; c: 0 lexical, 1 vector -> 0.3; d: 0.5 vector -> 0.15
  assert.deepEqual(
    fused.map((h) => h.id),
    ['a', 'b', 'c', 'd'],
  );
  assert.equal(byId.a!.score.toFixed(4), '0.7000');
  assert.equal(byId.c!.score.toFixed(4), '0.3000');
  assert.equal(byId.d!.score.toFixed(4), '0.1500');
  assert.deepEqual([byId.c!.lexicalRank, byId.c!.vectorRank], [3, 1]);
  assert.deepEqual([byId.d!.lexicalRank, byId.d!.vectorRank], [null, 2]);
});

test('weight 0 keeps the lexical order exactly', () => {
  const fused = fuse(lexical, vector, { method: 'convex', vectorWeight: 0, rrfK: 60 });
  assert.deepEqual(
    fused.slice(0, 3).map((h) => h.id),
    ['a', 'b', 'c'],
  );
});

test('reciprocal rank fusion sums 1/(k + rank)', () => {
  const fused = fuse(lexical, vector, { method: 'rrf', vectorWeight: 0, rrfK: 60 });
  const c = fused.find((h) => h.id === 'c')!;
  assert.equal(c.score, 1 / 63 + 1 / 61);
  assert.equal(fused[0]!.id, 'a');
});
