import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parts, splitSentences, tokenize } from './tokenizer.ts';

test('words are lowercased, accents folded, stop words dropped; model names and numbers survive', () => {
  assert.deepEqual(tokenize('The GPT-4 model of Schrödinger reaches 3.5% on 1,000 tasks'), [
    'gpt-4',
    'model',
    'schrodinger',
    'reaches',
    '3.5',
    '1,000',
    'tasks',
  ]);
  assert.deepEqual(tokenize('state-of-the-art self-supervised p_t ViT-B/16'), [
    'state-of-the-art',
    'self-supervised',
    'p_t',
    'vit-b',
    '16',
  ]);
  assert.deepEqual(tokenize("model's end. Next"), ["model's", 'end', 'next']);
  assert.deepEqual(tokenize('日本語 テキスト and Ελληνικά'), ['日本語', 'テキスト', 'ελληνικα']);
});

test('compound parts, over-long tokens, empty and odd input', () => {
  assert.deepEqual(parts('state-of-the-art'), ['state', 'art']);
  assert.deepEqual(tokenize('x'.repeat(100)), []);
  assert.deepEqual(tokenize(`${'a'.repeat(30)}-${'b'.repeat(30)}`), ['a'.repeat(30), 'b'.repeat(30)]);
  for (const text of ['', '   ', '🚀🔥', '\u0000\u0001', '$$ \\frac{a}{b} $$'])
    assert.ok(Array.isArray(tokenize(text)));
  assert.deepEqual(tokenize('🚀🔥'), []);
});

test('sentences split at end punctuation followed by a capital, not inside "e.g. the"', () => {
  assert.deepEqual(splitSentences('We study X. It works, e.g. on Y! Does it? Yes.'), [
    'We study X.',
    'It works, e.g. on Y!',
    'Does it?',
    'Yes.',
  ]);
  assert.deepEqual(splitSentences(''), []);
});
