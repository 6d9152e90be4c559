import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDisplayName, checkHandle, randomHandle, tombstoneName } from './handles.ts';

test('a suggested handle is random, valid, and says nothing about anyone', () => {
  const handles = new Set(Array.from({ length: 200 }, randomHandle));
  assert.ok(handles.size > 190, 'random');
  for (const handle of handles) {
    assert.match(handle, /^reader-[a-z0-9]{5}$/);
    assert.deepEqual(checkHandle(handle), { ok: true, handle }, 'a member may keep it');
  }
});

test('handles: 2–24 characters, a–z, 0–9 and single dashes between them; an @ and capitals are forgiven', () => {
  assert.deepEqual(checkHandle(' @Ada-Lovelace '), { ok: true, handle: 'ada-lovelace' });
  assert.deepEqual(checkHandle('x9'), { ok: true, handle: 'x9' });
  assert.deepEqual(checkHandle('a'.repeat(24)), { ok: true, handle: 'a'.repeat(24) });
  for (const [input, error] of [
    ['a', /2 to 24 characters/],
    ['a'.repeat(25), /2 to 24 characters/],
    ['', /2 to 24 characters/],
    ['ada lovelace', /a–z, the digits 0–9 and dashes/],
    ['ada_l', /a–z/],
    ['adä', /a–z/],
    ['ada.l', /a–z/],
    ['<script>', /a–z/],
    ['-ada', /Dashes go between/],
    ['ada-', /Dashes go between/],
    ['ada--l', /two in a row/],
  ] as const) {
    const checked = checkHandle(input);
    assert.equal(checked.ok, false, input);
    if (!checked.ok) assert.match(checked.error, error, input);
  }
});

test("a deleted account's name can be neither chosen nor a Hugging Face name", () => {
  assert.equal(checkHandle(tombstoneName(42)).ok, false);
  assert.notEqual(tombstoneName(1), tombstoneName(2));
});

test('display names: white space folded, 1–60 characters', () => {
  assert.deepEqual(checkDisplayName('  Ada \n  Lovelace '), { ok: true, name: 'Ada Lovelace' });
  assert.equal(checkDisplayName('   ').ok, false);
  assert.equal(checkDisplayName('x'.repeat(61)).ok, false);
});
