import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEmail } from './email.ts';

test('plain addresses are accepted and lower-cased', () => {
  assert.deepEqual(checkEmail('  Ada.Lovelace+papers@Example.ORG '), {
    ok: true,
    email: 'ada.lovelace+papers@example.org',
  });
});

test('hostile and malformed addresses are refused with a reason', () => {
  const refused = [
    '',
    'no-at-sign',
    'a@b',
    'two@@example.org',
    'victim@example.org\r\nBcc: everyone@example.org',
    'a b@example.org',
    `${'x'.repeat(5000)}@example.org`,
    'аdmin@example.org', // Cyrillic а
    'admin@exаmple.org',
    '<script>@example.org',
  ];
  for (const input of refused) {
    const result = checkEmail(input);
    assert.equal(result.ok, false, input.slice(0, 40));
    if (!result.ok) assert.ok(result.error.length > 10);
  }
});
