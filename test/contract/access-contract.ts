/**
 * The contract of the access facet (invitations, feed keys), written once and run on every backend beside the
 * other facets.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import type { ContractBackend } from './backends.ts';

const NOW = new Date('2026-08-21T10:00:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

export function accessContract(backend: () => ContractBackend): void {
  const setUp = async (t: TestContext) => {
    const store: Store = await backend().open(t);
    const ada = await store.community.accountForEmail('ada@example.org', NOW);
    return { store, ada, a: store.access };
  };

  describe('access', () => {
    test('an invitation is open until used once, revoked or expired; an addressed one fits its address only', async (t) => {
      const { a, ada } = await setUp(t);
      const anyone = await a.createInvitation('h-anyone', null, ada.id, later(3600), NOW);
      assert.equal(anyone.createdBy, ada.name);
      assert.equal(anyone.email, null);
      assert.equal((await a.openInvitation('h-anyone', later(1)))?.id, anyone.id);
      assert.equal(await a.openInvitation('h-anyone', later(3600)), null, 'expired');
      assert.equal(await a.useInvitation('h-anyone', 'x@example.org', later(3600)), false, 'expired');
      assert.equal(await a.useInvitation('h-anyone', 'x@example.org', later(1)), true);
      assert.equal(await a.useInvitation('h-anyone', 'y@example.org', later(2)), false, 'once');
      assert.equal(await a.openInvitation('h-anyone', later(2)), null);
      assert.equal(await a.revokeInvitation(anyone.id, later(3)), false, 'a used one is not revoked');

      const addressed = await a.createInvitation('h-grace', 'Grace@Example.org', null, later(3600), NOW);
      assert.equal(addressed.createdBy, null);
      assert.equal(await a.useInvitation('h-grace', 'mallory@example.org', later(1)), false, 'another address');
      assert.equal(await a.useInvitation('h-grace', 'grace@example.org', later(1)), true, 'any letter case');

      const revoked = await a.createInvitation('h-revoked', null, ada.id, later(3600), NOW);
      assert.equal(await a.revokeInvitation(revoked.id, later(1)), true);
      assert.equal(await a.revokeInvitation(revoked.id, later(2)), false);
      assert.equal(await a.useInvitation('h-revoked', 'z@example.org', later(3)), false);

      const listed = await a.invitations(10);
      assert.deepEqual(
        listed.map((i) => i.id),
        [revoked.id, addressed.id, anyone.id],
        'newest first',
      );
      assert.equal(listed[2]!.usedBy, 'x@example.org');
      assert.ok(listed[0]!.revokedAt);
    });

    test('a feed key finds its member until replaced; banned and deleted members are not found', async (t) => {
      const { store, a, ada } = await setUp(t);
      assert.equal(await a.feedKeySalt(ada.id), null);
      await a.setFeedKey(ada.id, 'salt-1', 'key-1', NOW);
      assert.equal(await a.feedKeySalt(ada.id), 'salt-1');
      assert.equal((await a.accountForFeedKey('key-1'))?.id, ada.id);
      await a.setFeedKey(ada.id, 'salt-2', 'key-2', later(1));
      assert.equal(await a.accountForFeedKey('key-1'), null, 'the old key is gone');
      assert.equal((await a.accountForFeedKey('key-2'))?.id, ada.id);
      assert.equal(await a.memberExists('ada@example.org'), true);
      assert.equal(await a.memberExists('nobody@example.org'), false);

      const bob = await store.community.accountForEmail('bob@example.org', NOW);
      await a.setFeedKey(bob.id, 'salt-b', 'key-b', NOW);
      await store.community.banMember(bob.id, ada.id, 'spam', later(2));
      assert.equal(await a.accountForFeedKey('key-b'), null, 'banned');
      await store.community.deleteAccount(ada.id, { comments: 'remove', rateLimitKeys: [] }, later(3));
      assert.equal(await a.accountForFeedKey('key-2'), null, 'deleted');
      assert.equal(await a.feedKeySalt(ada.id), null, 'deleting the account deletes its feed key');
      assert.equal(await a.memberExists('ada@example.org'), false);
    });
  });
}
