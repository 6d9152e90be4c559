import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmToken, unsubscribeToken, verifyToken } from './tokens.ts';
import { checkAddress } from './address.ts';
import { defaultDigestPeriod, parseDigestPeriod } from './digest-period.ts';

const now = new Date('2026-07-24T10:00:00Z');

test('tokens verify for their address only, and confirmations expire after 7 days', () => {
  const token = confirmToken('secret', 42, 'Ada@Example.org', 'weekly', now);
  assert.deepEqual(verifyToken('secret', token, 'ada@example.org', now), {
    ok: true,
    payload: { purpose: 'confirm', id: 42, frequency: 'weekly', expires: now.getTime() / 1000 + 7 * 86400 },
  });
  assert.deepEqual(verifyToken('secret', token, 'eve@example.org', now), { ok: false, reason: 'signature' });
  assert.deepEqual(verifyToken('other', token, 'ada@example.org', now), { ok: false, reason: 'signature' });
  assert.deepEqual(verifyToken('secret', token, 'ada@example.org', new Date(now.getTime() + 8 * 86_400_000)), {
    ok: false,
    reason: 'expired',
  });
  assert.deepEqual(verifyToken('secret', `${token}x`, 'ada@example.org', now), { ok: false, reason: 'malformed' });
  const unsubscribe = unsubscribeToken('secret', 42, 'ada@example.org');
  assert.equal(verifyToken('secret', unsubscribe, 'ada@example.org', new Date('2100-01-01')).ok, true);
});

test('addresses', () => {
  assert.deepEqual(checkAddress('  ada.lovelace+papers@math.example.org '), {
    ok: true,
    email: 'ada.lovelace+papers@math.example.org',
  });
  for (const bad of [
    'a@b.c\r\nBcc: x@y.z',
    'a\n@b.org',
    `${'x'.repeat(250)}@b.org`,
    'pаypal@example.org',
    'a@exаmple.org',
    'a b@c.org',
    '.a@b.org',
    'a@-b.org',
    'a@b',
    'a@b.1',
  ]) {
    assert.equal(checkAddress(bad).ok, false, JSON.stringify(bad));
  }
});

test('digest periods', () => {
  assert.equal(parseDigestPeriod('weekly', '2026-07-22')?.key, 'weekly:2026-W30');
  assert.equal(parseDigestPeriod('weekly', '2026-W30')?.firstDay, '2026-07-20');
  assert.equal(parseDigestPeriod('daily', '2026-W30'), null);
  assert.equal(defaultDigestPeriod('daily', '2026-07-26', '2026-07-24').key, 'daily:2026-07-24');
  assert.equal(defaultDigestPeriod('weekly', '2026-07-29', '2026-07-28').key, 'weekly:2026-W30');
  assert.equal(defaultDigestPeriod('weekly', '2026-11-27', '2026-07-24').key, 'weekly:2026-W30');
});

test('a signature is accepted in its one canonical spelling only (no unused base64 bits)', () => {
  const secret = 'test-secret';
  const token = unsubscribeToken(secret, 7, 'ada@example.org');
  const last = token.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (const other of alphabet) {
    if (other === last) continue;
    const changed = `${token.slice(0, -1)}${other}`;
    assert.equal(verifyToken(secret, changed, 'ada@example.org', new Date()).ok, false, changed);
  }
  assert.equal(verifyToken(secret, token, 'ada@example.org', new Date()).ok, true);
});
