/**
 * The contract of the notification and report facets, written once and run on every backend beside the others:
 * what a member sees (and what they must not: hidden or deleted comments, banned authors), read marks, email
 * choices and the email claim that makes each notification's email go out once; reports merged per item, one per
 * member and item, resolved once.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import type { Account } from '../../src/store/community-store.ts';
import type { NotificationInput } from '../../src/store/notification-store.ts';
import type { ContractBackend } from './backends.ts';
import { entry, madeUp } from './fixtures.ts';

const NOW = new Date('2026-08-21T10:00:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

async function member(store: Store, name: string): Promise<Account> {
  const account = await store.community.accountForEmail(`${name}@example.org`, NOW);
  assert.equal(await store.community.chooseHandle(account.id, name, name), 'chosen');
  return (await store.community.getAccount(account.id))!;
}

async function setUp(backend: ContractBackend, t: TestContext) {
  const store = await backend.open(t);
  // Paper 2 was submitted on Hugging Face by someone who is no member here.
  await store.importBatch({
    papers: [madeUp(1), madeUp(2)],
    entries: [
      entry('2026-08-20', '2101.00002', 0, {
        submittedBy: { name: 'hf-user', fullname: 'HF user', avatarUrl: null, externalId: 'x' },
      }),
    ],
    replaceDays: [],
  });
  const [ada, bob, eve] = [await member(store, 'ada'), await member(store, 'bob'), await member(store, 'eve')];
  return { store, ada, bob, eve, n: store.notifications, r: store.reports };
}

const reply = (to: Account, by: Account, commentId: number, paperId = '2101.00001'): NotificationInput => ({
  memberId: to.id,
  kind: 'reply',
  actorId: by.id,
  commentId,
  paperId,
  action: null,
  reason: null,
  source: `comment:${commentId}`,
});

export function upkeepContract(backend: () => ContractBackend): void {
  describe('notifications', () => {
    test('added once per source; listed newest first with actor, paper and comment; read marks', async (t) => {
      const { store, n, ada, bob, eve } = await setUp(backend(), t);
      const c1 = await store.community.addComment('2101.00001', bob.id, null, 'Hello @ada', NOW);
      const c2 = await store.community.addComment('2101.00002', eve.id, null, 'Another', later(1));
      const added = await n.add([reply(ada, bob, c1.id)], NOW);
      assert.equal(added.length, 1);
      assert.equal(added[0]!.actor?.name, 'bob');
      assert.equal(added[0]!.paperTitle, 'Made-up paper number 1');
      assert.equal(added[0]!.commentBody, 'Hello @ada');
      assert.deepEqual(await n.add([reply(ada, bob, c1.id)], later(1)), [], 'the same source twice: once');
      await n.add([reply(ada, eve, c2.id, '2101.00002'), reply(bob, eve, c2.id, '2101.00002')], later(2));
      const list = await n.list(ada.id, 10);
      assert.deepEqual(
        list.map((x) => x.commentId),
        [c2.id, c1.id],
      );
      assert.deepEqual(
        (await n.list(ada.id, 10, list[0]!.id)).map((x) => x.commentId),
        [c1.id],
        'paged by id',
      );
      assert.equal(await n.unreadCount(ada.id), 2);
      assert.equal(await n.markRead(ada.id, [list[0]!.id], later(3)), 1);
      assert.equal(await n.markRead(bob.id, [list[1]!.id], later(3)), 0, "not another member's");
      assert.equal(await n.unreadCount(ada.id), 1);
      assert.equal(await n.markRead(ada.id, 'all', later(4)), 1);
      assert.equal(await n.unreadCount(ada.id), 0);
      assert.equal(await n.unreadCount(bob.id), 1, "bob's own stay unread");
    });

    test('a hidden or deleted comment, a hidden paper and a banned author take their notifications away', async (t) => {
      const { store, n, ada, bob, eve } = await setUp(backend(), t);
      const hidden = await store.community.addComment('2101.00001', bob.id, null, 'spam', NOW);
      const deleted = await store.community.addComment('2101.00001', bob.id, null, 'oops', NOW);
      const onHidden = await store.community.addComment('2101.00002', bob.id, null, 'fine', NOW);
      const byEve = await store.community.addComment('2101.00001', eve.id, null, 'hi', NOW);
      const kept = await store.community.addComment('2101.00001', bob.id, null, 'kept', NOW);
      await n.add(
        [
          reply(ada, bob, hidden.id),
          reply(ada, bob, deleted.id),
          reply(ada, bob, onHidden.id, '2101.00002'),
          reply(ada, eve, byEve.id),
          reply(ada, bob, kept.id),
          {
            memberId: ada.id,
            kind: 'moderation',
            actorId: null,
            commentId: null,
            paperId: '2101.00002',
            action: 'hide-paper',
            reason: 'off topic',
            source: 'moderation:hide-paper:2101.00002',
          },
        ],
        NOW,
      );
      assert.equal(await n.unreadCount(ada.id), 6);
      await store.community.hideComment(hidden.id, ada.id, 'spam', later(1));
      await store.community.deleteComment(deleted.id, bob.id, later(1));
      await store.community.hidePaper('2101.00002', ada.id, 'off topic', later(1));
      await store.community.banMember(eve.id, ada.id, 'abuse', later(1));
      const left = await n.list(ada.id, 10);
      assert.deepEqual(
        left.map((x) => (x.kind === 'moderation' ? 'moderation' : x.commentId)),
        ['moderation', kept.id],
        'the moderators’ decision about her paper stays',
      );
      assert.equal(await n.unreadCount(ada.id), 2);
    });

    test('email: due by the member’s choice, from when it was chosen; claimed once; final after sent', async (t) => {
      const { store, n, ada, bob } = await setUp(backend(), t);
      assert.deepEqual(await n.emailModes(ada.id), {
        reply: 'off',
        mention: 'off',
        'paper-comment': 'off',
        moderation: 'off',
      });
      const before = await store.community.addComment('2101.00001', bob.id, null, 'before', NOW);
      await n.add([reply(ada, bob, before.id)], NOW);
      await n.setEmailMode(ada.id, 'reply', 'immediate', later(1));
      await n.setEmailMode(ada.id, 'reply', 'immediate', later(50)); // unchanged: the time it was chosen stays
      assert.equal((await n.emailModes(ada.id)).reply, 'immediate');
      const c = await store.community.addComment('2101.00001', bob.id, null, 'after', later(2));
      const [made] = await n.add([reply(ada, bob, c.id)], later(2));
      assert.deepEqual(
        await n.pendingEmails('immediate', later(10), 0, 10, later(10)).then((p) => p.map((x) => x.id)),
        [made!.id],
        'only what came after the choice',
      );
      assert.deepEqual(await n.pendingEmails('daily', later(10), 0, 10, later(10)), []);
      const [pending] = await n.pendingEmails('immediate', later(10), 0, 10, later(10));
      assert.equal(pending!.email, 'ada@example.org');

      assert.deepEqual(await n.claimEmails([made!.id], 'run-a', later(70), later(10)), [made!.id]);
      assert.deepEqual(await n.claimEmails([made!.id], 'run-b', later(70), later(11)), [], 'held by run-a');
      assert.deepEqual(await n.pendingEmails('immediate', later(12), 0, 10, later(12)), [], 'not due while held');
      await n.renewEmailClaims('run-a', later(200));
      assert.deepEqual(await n.claimEmails([made!.id], 'run-b', later(300), later(100)), [], 'renewed');
      assert.deepEqual(await n.claimEmails([made!.id], 'run-b', later(400), later(201)), [made!.id], 'lease over');
      await n.finishEmails([made!.id], 'run-a', 'sent', later(202));
      assert.equal((await n.emailStatus(made!.id))?.status, 'sending', 'run-a lost its claim: its word is ignored');
      await n.finishEmails([made!.id], 'run-b', 'sent', later(202));
      assert.deepEqual(await n.emailStatus(made!.id), { status: 'sent', attempts: 2 });
      assert.deepEqual(await n.claimEmails([made!.id], 'run-c', later(999), later(999)), [], 'sent is final');

      const d = await store.community.addComment('2101.00001', bob.id, null, 'deferred', later(3));
      const [deferred] = await n.add([reply(ada, bob, d.id)], later(3));
      await n.claimEmails([deferred!.id], 'run-a', later(70), later(4));
      await n.finishEmails([deferred!.id], 'run-a', 'deferred', later(5));
      assert.deepEqual(
        await n.claimEmails([deferred!.id], 'run-b', later(70), later(6)),
        [deferred!.id],
        'tried again',
      );

      await store.community.banMember(ada.id, bob.id, 'test', later(7));
      const e = await store.community.addComment('2101.00001', bob.id, null, 'to a banned member', later(8));
      await n.add([reply(ada, bob, e.id)], later(8));
      assert.deepEqual(await n.pendingEmails('immediate', later(10), 0, 10, later(10)), [], 'no mail to the banned');
    });

    test('daily: the members with emails due, and each member’s own', async (t) => {
      const { store, n, ada, bob, eve } = await setUp(backend(), t);
      await n.setEmailMode(ada.id, 'mention', 'daily', NOW);
      await n.setEmailMode(eve.id, 'reply', 'daily', NOW);
      await n.setEmailMode(bob.id, 'reply', 'immediate', NOW);
      const mention = (to: Account, commentId: number): NotificationInput => ({
        ...reply(to, bob, commentId),
        kind: 'mention',
      });
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        const c = await store.community.addComment('2101.00001', bob.id, null, `@ada ${i}`, later(1));
        ids.push((await n.add([mention(ada, c.id)], later(1)))[0]!.id);
      }
      const toEve = await store.community.addComment('2101.00001', ada.id, null, 'hi eve', later(1));
      await n.add([reply(eve, ada, toEve.id), reply(bob, ada, toEve.id)], later(1));
      assert.deepEqual(await n.pendingEmailMembers('daily', later(10), 0, 10, later(10)), [ada.id, eve.id]);
      assert.deepEqual(await n.pendingEmailMembers('daily', later(10), ada.id, 10, later(10)), [eve.id]);
      assert.deepEqual(await n.pendingEmailMembers('immediate', later(10), 0, 10, later(10)), [bob.id]);
      assert.deepEqual(
        (await n.pendingEmails('daily', later(10), 0, 10, later(10), ada.id)).map((x) => x.id),
        ids,
      );
      await n.claimEmails(ids, 'run', later(60), later(10));
      assert.deepEqual(await n.pendingEmailMembers('daily', later(10), 0, 10, later(10)), [eve.id], 'claimed');
    });

    test('two stores claiming the same emails at once: each is won once', async (t) => {
      const [a, b] = await backend().openTwo(t);
      await a.importBatch({ papers: [madeUp(1)], entries: [], replaceDays: [] });
      const ada = await member(a, 'ada');
      const bob = await member(a, 'bob');
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) {
        const c = await a.community.addComment('2101.00001', bob.id, null, `c${i}`, NOW);
        ids.push((await a.notifications.add([reply(ada, bob, c.id)], NOW))[0]!.id);
      }
      const won = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? a : b).notifications.claimEmails(ids, `run-${i}`, later(60), later(1)),
        ),
      );
      assert.deepEqual(
        won.flat().sort((x, y) => x - y),
        ids,
        'every email claimed by exactly one run',
      );
    });

    test('who hears of a paper’s comments, and who a mention names', async (t) => {
      const { store, n, ada, bob } = await setUp(backend(), t);
      assert.deepEqual(await n.paperMembers('2101.00001'), []);
      assert.deepEqual(
        await n.paperMembers('2101.00002'),
        [],
        'a submitter imported from Hugging Face is no member here',
      );
      await store.community.submitPaper('2101.00001', ada.id, '2026-08-21', NOW);
      assert.deepEqual(await n.paperMembers('2101.00001'), [{ memberId: ada.id, relation: 'submitted' }]);
      assert.deepEqual(
        (await n.membersByHandle(['ADA', 'bob', 'nobody'])).map((m) => m.name),
        ['ada', 'bob'],
      );
      await store.community.deleteAccount(bob.id, { comments: 'keep', rateLimitKeys: [] }, NOW);
      assert.deepEqual((await n.membersByHandle(['bob'])).length, 0, 'deleted accounts are not named');
    });
  });

  describe('reports', () => {
    test('one per member and item, merged per item, resolved once with a log entry', async (t) => {
      const { store, r, ada, bob, eve } = await setUp(backend(), t);
      const spam = await store.community.addComment('2101.00001', bob.id, null, 'buy now', NOW);
      const target = { kind: 'comment' as const, id: String(spam.id) };
      assert.equal(await r.report(target, ada.id, 'spam', NOW), 'reported');
      assert.equal(await r.report(target, ada.id, 'spam again', later(1)), 'already');
      assert.equal(await r.report(target, eve.id, 'advert', later(2)), 'reported');
      assert.equal(await r.report({ kind: 'paper', id: '2101.00002' }, eve.id, 'not a paper', later(3)), 'reported');
      await assert.rejects(r.report({ kind: 'comment', id: '999999' }, eve.id, 'x', NOW));
      assert.equal(await r.openCount(), 2);
      const [first, second] = await r.openCases(10);
      assert.deepEqual(first!.target, target);
      assert.equal(first!.commentBody, 'buy now');
      assert.deepEqual(first!.owner, { id: bob.id, name: 'bob', role: 'member' });
      assert.deepEqual(
        first!.reports.map((x) => [x.reporter, x.reason]),
        [
          ['ada', 'spam'],
          ['eve', 'advert'],
        ],
      );
      assert.equal(second!.target.kind, 'paper');
      assert.equal(second!.owner, null, 'a paper submitted on Hugging Face has no local owner');
      assert.equal(second!.paperTitle, 'Made-up paper number 2');

      const results = await Promise.all([
        r.resolve(
          target,
          'warned',
          { moderatorId: eve.id, action: 'warn-member', target: 'bob', reason: 'ads' },
          later(4),
        ),
        r.resolve(
          target,
          'dismissed',
          { moderatorId: ada.id, action: 'dismiss-report', target: 'x', reason: 'y' },
          later(4),
        ),
      ]);
      assert.deepEqual(results.sort(), [0, 2], 'one resolution closes both reports');
      const log = await store.community.moderationLog(10);
      assert.equal(log.length, 1, 'one log entry');
      assert.equal(await r.openCount(), 1);
      assert.equal(await r.openCase(target), null);
      assert.equal(await r.report(target, ada.id, 'still spam', later(5)), 'already', 'once, even after resolution');
    });

    test('an item hidden some other way leaves the queue; two identical reports at once store one', async (t) => {
      const [a, b] = await backend().openTwo(t);
      await a.importBatch({ papers: [madeUp(1)], entries: [], replaceDays: [] });
      const ada = await member(a, 'ada');
      const bob = await member(a, 'bob');
      const c = await a.community.addComment('2101.00001', bob.id, null, 'rude', NOW);
      const target = { kind: 'comment' as const, id: String(c.id) };
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).reports.report(target, ada.id, 'rude', NOW)),
      );
      assert.deepEqual(answers.filter((x) => x === 'reported').length, 1);
      assert.equal((await a.reports.openCase(target))?.reports.length, 1);
      await a.community.hideComment(c.id, ada.id, 'rude', later(1));
      assert.equal(await a.reports.openCount(), 0);
      assert.deepEqual(await a.reports.openCases(10), []);
    });
  });
}
