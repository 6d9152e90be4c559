import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bm25Index, documentTerms } from './bm25-index.ts';
import { decodeIndex, encodeIndex } from './index-file.ts';
import { SurfaceWords } from './surface-words.ts';

const sample = ['optimization', 'optimize', 'optimal', 'opt', 'zeta', 'λambda', 'αβ', 'ß', '3d', 'optimization'];

test('words as written: each once, found by prefix in sorted order, and nothing else', () => {
  const surface = SurfaceWords.of(sample);
  assert.equal(surface.size, 9);
  assert.deepEqual(surface.startingWith('optimi', 10), ['optimization', 'optimize']);
  assert.deepEqual(surface.startingWith('opt', 10), ['opt', 'optimal', 'optimization', 'optimize']);
  assert.deepEqual(surface.startingWith('opt', 2), ['opt', 'optimal']);
  assert.deepEqual(surface.startingWith('optimizz', 10), []);
  assert.deepEqual(surface.startingWith('λ', 10), ['λambda']);
  assert.deepEqual(surface.startingWith('zz', 10), []);
  for (const word of sample) assert.ok(surface.has(word), word);
  for (const word of ['op', 'optimizations', 'λ', '']) assert.ok(!surface.has(word), word);
  assert.equal(SurfaceWords.empty.size, 0);
  assert.deepEqual(SurfaceWords.empty.startingWith('a', 5), []);
});

test('adding words gives what building from all of them gives, and leaves the original as it was', () => {
  const before = SurfaceWords.of(sample.slice(0, 5));
  const after = before.with(['optimizer', 'aardvark', 'optimal', 'ω']);
  const scratch = SurfaceWords.of([...sample.slice(0, 5), 'optimizer', 'aardvark', 'ω']);
  assert.deepEqual(after.parts(), scratch.parts());
  assert.equal(before.has('optimizer'), false);
  assert.equal(before.with(['opt', 'zeta']), before, 'nothing new: the same list');
});

test('an index keeps the words of its papers through a merge and a save', () => {
  const index = Bm25Index.build([
    { doc: 1, id: 'a', title: ['optim'], authors: [], abstract: ['method'], words: ['optimization', 'methods'] },
  ]);
  const merged = index.merged([
    documentTerms({ doc: 2, id: 'b', title: ['optim'], authors: [], abstract: [], words: ['optimizer'] }),
  ]);
  assert.deepEqual(merged.surface.startingWith('optimiz', 10), ['optimization', 'optimizer']);
  assert.deepEqual(index.surface.startingWith('optimiz', 10), ['optimization']);
  const saved = Buffer.concat(encodeIndex(merged, 7));
  const { index: loaded } = decodeIndex(saved);
  assert.deepEqual(loaded.surface.parts(), merged.surface.parts());
  assert.deepEqual(loaded.surface.startingWith('meth', 10), ['methods']);
});

test('offsets that do not describe the word bytes are refused', () => {
  const { surfaceWords } = SurfaceWords.of(['ab', 'cd']).parts();
  assert.throws(() => SurfaceWords.fromParts({ surfaceWords, surfaceStarts: Uint32Array.of(0, 2, 3) }), RangeError);
  assert.throws(() => SurfaceWords.fromParts({ surfaceWords, surfaceStarts: new Uint32Array(0) }), RangeError);
});
