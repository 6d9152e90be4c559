/**
 * The contract of the store's facets (community, subscriptions), written once and run on every backend
 * beside the core contract (store-contract.ts).
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import type { Account } from '../../src/store/community-store.ts';
import { DELETED_MEMBER, tombstoneName } from '../../src/domain/handles.ts';
import { parseQuery } from '../../src/search/query-parser.ts';
import { DEFAULT_SEARCH_CONFIG } from '../../src/search/search-service.ts';
import { lexicalSearch } from '../../src/search/lexical/lexical-search.ts';
import type { ContractBackend } from './backends.ts';
import { entry, importFixtures, madeUp } from './fixtures.ts';
import { trendingScore } from '../../src/domain/trending.ts';

/** An hour ahead of the clock, on a whole minute: stores purge sign-in tokens that expired by the real clock. */
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 3_600_000);
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

/** A member who signed in with NAME@example.org and chose the handle NAME. */
async function member(store: Store, name: string): Promise<Account> {
  const account = await store.community.accountForEmail(`${name}@example.org`, NOW);
  assert.equal(await store.community.chooseHandle(account.id, name, name), 'chosen');
  return (await store.community.getAccount(account.id))!;
}

export function communityContract(backend: () => ContractBackend): void {
  const name = () => backend().name;
  const withPapers = async (t: TestContext): Promise<Store> => {
    const store = await backend().open(t);
    await store.importBatch({
      papers: [
        madeUp(1, { upvotes: 10, organization: { name: 'acme', fullname: 'Acme', avatar: null, externalId: null } }),
        madeUp(2),
        madeUp(3),
      ],
      entries: [
        entry('2026-08-21', '2101.00001', 0, {
          submittedBy: { name: 'ada', fullname: 'Ada (imported)', avatarUrl: null, externalId: 'x' },
        }),
      ],
      replaceDays: [],
    });
    return store;
  };

  describe('accounts, sign-in and sessions', () => {
    test('an email gets one account, with a random free handle not made from the address, not chosen yet', async (t) => {
      const store = await withPapers(t);
      const ada = await store.community.accountForEmail('Ada@example.org', NOW);
      assert.match(ada.name, /^reader-[a-z0-9]{5}$/);
      assert.doesNotMatch(ada.name, /ada/i);
      assert.equal(ada.fullname, ada.name, 'the suggested handle is the display name until the member chooses');
      assert.equal(ada.handleChosen, false);
      assert.equal(ada.upvotesPublic, true, 'upvotes are public by default, as before');
      assert.equal(ada.deletedAt, null);
      assert.equal(ada.role, 'member');
      assert.equal(ada.createdAt, NOW.toISOString());
      assert.deepEqual(await store.community.accountForEmail('Ada@example.org', later(5)), ada);
      const [a, b] = await Promise.all([
        store.community.accountForEmail('same@example.org', NOW),
        store.community.accountForEmail('same@example.org', NOW),
      ]);
      assert.equal(a.id, b.id, `${name()}: two sign-ins of one address at once make one account`);
      assert.deepEqual(await store.community.getAccount(ada.id), ada);
      assert.deepEqual(await store.community.getAccountByName(ada.name), ada);
      assert.notEqual((await store.community.accountForEmail('bob@example.org', NOW)).name, ada.name);
      assert.equal(await store.community.getAccount(999_999), null);
      await store.community.updateProfile(ada.id, "Ada O'Lovelace");
      assert.equal((await store.community.getAccount(ada.id))!.fullname, "Ada O'Lovelace");
      assert.equal(await store.community.countAdmins(), 0);
      await store.community.setRole(ada.id, 'admin');
      assert.equal(await store.community.countAdmins(), 1);
    });

    test('a sign-in token works once and not after it expires', async (t) => {
      const store = await withPapers(t);
      await store.community.createLoginToken('hash-1', 'ada@example.org', later(900));
      await store.community.createLoginToken('hash-2', 'bob@example.org', later(60));
      assert.equal(await store.community.consumeLoginToken('hash-1', later(10)), 'ada@example.org');
      assert.equal(await store.community.consumeLoginToken('hash-1', later(11)), null, 'used');
      assert.equal(await store.community.consumeLoginToken('hash-2', later(61)), null, 'expired');
      assert.equal(await store.community.consumeLoginToken('nonsense', later(1)), null);
    });

    test('renewing keeps the newest unused sign-in token of an address valid, even after it expired', async (t) => {
      const store = await withPapers(t);
      const issuedAfter = new Date(Date.now() - 60_000);
      assert.equal(
        await store.community.renewLoginToken('ada@example.org', issuedAfter, later(900)),
        false,
        'no token yet',
      );
      await store.community.createLoginToken('old', 'ada@example.org', later(60));
      await new Promise((resolve) => setTimeout(resolve, 5)); // a later issue time
      await store.community.createLoginToken('new', 'ada@example.org', later(60));
      await store.community.createLoginToken('bob', 'bob@example.org', later(60));
      assert.equal(await store.community.renewLoginToken('ada@example.org', issuedAfter, later(1200)), true);
      assert.equal(await store.community.consumeLoginToken('old', later(600)), null, 'the older one expired as it was');
      assert.equal(await store.community.consumeLoginToken('bob', later(600)), null, 'other addresses untouched');
      assert.equal(
        await store.community.consumeLoginToken('new', later(600)),
        'ada@example.org',
        'the newest one renewed',
      );
      assert.equal(
        await store.community.renewLoginToken('ada@example.org', issuedAfter, later(1800)),
        true,
        'the older unused one is now the newest',
      );
      assert.equal(await store.community.consumeLoginToken('old', later(1700)), 'ada@example.org');
      assert.equal(
        await store.community.renewLoginToken('ada@example.org', issuedAfter, later(1800)),
        false,
        'all used',
      );
      assert.equal(
        await store.community.renewLoginToken('bob@example.org', new Date(Date.now() + 60_000), later(1800)),
        false,
        'issued too long ago',
      );
    });

    test('a role changes once from the role it had, logged; staff lists administrators first', async (t) => {
      const store = await withPapers(t);
      const root = await member(store, 'root');
      const zed = await member(store, 'zed');
      const amy = await member(store, 'amy');
      await store.community.setRole(root.id, 'admin');
      const both = await Promise.all(
        [1, 2].map(() => store.community.changeRole(zed.id, 'member', 'moderator', root.id, 'helps', NOW)),
      );
      assert.deepEqual(both.sort(), [false, true], 'two changes at once: one happens');
      assert.equal(
        await store.community.changeRole(amy.id, 'moderator', 'member', root.id, 'x', NOW),
        false,
        'not a moderator',
      );
      await store.community.changeRole(amy.id, 'member', 'moderator', root.id, 'also', NOW);
      assert.deepEqual(
        (await store.community.staff()).map((a) => [a.name, a.role]),
        [
          ['root', 'admin'],
          ['amy', 'moderator'],
          ['zed', 'moderator'],
        ],
      );
      const log = (await store.community.moderationLog(10)).filter((e) => e.action === 'set-role');
      assert.deepEqual(log.map((e) => [e.moderator, e.target, e.reason]).sort(), [
        ['root', 'amy', 'moderator: also'],
        ['root', 'zed', 'moderator: helps'],
      ]);
    });

    test('sessions live until they expire, are deleted one by one or all at once', async (t) => {
      const store = await withPapers(t);
      const ada = await store.community.accountForEmail('ada@example.org', NOW);
      await store.community.createSession('s1', ada.id, 'csrf-1', later(3600));
      await store.community.createSession('s2', ada.id, 'csrf-2', later(3600));
      const session = (await store.community.getSession('s1', later(10)))!;
      assert.equal(session.account.id, ada.id);
      assert.equal(session.csrfSecret, 'csrf-1');
      assert.equal(await store.community.getSession('s1', later(3601)), null);
      await store.community.deleteSession('s1');
      assert.equal(await store.community.getSession('s1', later(10)), null);
      assert.notEqual(await store.community.getSession('s2', later(10)), null);
      await store.community.deleteSessionsOf(ada.id);
      assert.equal(await store.community.getSession('s2', later(10)), null);
    });
  });

  describe('votes, submissions and comments', () => {
    test("a vote toggles and moves the paper's count; concurrent votes end exact", async (t) => {
      const store = await withPapers(t);
      const ada = await store.community.accountForEmail('ada@example.org', NOW);
      const version = await store.dataVersion();
      assert.deepEqual(await store.community.toggleVote(ada.id, '2101.00001', NOW), { voted: true, upvotes: 11 });
      assert.notEqual(await store.dataVersion(), version, 'a vote moves the data version');
      assert.equal((await store.getPaper('2101.00001'))!.upvotes, 11);
      assert.deepEqual([...(await store.community.votedPapers(ada.id, ['2101.00001', '2101.00002']))], ['2101.00001']);
      assert.deepEqual(await store.community.upvotedBy(ada.id, 10), ['2101.00001']);
      assert.deepEqual(await store.community.toggleVote(ada.id, '2101.00001', later(1)), { voted: false, upvotes: 10 });
      assert.equal(await store.community.toggleVote(ada.id, '2999.99999', NOW), null);
      const members = await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.community.accountForEmail(`m${i}@example.org`, NOW)),
      );
      await Promise.all(members.map((m) => store.community.toggleVote(m.id, '2101.00002', NOW)));
      await Promise.all(members.slice(0, 15).map((m) => store.community.toggleVote(m.id, '2101.00002', later(1))));
      assert.equal((await store.getPaper('2101.00002'))!.upvotes, 25, `${name()}: 40 votes, 15 taken back`);
      // Imported counts stay apart from local votes: a later import keeps them.
      await store.importBatch({ papers: [madeUp(2, { upvotes: 7 })], entries: [], replaceDays: [] });
      assert.equal((await store.getPaper('2101.00002'))!.upvotes, 32);
    });

    test('a member puts a paper on a day once; a second submission finds it there', async (t) => {
      const store = await withPapers(t);
      const ada = await store.community.accountForEmail('ada@example.org', NOW);
      assert.deepEqual(await store.community.submitPaper('2101.00002', ada.id, '2026-08-22', NOW), {
        status: 'added',
        day: '2026-08-22',
      });
      assert.deepEqual(await store.community.submitPaper('2101.00002', ada.id, '2026-08-23', later(1)), {
        status: 'exists',
        day: '2026-08-22',
      });
      assert.deepEqual(await store.community.submitPaper('2101.00001', ada.id, '2026-08-22', NOW), {
        status: 'exists',
        day: '2026-08-21',
      });
      const [listed] = await store.listDaily({
        firstDay: '2026-08-22',
        lastDay: '2026-08-22',
        sort: 'upvotes',
        offset: 0,
        limit: 5,
      });
      assert.equal(listed!.paper.id, '2101.00002');
      assert.equal(listed!.submittedBy?.name, ada.name);
      assert.deepEqual(await store.community.submittedBy(ada.id, 10), ['2101.00002']);
      await assert.rejects(store.community.submitPaper('2999.99999', ada.id, '2026-08-22', NOW));
    });

    test('comments count on their paper until deleted or hidden; edits keep the thread', async (t) => {
      const store = await withPapers(t);
      const ada = await store.community.accountForEmail('ada@example.org', NOW);
      const bob = await member(store, 'bob');
      const root = await store.community.addComment('2101.00001', ada.id, null, 'First! <script>', NOW);
      const reply = await store.community.addComment('2101.00001', bob.id, root.id, "It's *good*", later(1));
      assert.equal(reply.parentId, root.id);
      assert.equal(reply.author.name, 'bob');
      assert.equal((await store.getPaper('2101.00001'))!.numComments, 2);
      assert.equal(await store.community.editComment(root.id, bob.id, 'not mine', later(2)), null);
      const edited = (await store.community.editComment(root.id, ada.id, 'Edited', later(2)))!;
      assert.equal(edited.body, 'Edited');
      assert.equal(edited.editedAt, later(2).toISOString());
      assert.equal(await store.community.deleteComment(reply.id, ada.id, later(3)), false, 'only the author deletes');
      assert.equal(await store.community.deleteComment(reply.id, bob.id, later(3)), true);
      assert.equal(await store.community.deleteComment(reply.id, bob.id, later(4)), false);
      const moderator = await store.community.accountForEmail('mod@example.org', NOW);
      assert.equal(await store.community.hideComment(root.id, moderator.id, 'spam', later(5)), true);
      assert.equal((await store.getPaper('2101.00001'))!.numComments, 0);
      const thread = await store.community.commentsOn('2101.00001');
      assert.deepEqual(
        thread.map((c) => [c.id, c.deleted, c.hiddenReason, c.body]),
        [
          [root.id, false, 'spam', ''],
          [reply.id, true, null, ''],
        ],
      );
      assert.deepEqual(await store.community.commentsBy(ada.id, 10), []);
      const kept = await store.community.addComment('2101.00002', ada.id, null, 'Kept', later(6));
      assert.deepEqual(
        (await store.community.commentsBy(ada.id, 10)).map((c) => c.id),
        [kept.id],
      );
    });
    test('imported comment counts stay apart from local discussion; trending weighs the local count only', async (t) => {
      const store = await backend().open(t);
      const day = '2021-05-03';
      // Same submission instant: only the counts decide. Judged at the end of the day, both are 16 hours old.
      const batch = (hfComments: number) => ({
        papers: [madeUp(20, { upvotes: 5, numComments: hfComments }), madeUp(21, { upvotes: 6, numComments: 0 })],
        entries: [entry(day, '2101.00020', 0), entry(day, '2101.00021', 1)],
        replaceDays: [],
      });
      await store.importBatch(batch(8));
      const ranked = async () =>
        (await store.listDaily({ firstDay: day, lastDay: day, sort: 'trending', offset: 0, limit: 10 })).map((e) => [
          e.paper.id,
          e.paper.numComments,
          e.paper.hfComments,
          trendingScore(e.paper.upvotes, e.paper.numComments, 16).toFixed(6),
        ]);
      // (6 + 1) / 18^1.5 = 0.091662 beats (5 + 2×0 + 1) / 18^1.5 = 0.078567: the 8 imported comments weigh nothing.
      assert.deepEqual(await ranked(), [
        ['2101.00021', 0, 0, '0.091662'],
        ['2101.00020', 0, 8, '0.078567'],
      ]);
      const ada = await member(store, 'ada');
      const first = await store.community.addComment('2101.00020', ada.id, null, 'Local', NOW);
      // (5 + 2×1 + 1) / 18^1.5 = 0.104757: one local comment lifts it above the other.
      assert.deepEqual(await ranked(), [
        ['2101.00020', 1, 8, '0.104757'],
        ['2101.00021', 0, 0, '0.091662'],
      ]);
      // A new import updates the imported count and leaves the local one alone.
      await store.importBatch(batch(9));
      const paper = (await store.getPaper('2101.00020'))!;
      assert.deepEqual([paper.numComments, paper.hfComments], [1, 9]);
      assert.equal(await store.community.deleteComment(first.id, ada.id, later(1)), true);
      const after = (await store.getPaper('2101.00020'))!;
      assert.deepEqual([after.numComments, after.hfComments], [0, 9]);
    });
  });

  describe('handles, private upvotes and deleting an account', () => {
    test('a member chooses a free handle once per name, in any letter case; of two at once, one gets it', async (t) => {
      const store = await withPapers(t);
      await store.importBatch({
        papers: [],
        entries: [
          entry('2026-08-21', '2101.00002', 1, {
            submittedBy: { name: 'HopperG', fullname: 'Grace (imported)', avatarUrl: null, externalId: 'y' },
          }),
        ],
        replaceDays: [],
      });
      const ada = await store.community.accountForEmail('ada@example.org', NOW);
      const bob = await store.community.accountForEmail('bob@example.org', NOW);
      assert.equal(await store.community.chooseHandle(ada.id, 'ada', 'Ada'), 'taken', 'an imported member holds "ada"');
      assert.equal(
        await store.community.chooseHandle(ada.id, 'hopperg', 'Ada'),
        'taken',
        '"HopperG" holds it in another case',
      );
      assert.equal((await store.community.getAccount(ada.id))!.handleChosen, false, 'nothing changed');
      assert.equal(await store.community.chooseHandle(ada.id, 'ada-l', 'Ada Lovelace'), 'chosen');
      const chosen = (await store.community.getAccount(ada.id))!;
      assert.deepEqual([chosen.name, chosen.fullname, chosen.handleChosen], ['ada-l', 'Ada Lovelace', true]);
      assert.equal((await store.community.getAccountByName('ada-l'))!.id, ada.id);
      assert.equal(await store.community.getAccountByName(ada.name), null, 'the suggestion is free again');
      assert.equal(await store.community.chooseHandle(bob.id, 'ada-l', 'Bob'), 'taken');
      assert.equal(await store.community.chooseHandle(bob.id, bob.name, 'Bob'), 'chosen', 'keeping the suggestion');
      const [c, d] = await Promise.all(['c', 'd'].map((n) => store.community.accountForEmail(`${n}@example.org`, NOW)));
      const both = await Promise.all([c!, d!].map((m) => store.community.chooseHandle(m.id, 'same', 'Same')));
      assert.deepEqual(both.sort(), ['chosen', 'taken'], `${name()}: two members choosing one handle at once`);
    });

    test('the moderation log follows a member to their chosen handle', async (t) => {
      const store = await withPapers(t);
      const mod = await member(store, 'mod');
      const eve = await store.community.accountForEmail('eve@example.org', NOW);
      await store.community.banMember(eve.id, mod.id, 'spam', NOW);
      await store.community.unbanMember(eve.id, mod.id, 'appeal', later(1));
      await store.community.chooseHandle(eve.id, 'eve', 'Eve');
      assert.deepEqual(
        (await store.community.moderationLog(10)).map((e) => e.target),
        ['eve', 'eve'],
      );
    });

    test('upvotes are public until the member hides them; the member still reads them', async (t) => {
      const store = await withPapers(t);
      const ada = await member(store, 'ada-l');
      await store.community.toggleVote(ada.id, '2101.00002', NOW);
      await store.community.setUpvotesPublic(ada.id, false);
      assert.equal((await store.community.getAccount(ada.id))!.upvotesPublic, false);
      assert.equal((await store.community.getAccountByName('ada-l'))!.upvotesPublic, false);
      assert.deepEqual(await store.community.upvotedBy(ada.id, 10), ['2101.00002']);
      await store.community.setUpvotesPublic(ada.id, true);
      assert.equal((await store.community.getAccount(ada.id))!.upvotesPublic, true);
    });

    /** A member with something of everything: votes, comments, a submission, a collection, follows, a dismissal,
     *  a session, a sign-in link, a digest subscription, rate-limit counters and moderation-log entries. */
    const busyMember = async (store: Store) => {
      const ada = await member(store, 'ada-l');
      const bob = await member(store, 'bob');
      const mod = await member(store, 'mod');
      await store.community.setRole(mod.id, 'moderator');
      for (const paper of ['2101.00001', '2101.00002']) await store.community.toggleVote(ada.id, paper, NOW);
      const threaded = await store.community.addComment('2101.00001', ada.id, null, 'Ada starts a thread', NOW);
      const reply = await store.community.addComment('2101.00001', bob.id, threaded.id, 'Bob replies', later(1));
      const alone = await store.community.addComment('2101.00002', ada.id, null, 'Ada alone', later(2));
      const hidden = await store.community.addComment('2101.00002', ada.id, null, 'Ada hidden', later(3));
      await store.community.hideComment(hidden.id, mod.id, 'rude', later(4));
      await store.community.submitPaper('2101.00003', ada.id, '2026-08-22', NOW);
      const list = (await store.collections.createCollection(
        ada.id,
        { name: 'Ada list', description: 'mine', isPublic: true },
        NOW,
      ))!;
      await store.collections.addItem(list.id, ada.id, '2101.00001', NOW);
      await store.collections.follow(ada.id, 'search', 'q=ada+secret', 'ada secret', NOW);
      await store.collections.dismiss(ada.id, '2101.00003', NOW);
      await store.community.createSession('ada-session', ada.id, 'csrf', later(3600));
      await store.community.createLoginToken('ada-token', 'ada-l@example.org', later(900));
      const { subscription } = await store.subscriptions.requestSubscription('Ada-L@example.org', 'daily', NOW);
      await store.subscriptions.activate(subscription.id, 'daily', NOW);
      for (const key of [`vote:who:${ada.id}`, 'vote:ip:192.0.2.1'])
        await store.community.hitRateLimit(key, 3600, 1, NOW);
      await store.community.banMember(ada.id, mod.id, 'a test', NOW);
      await store.community.unbanMember(ada.id, mod.id, 'over', later(1));
      return { ada, mod, threaded, reply, alone, hidden, list };
    };
    const upvotes = async (store: Store, id: string) => (await store.getPaper(id))!.upvotes;

    test("deleting an account removes what is the member's in one go, votes with exact counts, and anonymises the row", async (t) => {
      const store = await withPapers(t);
      const { ada, threaded, reply, alone, list } = await busyMember(store);
      assert.deepEqual([await upvotes(store, '2101.00001'), await upvotes(store, '2101.00002')], [11, 1]);
      const version = await store.dataVersion();
      // Others vote on the same papers while the account goes: every count ends exact.
      const voters = await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.community.accountForEmail(`v${i}@example.org`, NOW)),
      );
      const [deleted] = await Promise.all([
        store.community.deleteAccount(ada.id, { comments: 'keep', rateLimitKeys: [`vote:who:${ada.id}`] }, later(10)),
        ...voters.map((v, i) => store.community.toggleVote(v.id, i % 2 ? '2101.00001' : '2101.00002', later(10))),
      ]);
      assert.equal(deleted, true);
      assert.deepEqual(
        [await upvotes(store, '2101.00001'), await upvotes(store, '2101.00002')],
        [10 + 15, 15],
        `${name()}: exact counts`,
      );
      assert.notEqual(await store.dataVersion(), version);
      assert.equal(
        await store.community.deleteAccount(ada.id, { comments: 'keep', rateLimitKeys: [] }, later(11)),
        false,
        'once',
      );

      const row = (await store.community.getAccount(ada.id))!;
      assert.deepEqual(
        [
          row.name,
          row.fullname,
          row.email,
          row.avatarUrl,
          row.role,
          row.createdAt,
          row.bannedAt,
          row.banReason,
          row.deletedAt,
        ],
        [tombstoneName(ada.id), DELETED_MEMBER, null, null, 'member', null, null, null, later(10).toISOString()],
      );
      assert.equal(await store.community.getAccountByName('ada-l'), null);
      assert.equal(await store.community.getAccountByName(tombstoneName(ada.id)), null, 'no profile');
      assert.equal(await store.community.getSession('ada-session', later(11)), null);
      assert.equal(await store.community.consumeLoginToken('ada-token', later(11)), null);
      assert.deepEqual(await store.community.upvotedBy(ada.id, 10), []);
      assert.deepEqual(await store.community.submittedBy(ada.id, 10), []);
      const [submitted] = await store.listDaily({
        firstDay: '2026-08-22',
        lastDay: '2026-08-22',
        sort: 'upvotes',
        offset: 0,
        limit: 5,
      });
      assert.equal(submitted!.paper.id, '2101.00003', 'the submission stays');
      assert.equal(submitted!.submittedBy, null, 'without the name');
      assert.equal((await store.getPaper('2101.00003'))!.submittedOnDailyBy, null);
      assert.deepEqual(await store.collections.collectionsOf(ada.id), []);
      assert.equal(await store.collections.getCollection(list.id), null);
      assert.deepEqual(await store.collections.followsOf(ada.id), []);
      assert.deepEqual(await store.collections.dismissedBy(ada.id, 10), []);
      assert.equal(await store.subscriptions.getSubscriptionByEmail('ada-l@example.org'), null);
      assert.equal(await store.collections.accountIdForEmail('ada-l@example.org'), null);
      assert.equal(
        (await store.community.hitRateLimit(`vote:who:${ada.id}`, 3600, 1, NOW)).allowed,
        true,
        "the member's counter is gone",
      );
      assert.equal(
        (await store.community.hitRateLimit('vote:ip:192.0.2.1', 3600, 1, NOW)).allowed,
        false,
        "an address's stays",
      );

      // Comments kept: signed "deleted member", counted as before.
      const thread = await store.community.commentsOn('2101.00001');
      assert.deepEqual(
        thread.map((c) => [c.id, c.body, c.author.fullname, c.author.deletedAt !== null]),
        [
          [threaded.id, 'Ada starts a thread', DELETED_MEMBER, true],
          [reply.id, 'Bob replies', 'bob', false],
        ],
      );
      assert.equal((await store.community.getComment(alone.id))!.body, 'Ada alone');
      assert.equal((await store.getPaper('2101.00001'))!.numComments, 2);
      // The log keeps its entries; the member's name in them went with the handle.
      assert.deepEqual(
        (await store.community.moderationLog(10))
          .map((e) => [e.action, e.target])
          .filter(([a]) => a !== 'hide-comment'),
        [
          ['unban-member', tombstoneName(ada.id)],
          ['ban-member', tombstoneName(ada.id)],
        ],
      );

      // The address and the handle are free: a new sign-in is a new, empty account.
      const again = await store.community.accountForEmail('ada-l@example.org', later(20));
      assert.notEqual(again.id, ada.id);
      assert.deepEqual(await store.community.upvotedBy(again.id, 10), []);
      assert.equal(await store.community.chooseHandle(again.id, 'ada-l', 'Ada'), 'chosen');
    });

    test('deleting an account with its comments: deleted as by their author, a placeholder where replies remain', async (t) => {
      const store = await withPapers(t);
      const { ada, threaded, reply, alone, hidden } = await busyMember(store);
      assert.deepEqual(
        [(await store.getPaper('2101.00001'))!.numComments, (await store.getPaper('2101.00002'))!.numComments],
        [2, 1],
      );
      assert.equal(
        await store.community.deleteAccount(ada.id, { comments: 'remove', rateLimitKeys: [] }, later(10)),
        true,
      );
      assert.deepEqual(
        [(await store.getPaper('2101.00001'))!.numComments, (await store.getPaper('2101.00002'))!.numComments],
        [1, 0],
        'the live comments left the counts (the hidden one had already)',
      );
      const all = await Promise.all([threaded, reply, alone, hidden].map((c) => store.community.getComment(c.id)));
      assert.deepEqual(
        all.map((c) => [c!.deleted, c!.body]),
        [
          [true, ''],
          [false, 'Bob replies'],
          [true, ''],
          [true, ''],
        ],
      );
      assert.deepEqual(await store.community.commentsBy(ada.id, 10), []);
    });

    test('a deleted moderator stays in the log as a deleted member; a deleted administrator is no administrator', async (t) => {
      const store = await withPapers(t);
      const { mod } = await busyMember(store);
      const root = await member(store, 'root');
      await store.community.setRole(root.id, 'admin');
      for (const who of [mod, root])
        assert.equal(
          await store.community.deleteAccount(who.id, { comments: 'keep', rateLimitKeys: [] }, later(10)),
          true,
        );
      const log = await store.community.moderationLog(10);
      assert.ok(log.length >= 3);
      assert.ok(log.every((e) => e.moderator === DELETED_MEMBER && e.moderatorDeleted));
      assert.equal(await store.community.countAdmins(), 0);
      assert.deepEqual(await store.community.staff(), []);
    });
  });

  describe('moderation and rate limits', () => {
    test('a hidden paper leaves pages, lists, search and counts until it is shown again; every action is logged', async (t) => {
      const store = await backend().open(t);
      await importFixtures(store);
      const [top] = await store.listDaily({
        firstDay: '2026-08-21',
        lastDay: '2026-08-21',
        sort: 'upvotes',
        offset: 0,
        limit: 1,
      });
      const paper = top!.paper;
      const moderator = await store.community.accountForEmail('mod@example.org', NOW);
      const dayCount = await store.countDaily({ firstDay: '2026-08-21', lastDay: '2026-08-21' });
      const search = () => lexicalSearch(store).search(parseQuery(paper.title), {}, DEFAULT_SEARCH_CONFIG.weights, 50);
      assert.equal((await search())[0]?.id, paper.id);
      assert.equal(await store.community.hidePaper(paper.id, moderator.id, 'duplicate', NOW), true);
      assert.equal(await store.community.hidePaper(paper.id, moderator.id, 'again', NOW), false);
      assert.equal(await store.getPaper(paper.id), null);
      assert.deepEqual(await store.getPapers([paper.id]), []);
      assert.equal(await store.countDaily({ firstDay: '2026-08-21', lastDay: '2026-08-21' }), dayCount - 1);
      assert.ok(!(await search()).some((h) => h.id === paper.id), `${name()}: not found by search`);
      assert.deepEqual([...(await store.filterPapers([paper.id], {}))], []);
      assert.ok(!(await store.listPapers(null, 1000)).papers.some((p) => p.id === paper.id));
      if (paper.organization) {
        assert.ok(!(await store.papersOfOrganization(paper.organization.name, 0, 100)).some((p) => p.id === paper.id));
      }
      assert.equal(await store.community.toggleVote(moderator.id, paper.id, NOW), null, 'no votes on a hidden paper');
      assert.deepEqual(
        (await store.community.hiddenPapers()).map((h) => [h.id, h.reason]),
        [[paper.id, 'duplicate']],
      );
      assert.equal(await store.community.unhidePaper(paper.id, moderator.id, 'fine after all', later(1)), true);
      assert.equal((await store.getPaper(paper.id))?.id, paper.id);
      assert.equal((await search())[0]?.id, paper.id);
      assert.deepEqual(
        (await store.community.moderationLog(10)).map((e) => [e.action, e.target, e.moderator]),
        [
          ['unhide-paper', paper.id, moderator.name],
          ['hide-paper', paper.id, moderator.name],
        ],
      );
    });

    test("a ban ends the member's sessions; an unban is logged", async (t) => {
      const store = await withPapers(t);
      const moderator = await store.community.accountForEmail('mod@example.org', NOW);
      const bob = await member(store, 'bob');
      await store.community.createSession('bob-session', bob.id, 'c', later(3600));
      assert.equal(await store.community.banMember(bob.id, moderator.id, 'spam', NOW), true);
      assert.equal(await store.community.banMember(bob.id, moderator.id, 'spam', NOW), false);
      assert.equal(await store.community.getSession('bob-session', later(1)), null);
      const banned = (await store.community.getAccount(bob.id))!;
      assert.equal(banned.bannedAt, NOW.toISOString());
      assert.equal(banned.banReason, 'spam');
      assert.equal(await store.community.unbanMember(bob.id, moderator.id, 'appeal', later(1)), true);
      assert.equal((await store.community.getAccount(bob.id))!.bannedAt, null);
      assert.deepEqual(
        (await store.community.moderationLog(10)).map((e) => [e.action, e.target]),
        [
          ['unban-member', 'bob'],
          ['ban-member', 'bob'],
        ],
      );
    });

    test('a rate limit allows `max` hits a window, across connections, then says when to retry', async (t) => {
      const [a, b] = await backend().openTwo(t);
      const start = new Date('2026-08-22T12:00:00.000Z');
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).community.hitRateLimit('signin:ada', 60, 5, start)),
      );
      assert.equal(results.filter((r) => r.allowed).length, 5, `${name()}: exactly 5 of 8 concurrent hits`);
      const refused = await a.community.hitRateLimit('signin:ada', 60, 5, new Date(start.getTime() + 20_000));
      assert.deepEqual(refused, { allowed: false, retryAfter: 40 });
      assert.deepEqual(await b.community.hitRateLimit('signin:ada', 60, 5, new Date(start.getTime() + 60_000)), {
        allowed: true,
        retryAfter: 0,
      });
      assert.deepEqual(await b.community.hitRateLimit('signin:bob', 60, 5, start), { allowed: true, retryAfter: 0 });
    });

    test('the administrator claim code: one made by starts at once, replaced on demand, spent by one of many claiming at once', async (t) => {
      const [a, b] = await backend().openTwo(t);
      const hashes = ['h0', 'h1', 'h2', 'h3'];
      const offered = await Promise.all(hashes.map((hash, i) => (i % 2 ? b : a).community.offerAdminClaim(hash, NOW)));
      assert.equal(
        offered.filter(Boolean).length,
        1,
        `${name()}: one of four processes starting at once makes the code`,
      );
      const pending = hashes[offered.indexOf(true)]!;
      assert.equal(
        await a.community.offerAdminClaim('h4', later(1)),
        false,
        'a later start leaves the pending code alone',
      );
      const ada = await a.community.accountForEmail('ada@example.org', NOW);
      assert.equal(await b.community.spendAdminClaim('h4', ada.id), false);
      await b.community.replaceAdminClaim('fresh', later(2));
      assert.equal(await a.community.spendAdminClaim(pending, ada.id), false, 'a replaced code no longer works');

      const members = await Promise.all(
        Array.from({ length: 8 }, (_, i) => a.community.accountForEmail(`m${i}@example.org`, NOW)),
      );
      const claims = await Promise.all(members.map((m, i) => (i % 2 ? b : a).community.spendAdminClaim('fresh', m.id)));
      assert.equal(claims.filter(Boolean).length, 1, `${name()}: one of eight members claiming at once becomes admin`);
      assert.equal(await b.community.countAdmins(), 1);
      assert.equal((await b.community.getAccount(members[claims.indexOf(true)]!.id))!.role, 'admin');
      assert.equal(await a.community.spendAdminClaim('fresh', ada.id), false, 'spent');
      // With an administrator, even a code stored afterwards makes nobody admin.
      assert.equal(await a.community.offerAdminClaim('late', later(3)), true);
      assert.equal(await b.community.spendAdminClaim('late', ada.id), false);
      assert.equal(await a.community.countAdmins(), 1);
    });

    test('the instance secret is made once and shared by every connection', async (t) => {
      const [a, b] = await backend().openTwo(t);
      const [x, y] = await Promise.all([a.community.instanceSecret(), b.community.instanceSecret()]);
      assert.equal(x, y);
      assert.match(x, /^[0-9a-f]{64}$/);
      assert.equal(await a.community.instanceSecret(), x);
    });
  });
}

