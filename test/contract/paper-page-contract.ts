/**
 * What a paper page reads and writes besides the paper itself, on every backend: who submitted it here, who
 * upvoted it (private upvotes counted, never named), and its links, edited by members and logged.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import type { Account, PaperLinks } from '../../src/store/community-store.ts';
import type { ContractBackend } from './backends.ts';
import { entry, madeUp } from './fixtures.ts';

const NOW = new Date('2026-08-22T10:00:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const NONE: PaperLinks = { githubRepo: null, projectPage: null };
const IMPORTED: PaperLinks = { githubRepo: 'https://github.com/acme/one', projectPage: 'https://acme.example/one' };

async function member(store: Store, name: string): Promise<Account> {
  const account = await store.community.accountForEmail(`${name}@example.org`, NOW);
  assert.equal(await store.community.chooseHandle(account.id, name, `${name} (display)`), 'chosen');
  return (await store.community.getAccount(account.id))!;
}

export function paperPageContract(backend: () => ContractBackend): void {
  const name = () => backend().name;
  const withPapers = async (t: TestContext): Promise<Store> => {
    const store = await backend().open(t);
    await store.importBatch({
      papers: [madeUp(1, { ...IMPORTED, githubStars: 42 }), madeUp(2), madeUp(3)],
      entries: [
        entry('2026-08-21', '2101.00001', 0, {
          submittedBy: { name: 'hf-user', fullname: 'Imported submitter', avatarUrl: null, externalId: 'x' },
        }),
      ],
      replaceDays: [],
    });
    return store;
  };

  test('submitters are the members who put the paper on the feed here; imported submitters are not', async (t) => {
    const store = await withPapers(t);
    const ada = await member(store, 'ada');
    assert.deepEqual(await store.community.paperSubmitters('2101.00001'), [], 'imported entries name no member here');
    await store.community.submitPaper('2101.00002', ada.id, '2026-08-22', NOW);
    assert.deepEqual(await store.community.paperSubmitters('2101.00002'), [ada.id]);
    assert.deepEqual(await store.community.paperSubmitters('2101.00003'), []);
    assert.deepEqual(await store.community.paperSubmitters('2199.99999'), []);
  });

  test('upvoters: public ones named newest first, private ones counted only, deleted ones gone', async (t) => {
    const store = await withPapers(t);
    const [ada, bob, cy, dan] = [
      await member(store, 'ada'),
      await member(store, 'bob'),
      await member(store, 'cy'),
      await member(store, 'dan'),
    ];
    await store.community.setUpvotesPublic(bob.id, false);
    await store.community.toggleVote(ada.id, '2101.00002', NOW);
    await store.community.toggleVote(bob.id, '2101.00002', later(1));
    await store.community.toggleVote(cy.id, '2101.00002', later(2));
    await store.community.toggleVote(dan.id, '2101.00002', later(3));
    await store.community.toggleVote(ada.id, '2101.00003', NOW);
    await store.community.deleteAccount(dan.id, { comments: 'keep', rateLimitKeys: [] }, later(4));

    const upvoters = await store.community.paperUpvoters('2101.00002', 10);
    assert.equal(upvoters.total, 3, `${name()}: the deleted member's vote left with them`);
    assert.equal(upvoters.private, 1);
    assert.deepEqual(upvoters.members, [
      { name: 'cy', fullname: 'cy (display)', avatarUrl: null },
      { name: 'ada', fullname: 'ada (display)', avatarUrl: null },
    ]);
    assert.ok(!upvoters.members.some((m) => m.name === 'bob'), 'a private upvoter is never named');
    const first = await store.community.paperUpvoters('2101.00002', 1);
    assert.deepEqual(
      first.members.map((m) => m.name),
      ['cy'],
    );
    assert.equal(first.total, 3, 'the limit bounds the names, not the count');
    assert.deepEqual(await store.community.paperUpvoters('2101.00001', 10), { total: 0, private: 0, members: [] });
    await store.community.setUpvotesPublic(bob.id, true);
    assert.deepEqual(
      (await store.community.paperUpvoters('2101.00002', 10)).members.map((m) => m.name),
      ['cy', 'bob', 'ada'],
      'showing upvotes again names the member',
    );
  });

  test('links change only from what the editor saw, are logged, forget the old stars, and survive imports', async (t) => {
    const store = await withPapers(t);
    const ada = await member(store, 'ada');
    const next = { githubRepo: 'https://github.com/ada/two', projectPage: null };
    const version = await store.dataVersion();

    assert.deepEqual(await store.community.setPaperLinks('2101.00001', NONE, next, ada.id, NOW), {
      status: 'conflict',
      links: IMPORTED,
    });
    assert.deepEqual(await store.community.paperLinkChanges('2101.00001', 10), [], 'a conflict writes nothing');
    assert.deepEqual(await store.community.setPaperLinks('2101.00001', IMPORTED, IMPORTED, ada.id, NOW), {
      status: 'unchanged',
      links: IMPORTED,
    });
    assert.deepEqual(await store.community.paperLinkChanges('2101.00001', 10), [], 'no change, no log entry');

    assert.deepEqual(await store.community.setPaperLinks('2101.00001', IMPORTED, next, ada.id, later(1)), {
      status: 'changed',
      links: next,
    });
    assert.notEqual(await store.dataVersion(), version, 'cached pages showing the links go stale');
    const paper = (await store.getPaper('2101.00001'))!;
    assert.equal(paper.githubRepo, next.githubRepo);
    assert.equal(paper.projectPage, null);
    assert.equal(paper.githubStars, null, "the old repository's stars are not the new one's");

    const keep = { githubRepo: next.githubRepo, projectPage: 'https://ada.example/two' };
    await store.community.setPaperLinks('2101.00001', next, keep, ada.id, later(2));
    const log = await store.community.paperLinkChanges('2101.00001', 10);
    assert.deepEqual(
      log.map(({ id: _, ...change }) => change),
      [
        {
          paperId: '2101.00001',
          editor: 'ada',
          editorDeleted: false,
          at: later(2).toISOString(),
          before: next,
          after: keep,
        },
        {
          paperId: '2101.00001',
          editor: 'ada',
          editorDeleted: false,
          at: later(1).toISOString(),
          before: IMPORTED,
          after: next,
        },
      ],
    );
    assert.equal((await store.community.paperLinkChanges('2101.00001', 1)).length, 1);
    assert.deepEqual(await store.community.linkChangesBy(ada.id, 10), log, "the member's own edits, for their data");
    assert.deepEqual(await store.community.linkChangesBy(ada.id + 1000, 10), []);

    // The next import of the same source would put the old links back: edited links stay as edited.
    const again = await store.importBatch({
      papers: [madeUp(1, { ...IMPORTED, githubStars: 50 }), madeUp(2, IMPORTED)],
      entries: [],
      replaceDays: [],
    });
    const kept = (await store.getPaper('2101.00001'))!;
    assert.deepEqual({ githubRepo: kept.githubRepo, projectPage: kept.projectPage }, keep);
    assert.equal(kept.githubStars, null);
    assert.equal(again.papersUnchanged, 1, `${name()}: an edited paper whose source is unchanged is not rewritten`);
    const fresh = (await store.getPaper('2101.00002'))!;
    assert.equal(fresh.githubRepo, IMPORTED.githubRepo, 'links never edited here still come from imports');

    await store.community.deleteAccount(ada.id, { comments: 'keep', rateLimitKeys: [] }, later(5));
    const [latest] = await store.community.paperLinkChanges('2101.00001', 1);
    assert.equal(latest!.editorDeleted, true, 'the log keeps the edit, without the deleted member');
    assert.doesNotMatch(latest!.editor, /ada/);
  });

  test('hidden and unknown papers have no links to edit; of two edits at once from one state, one wins', async (t) => {
    const store = await withPapers(t);
    const [ada, bob, mod] = [await member(store, 'ada'), await member(store, 'bob'), await member(store, 'mod')];
    assert.deepEqual(await store.community.setPaperLinks('2199.99999', NONE, IMPORTED, ada.id, NOW), {
      status: 'missing',
    });
    await store.community.hidePaper('2101.00003', mod.id, 'spam', NOW);
    assert.deepEqual(await store.community.setPaperLinks('2101.00003', NONE, IMPORTED, ada.id, NOW), {
      status: 'missing',
    });

    const results = await Promise.all([
      store.community.setPaperLinks('2101.00002', NONE, { ...NONE, githubRepo: 'https://github.com/a/a' }, ada.id, NOW),
      store.community.setPaperLinks('2101.00002', NONE, { ...NONE, githubRepo: 'https://github.com/b/b' }, bob.id, NOW),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['changed', 'conflict']);
    const log = await store.community.paperLinkChanges('2101.00002', 10);
    assert.equal(log.length, 1, `${name()}: the losing edit left no trace`);
    assert.equal((await store.getPaper('2101.00002'))!.githubRepo, log[0]!.after.githubRepo);
  });
}
