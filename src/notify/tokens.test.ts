import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notificationUnsubscribeToken, readNotificationToken, verifyNotificationToken } from './tokens.ts';

test('a notification unsubscribe token names its member and kind, and holds for its address only', () => {
  const token = notificationUnsubscribeToken('secret', 42, 'mention', 'Ada@Example.org');
  assert.deepEqual(readNotificationToken(token), { memberId: 42, scope: 'mention' });
  assert.equal(verifyNotificationToken('secret', token, 'ada@example.org'), true, 'letter case of the address');
  assert.equal(verifyNotificationToken('secret', token, 'eve@example.org'), false);
  assert.equal(verifyNotificationToken('other', token, 'ada@example.org'), false);
  const forged = token.replace('.m.', '.a.');
  assert.equal(verifyNotificationToken('secret', forged, 'ada@example.org'), false, 'the kind is signed');
  assert.equal(readNotificationToken('u.42.abc'), null);
  assert.equal(readNotificationToken(`${token}x`), null);
});