export function subscriptionContract(backend: () => ContractBackend): void {
  test('a subscription is asked for once per address (any case) and starts pending', async (t) => {
    const store = await backend().open(t);
    const first = await store.subscriptions.requestSubscription(' Ada@Example.org ', 'daily', NOW);
    assert.equal(first.created, true);
    assert.equal(first.subscription.email, 'Ada@Example.org');
    assert.equal(first.subscription.status, 'pending');
    const again = await store.subscriptions.requestSubscription('ada@example.org', 'weekly', later(1));
    assert.deepEqual(again, { subscription: first.subscription, created: false });
    assert.deepEqual(await store.subscriptions.getSubscriptionByEmail('ADA@example.org'), first.subscription);
    assert.deepEqual(await store.subscriptions.getSubscription(first.subscription.id), first.subscription);
    assert.equal(await store.subscriptions.getSubscription(999_999), null);
  });

  test('confirmation emails are spaced out; activation and unsubscription change the state', async (t) => {
    const store = await backend().open(t);
    const { subscription } = await store.subscriptions.requestSubscription('ada@example.org', 'daily', NOW);
    const claims = await Promise.all(
      [1, 2, 3].map(() => store.subscriptions.claimConfirmationSlot(subscription.id, 300, NOW)),
    );
    assert.equal(claims.filter(Boolean).length, 1, 'one of three at once');
    assert.equal(await store.subscriptions.claimConfirmationSlot(subscription.id, 300, later(299)), false);
    assert.equal(await store.subscriptions.claimConfirmationSlot(subscription.id, 300, later(300)), true);
    const active = (await store.subscriptions.activate(subscription.id, 'weekly', later(400)))!;
    assert.equal(active.status, 'active');
    assert.equal(active.frequency, 'weekly');
    assert.equal(active.confirmedAt, later(400).toISOString());
    assert.equal(await store.subscriptions.countActive('weekly'), 1);
    const gone = (await store.subscriptions.unsubscribe(subscription.id, later(500)))!;
    assert.equal(gone.status, 'unsubscribed');
    assert.equal(await store.subscriptions.countActive('weekly'), 0);
    assert.equal(
      (await store.subscriptions.activate(subscription.id, 'daily', later(600)))!.confirmedAt,
      later(400).toISOString(),
    );
    assert.equal(await store.subscriptions.activate(999_999, 'daily', NOW), null);
  });

  test('the send ledger: recipients without a final delivery, attempts, bounces and suspension', async (t) => {
    const store = await backend().open(t);
    const ids: number[] = [];
    for (const email of ['a@example.org', 'b@example.org', 'c@example.org', 'd@example.org']) {
      const { subscription } = await store.subscriptions.requestSubscription(email, 'daily', NOW);
      await store.subscriptions.activate(subscription.id, 'daily', NOW);
      ids.push(subscription.id);
    }
    const period = 'daily:2026-08-22';
    const [a, b, c, d] = ids as [number, number, number, number];
    const claim = (id: number, run: string, messageId: string, at: Date) =>
      store.subscriptions.claimDelivery(id, period, run, messageId, new Date(at.getTime() + 600_000), at);
    assert.equal(await claim(a, 'run-1', '<m-a@x>', NOW), true);
    await store.subscriptions.markSent(a, period, later(1));
    assert.equal(await claim(b, 'run-1', '<m-b@x>', NOW), true);
    await store.subscriptions.markDeferred(b, period, 'run-1', '421 try later', later(1));
    assert.equal(await claim(b, 'run-2', '<m-b2@x>', later(2)), true, 'a deferred delivery is taken at once');
    assert.equal(await claim(c, 'run-1', '<m-c@x>', NOW), true);
    assert.equal((await store.subscriptions.markFailed(c, period, '550 no such user', 2, later(1))).suspended, false);
    assert.deepEqual(
      (await store.subscriptions.pendingRecipients('daily', period, 0, 10)).map((s) => s.id),
      [b, d],
    );
    assert.deepEqual(
      (await store.subscriptions.pendingRecipients('daily', period, b, 10)).map((s) => s.id),
      [d],
    );
    const delivery = (await store.subscriptions.getDelivery(b, period))!;
    assert.deepEqual(
      [
        delivery.status,
        delivery.attempts,
        delivery.messageId,
        delivery.lastError,
        delivery.claimedBy,
        delivery.leaseUntil,
      ],
      ['sending', 2, '<m-b@x>', '421 try later', 'run-2', later(602).toISOString()],
    );
    assert.deepEqual(await store.subscriptions.deliveryCounts(period), { sending: 1, deferred: 0, sent: 1, failed: 1 });
    assert.equal(
      (await store.subscriptions.markFailed(c, 'daily:2026-08-23', '550', 2, later(86_400))).suspended,
      true,
    );
    assert.equal((await store.subscriptions.getSubscription(c))!.status, 'suspended');
    await store.subscriptions.markSent(a, 'daily:2026-08-23', later(86_400));
    assert.equal((await store.subscriptions.getSubscription(a))!.hardBounces, 0);
    assert.equal(await store.subscriptions.getDelivery(d, period), null);
  });

  test('a delivery is claimed by one run at a time: a live lease is never taken, an ended one is', async (t) => {
    const [one, two] = await backend().openTwo(t);
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { subscription } = await one.subscriptions.requestSubscription(`r${i}@example.org`, 'daily', NOW);
      await one.subscriptions.activate(subscription.id, 'daily', NOW);
      ids.push(subscription.id);
    }
    const period = 'daily:2026-08-22';
    const lease = (at: Date) => new Date(at.getTime() + 600_000);
    const claim = (store: Store, id: number, run: string, at: Date) =>
      store.subscriptions.claimDelivery(id, period, run, `<${id}@x>`, lease(at), at);

    // Three runs on two connections reach every subscriber at the same moment: each delivery has one winner.
    const runs = ['run-a', 'run-b', 'run-c'];
    const attempts = ids.flatMap((id) => runs.map((run, k) => ({ id, run, store: k % 2 ? two : one })));
    const results = await Promise.all(attempts.map(({ id, run, store }) => claim(store, id, run, NOW)));
    for (const id of ids) {
      const winners = attempts.filter((attempt, i) => attempt.id === id && results[i]);
      assert.equal(winners.length, 1, `${backend().name}: one winner for subscription ${id}`);
      const row = (await two.subscriptions.getDelivery(id, period))!;
      assert.deepEqual(
        [row.status, row.attempts, row.claimedBy, row.leaseUntil],
        ['sending', 1, winners[0]!.run, lease(NOW).toISOString()],
      );
    }

    const [x, y, z] = ids as [number, number, number];
    const holder = (await one.subscriptions.getDelivery(x, period))!.claimedBy!;
    // While the lease holds, nobody takes it; a renewal moves its end; once it has ended, another run may.
    assert.equal(await claim(two, x, 'run-d', later(599)), false);
    await one.subscriptions.renewClaims(period, holder, lease(later(300)));
    assert.equal(await claim(two, x, 'run-d', later(600)), false, 'renewed by its live run');
    assert.equal(await claim(two, x, 'run-d', later(900)), true, 'the lease ended: its run died');
    const taken = (await one.subscriptions.getDelivery(x, period))!;
    assert.deepEqual([taken.claimedBy, taken.attempts, taken.messageId], ['run-d', 2, `<${x}@x>`]);
    // The run that lost it cannot release the new holder's claim; the holder can.
    await one.subscriptions.markDeferred(x, period, holder, '421 late', later(901));
    assert.equal((await one.subscriptions.getDelivery(x, period))!.status, 'sending');
    await two.subscriptions.markDeferred(x, period, 'run-d', '421 busy', later(902));
    assert.deepEqual(await one.subscriptions.deliveryCounts(period), { sending: 11, deferred: 1, sent: 0, failed: 0 });
    assert.equal(await claim(one, x, 'run-e', later(903)), true, 'a deferred delivery is free at once');

    // A final delivery is never claimed again, lease or not.
    await one.subscriptions.markSent(y, period, later(1));
    await one.subscriptions.markFailed(z, period, '550 no such user', 3, later(1));
    for (const id of [y, z]) {
      assert.equal(await claim(two, id, 'run-f', later(10_000)), false);
      assert.equal((await two.subscriptions.getDelivery(id, period))!.leaseUntil, null);
    }
    assert.deepEqual((await one.subscriptions.pendingRecipients('daily', period, 0, 20)).length, 10);
  });

  test('the signing secret is made once and shared by every connection', async (t) => {
    const [a, b] = await backend().openTwo(t);
    const [x, y] = await Promise.all([a.subscriptions.signingSecret(), b.subscriptions.signingSecret()]);
    assert.equal(x, y);
    assert.ok(x.length >= 32);
  });
}
