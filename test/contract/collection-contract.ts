/**
 * The contract of the collections facet (reading lists, dismissed recommendations, follows), written once
 * and run on every backend beside the other facets (facet-contract.ts).
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import { COLLECTION_ITEMS_MAX } from '../../src/store/collection-store.ts';
import type { ContractBackend } from './backends.ts';
import { madeUp } from './fixtures.ts';

const NOW = new Date('2026-08-21T10:00:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const id = (n: number) => `2101.${String(n).padStart(5, '0')}`;

export function collectionContract(backend: () => ContractBackend): void {
  const name = () => backend().name;
  const setUp = async (t: TestContext) => {
    const store: Store = await backend().open(t);
    await store.importBatch({ papers: [1, 2, 3, 4, 5].map((n) => madeUp(n)), entries: [], replaceDays: [] });
    const ada = await store.community.accountForEmail('ada@example.org', NOW);
    const bob = await store.community.accountForEmail('bob@example.org', NOW);
    return { store, ada, bob, c: store.collections };
  };

  describe('collections', () => {
    test('create, read, update, delete; only the owner changes a collection', async (t) => {
      const { c, ada, bob } = await setUp(t);
      const hostile = {
        name: `<script>x</script> "Reading" & 'list'\u0000`,
        description: 'Line one\nline two',
        isPublic: false,
      };
      const made = (await c.createCollection(ada.id, hostile, NOW))!;
      assert.equal(made.ownerId, ada.id);
      assert.equal(made.ownerName, ada.name);
      assert.equal(made.isPublic, false);
      assert.equal(made.papers, 0);
      assert.equal(made.description, 'Line one\nline two');
      assert.match(made.name, /^<script>x<\/script> "Reading" & 'list'/, `${name()}: text kept as written`);
      assert.deepEqual(await c.getCollection(made.id), made);
      assert.equal(await c.getCollection(987_654), null);

      assert.equal(
        await c.updateCollection(made.id, bob.id, { name: 'mine now', description: '', isPublic: true }, later(1)),
        null,
        'not the owner',
      );
      const updated = (await c.updateCollection(
        made.id,
        ada.id,
        { name: 'Diffusion', description: 'd', isPublic: true },
        later(2),
      ))!;
      assert.equal(updated.name, 'Diffusion');
      assert.equal(updated.isPublic, true);
      assert.equal(updated.updatedAt, later(2).toISOString());

      const second = (await c.createCollection(
        ada.id,
        { name: 'Second', description: '', isPublic: false },
        later(3),
      ))!;
      assert.deepEqual(
        (await c.collectionsOf(ada.id)).map((x) => x.id),
        [second.id, made.id],
        'most recently changed first',
      );
      assert.deepEqual(await c.collectionsOf(bob.id), []);

      assert.equal(await c.deleteCollection(made.id, bob.id), false, 'not the owner');
      assert.equal(await c.addItem(second.id, ada.id, id(1), later(4)), 'added');
      assert.equal(await c.deleteCollection(second.id, ada.id), true);
      assert.equal(await c.deleteCollection(second.id, ada.id), false, 'gone already');
      assert.equal(await c.getCollection(second.id), null);
      assert.deepEqual(await c.collectionItems(second.id), []);
      const third = (await c.createCollection(ada.id, { name: 'Third', description: '', isPublic: false }, later(5)))!;
      assert.ok(third.id > second.id, `${name()}: ids are never reused`);
    });

    test('papers are added once, in order, removed, moved up and down; hidden papers leave the list', async (t) => {
      const { store, c, ada, bob } = await setUp(t);
      const list = (await c.createCollection(ada.id, { name: 'L', description: '', isPublic: true }, NOW))!;
      for (const n of [1, 2, 3, 4]) assert.equal(await c.addItem(list.id, ada.id, id(n), later(n)), 'added');
      assert.equal(await c.addItem(list.id, ada.id, id(2), later(9)), 'exists');
      assert.equal(await c.addItem(list.id, ada.id, '9999.99999', later(9)), null, 'no such paper');
      assert.equal(await c.addItem(list.id, bob.id, id(5), later(9)), null, 'not the owner');
      const order = async () => (await c.collectionItems(list.id)).map((i) => i.paperId);
      assert.deepEqual(await order(), [id(1), id(2), id(3), id(4)]);
      assert.equal((await c.getCollection(list.id))!.papers, 4);

      assert.equal(await c.moveItem(list.id, ada.id, id(3), 'up', later(10)), true);
      assert.deepEqual(await order(), [id(1), id(3), id(2), id(4)]);
      assert.equal(await c.moveItem(list.id, ada.id, id(1), 'up', later(11)), false, 'first already');
      assert.equal(await c.moveItem(list.id, ada.id, id(4), 'down', later(11)), false, 'last already');
      assert.equal(await c.moveItem(list.id, bob.id, id(4), 'up', later(11)), false, 'not the owner');
      assert.equal(await c.moveItem(list.id, ada.id, id(1), 'down', later(12)), true);
      assert.deepEqual(await order(), [id(3), id(1), id(2), id(4)]);

      assert.equal(await c.removeItem(list.id, bob.id, id(1), later(13)), false, 'not the owner');
      assert.equal(await c.removeItem(list.id, ada.id, id(1), later(13)), true);
      assert.equal(await c.removeItem(list.id, ada.id, id(1), later(14)), false);
      assert.deepEqual(await order(), [id(3), id(2), id(4)]);
      assert.equal(await c.addItem(list.id, ada.id, id(1), later(15)), 'added');
      assert.deepEqual(await order(), [id(3), id(2), id(4), id(1)], 'added again: at the end');

      const moderator = await store.community.accountForEmail('mod@example.org', NOW);
      await store.community.hidePaper(id(2), moderator.id, 'spam', later(16));
      assert.deepEqual(await order(), [id(3), id(4), id(1)]);
      assert.equal((await c.getCollection(list.id))!.papers, 3);
      assert.equal(await c.moveItem(list.id, ada.id, id(4), 'up', later(17)), true, 'steps over the hidden paper');
      assert.deepEqual(await order(), [id(4), id(3), id(1)]);
      assert.equal(await c.addItem(list.id, ada.id, id(2), later(18)), null, 'a hidden paper cannot be added');
    });

    test("saved papers are the papers of all of a member's collections, newest first, each once", async (t) => {
      const { c, ada, bob } = await setUp(t);
      const a = (await c.createCollection(ada.id, { name: 'A', description: '', isPublic: false }, NOW))!;
      const b = (await c.createCollection(ada.id, { name: 'B', description: '', isPublic: true }, NOW))!;
      const other = (await c.createCollection(bob.id, { name: 'Bob', description: '', isPublic: true }, NOW))!;
      await c.addItem(a.id, ada.id, id(1), later(1));
      await c.addItem(b.id, ada.id, id(2), later(2));
      await c.addItem(b.id, ada.id, id(1), later(3));
      await c.addItem(other.id, bob.id, id(5), later(4));
      assert.deepEqual(await c.savedBy(ada.id, 10), [id(1), id(2)]);
      assert.deepEqual(await c.savedBy(ada.id, 1), [id(1)]);
      assert.deepEqual(await c.savedBy(bob.id, 10), [id(5)]);
      const holding = await c.collectionsHolding(ada.id, [id(1), id(2), id(3), id(5)]);
      assert.deepEqual([...holding.entries()].sort(), [
        [id(1), [a.id, b.id].sort((x, y) => x - y)],
        [id(2), [b.id]],
      ]);
      assert.deepEqual(await c.collectionsHolding(ada.id, []), new Map());
    });

    // Thousands of single adds: a second on SQLite, most of a minute on PGlite; the limit's check is the same
    // statement shape on every backend (under the collection's row lock on PostgreSQL).
    test('a collection holds at most COLLECTION_ITEMS_MAX papers', {
      skip:
        backend().name === 'pglite' &&
        'thousands of single writes take most of a minute on PGlite; runs on sqlite and postgres',
    }, async (t) => {
      const { store, c, ada } = await setUp(t);
      const papers = Array.from({ length: COLLECTION_ITEMS_MAX + 1 }, (_, i) => madeUp(1000 + i));
      await store.importBatch({ papers, entries: [], replaceDays: [] });
      const list = (await c.createCollection(ada.id, { name: 'Big', description: '', isPublic: false }, NOW))!;
      for (const p of papers.slice(0, COLLECTION_ITEMS_MAX)) await c.addItem(list.id, ada.id, p.id, NOW);
      assert.equal(await c.addItem(list.id, ada.id, papers.at(-1)!.id, NOW), 'full');
      assert.equal((await c.getCollection(list.id))!.papers, COLLECTION_ITEMS_MAX);
    });
  });

  describe('dismissals and follows', () => {
    test('dismissals are per member, idempotent, and cleared by a reset', async (t) => {
      const { c, ada, bob } = await setUp(t);
      await c.dismiss(ada.id, id(1), NOW);
      await c.dismiss(ada.id, id(2), later(1));
      await c.dismiss(ada.id, id(2), later(2));
      await c.dismiss(ada.id, '9999.99999', later(3));
      await c.dismiss(bob.id, id(3), NOW);
      assert.deepEqual(await c.dismissedBy(ada.id, 10), [id(2), id(1)]);
      assert.equal(await c.undismiss(ada.id, id(1)), true);
      assert.equal(await c.undismiss(ada.id, id(1)), false);
      assert.equal(await c.clearDismissed(ada.id), 1);
      assert.deepEqual(await c.dismissedBy(ada.id, 10), []);
      assert.deepEqual(await c.dismissedBy(bob.id, 10), [id(3)], "another member's dismissals stay");
    });

    test('follows: organizations, authors and searches, once each, newest first; unfollow', async (t) => {
      const { c, ada, bob } = await setUp(t);
      assert.equal(await c.follow(ada.id, 'organization', 'acme', 'Acme Labs', NOW), true);
      assert.equal(await c.follow(ada.id, 'author', 'Ada Lovelace', 'Ada Lovelace', later(1)), true);
      assert.equal(await c.follow(ada.id, 'search', 'q=diffusion&category=cs.CV', 'diffusion', later(2)), true);
      assert.equal(await c.follow(ada.id, 'organization', 'acme', 'Acme Labs', later(3)), true, 'twice is fine');
      assert.deepEqual(
        (await c.followsOf(ada.id)).map((f) => [f.kind, f.target, f.label]),
        [
          ['search', 'q=diffusion&category=cs.CV', 'diffusion'],
          ['author', 'Ada Lovelace', 'Ada Lovelace'],
          ['organization', 'acme', 'Acme Labs'],
        ],
      );
      assert.equal(await c.isFollowing(ada.id, 'organization', 'acme'), true);
      assert.equal(await c.isFollowing(ada.id, 'author', 'acme'), false, 'kinds are separate');
      assert.equal(await c.isFollowing(bob.id, 'organization', 'acme'), false);
      assert.equal(await c.unfollow(ada.id, 'organization', 'acme'), true);
      assert.equal(await c.unfollow(ada.id, 'organization', 'acme'), false);
      assert.equal(await c.isFollowing(ada.id, 'organization', 'acme'), false);
      assert.equal((await c.followsOf(ada.id)).length, 2);
    });

    test('a member is found by their sign-in address', async (t) => {
      const { c, ada } = await setUp(t);
      assert.equal(await c.accountIdForEmail('ada@example.org'), ada.id);
      assert.equal(await c.accountIdForEmail(' ADA@example.org '), ada.id);
      assert.equal(await c.accountIdForEmail('nobody@example.org'), null);
    });
  });
}
