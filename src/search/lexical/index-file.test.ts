import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bm25Builder, TopK, type Bm25Index } from './bm25-index.ts';
import { INDEX_FORMAT_VERSION, IndexFileError, decodeIndex, encodeIndex } from './index-file.ts';

const W = { title: 3, authors: 2, abstract: 1 };

function corpus(): Bm25Index {
  let seed = 3;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const words = Array.from({ length: 500 }, (_, i) => (i % 13 === 0 ? `théorème${i}` : `word${i}`));
  const word = () => words[Math.floor(words.length * (rand(1000) / 1000) ** 2)]!;
  const builder = new Bm25Builder();
  for (let doc = 1; doc <= 3_000; doc++)
    builder.add({
      doc: doc * 3,
      id: `p${doc}`,
      title: Array.from({ length: 8 }, word),
      authors: [word()],
      abstract: Array.from({ length: 80 }, word),
    });
  return builder.build();
}

function top(index: Bm25Index, terms: string[]) {
  const scores = new Float32Array(index.maxDoc + 1);
  const touched: number[] = [];
  index.accumulate(terms, W, scores, touched, 10);
  const best = new TopK(10);
  for (const doc of touched) best.offer({ doc, id: index.id(doc)!, score: scores[doc]! });
  return best.sorted();
}

const joined = (parts: Uint8Array[]) => Buffer.concat(parts);

test('a saved index read back ranks exactly as the one saved, and keeps its write sequence', () => {
  const index = corpus();
  const bytes = joined(encodeIndex(index, 4242));
  const { index: loaded, writeSeq } = decodeIndex(bytes);
  assert.equal(writeSeq, 4242);
  assert.equal(loaded.documentCount, index.documentCount);
  assert.equal(loaded.postings, index.postings);
  for (const terms of [['word1'], ['word3', 'word40', 'théorème13'], ['word0', 'word2'], ['absent']]) {
    const expected = top(index, terms);
    assert.deepEqual(top(loaded, terms), expected, terms.join(' '));
    if (terms[0] !== 'absent') assert.equal(expected.length, 10);
  }
  assert.deepEqual(loaded.expandPrefix('théo', 3), index.expandPrefix('théo', 3));
  // Read in place from a buffer that does not start on an 8-byte boundary: copied, same result.
  const shifted = Buffer.alloc(bytes.length + 3);
  bytes.copy(shifted, 3);
  assert.deepEqual(top(decodeIndex(shifted.subarray(3)).index, ['word5']), top(index, ['word5']));
});

test('a cut-short, damaged, foreign or older saved index is refused with the reason', () => {
  const bytes = joined(encodeIndex(corpus(), 1));
  const refused = (data: Uint8Array, reason: RegExp) =>
    assert.throws(
      () => decodeIndex(data),
      (error: unknown) => error instanceof IndexFileError && reason.test(error.message),
    );
  refused(bytes.subarray(0, bytes.length - 1), /cut short/);
  refused(bytes.subarray(0, 10), /not a saved index/);
  refused(Buffer.concat([bytes, Buffer.alloc(8)]), /cut short|bytes where/);
  const damaged = Buffer.from(bytes);
  damaged[Math.floor(damaged.length / 2)]! ^= 0x10;
  refused(damaged, /checksum/);
  const older = Buffer.from(bytes);
  older.writeUInt32LE(INDEX_FORMAT_VERSION + 1, 8);
  refused(older, /format/);
  refused(Buffer.from('{"not":"an index"}'), /not a saved index/);
});
