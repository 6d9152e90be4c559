import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MENTIONS, mentionedHandles } from './mentions.ts';

test('mentions: handles after a space, a line start or punctuation, lower-cased, once each', () => {
  assert.deepEqual(mentionedHandles('@Ada thanks, and (@bob-smith): see @ada again.'), ['ada', 'bob-smith']);
  assert.deepEqual(mentionedHandles('cc @carol\n@dave'), ['carol', 'dave']);
});

test('mentions: not in addresses, code, or outside the handle rules', () => {
  assert.deepEqual(mentionedHandles('write to ada@example.org'), []);
  assert.deepEqual(mentionedHandles('`@ada` and\n```\n@bob\n```\n'), []);
  assert.deepEqual(mentionedHandles('@a @x--y @-z @toolongtoolongtoolongtoolong'), []);
  assert.deepEqual(mentionedHandles('@@ada'), []);
});

test('mentions: at most a few per comment', () => {
  const many = Array.from({ length: 30 }, (_, i) => `@member${i}`).join(' ');
  assert.equal(mentionedHandles(many).length, MAX_MENTIONS);
});
