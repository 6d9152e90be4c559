import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TermTable, analyze } from './analyzer.ts';

const TEXTS = [
  'Sparse Attention for LONG documents: GPT-4, 3D and x86_64 (2024)!',
  'running runners ran; the attention attends to attentive heads',
  'naïve Über-café résumé ﬁber ＡＢＣ 中文 𝔸lgebra',
  '',
  '   ,;  ',
  'a b c ab abc abcd 1 12 123 1a a1',
  'tab\there\nnew line\r\nend\\back',
  'Running running RUNNING rUnNiNg',
];

test('a term table gives the terms of analyze(), in order, for ASCII and other text', () => {
  const table = new TermTable();
  for (let round = 0; round < 2; round++) {
    const ids = table.terms(TEXTS);
    assert.deepEqual(
      ids.map((list) => list.map((id) => table.term(id))),
      TEXTS.map(analyze),
    );
  }
  // One id per term, whatever the word it came from.
  const [running] = table.terms(['Running running RUNNING runs run']);
  assert.equal(new Set(running).size, 1);
  assert.notDeepEqual(
    running!.map((id) => table.term(id)),
    [],
  );
});

test('a term table starts over on reset(): ids from 0 again, terms as before', () => {
  const table = new TermTable();
  table.terms(TEXTS);
  assert.ok(table.size > 20);
  table.reset();
  assert.equal(table.size, 0);
  const [ids] = table.terms(['graph neural networks graph']);
  assert.deepEqual(ids, [0, 1, 2, 0]);
  assert.deepEqual(
    ids!.map((id) => table.term(id)),
    analyze('graph neural networks graph'),
  );
});
