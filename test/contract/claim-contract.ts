/**
 * The contract of the authorship facet (claims on author entries, email domains tied to organizations), written
 * once and run on every backend beside the other facets.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import type { ContractBackend } from './backends.ts';
import { dayBatch } from './fixtures.ts';

const NOW = new Date('2026-08-21T10:00:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
/** A Google paper of the recorded day 2026-08-21: its first authors are Chengsong Huang and Zifeng Wang. */
const PAPER = '2608.19880';
const OTHER = '2608.18580';

export function claimContract(backend: () => ContractBackend): void {
  const setUp = async (t: TestContext, store?: Store) => {
    const s: Store = store ?? (await backend().open(t));
    await s.importBatch(dayBatch('2026-08-21'));
    const ada = await s.community.accountForEmail('ada@example.org', NOW);
    const bob = await s.community.accountForEmail('bob@example.org', NOW);
    const mod = await s.community.accountForEmail('mod@example.org', NOW);
    await s.community.setRole(mod.id, 'moderator');
    return { store: s, c: s.claims, ada, bob, mod };
  };
  const entry = (memberId: number, position = 0, paperId = PAPER, approveReason: string | null = null) => ({
    paperId,
    position,
    authorName: position === 0 ? 'Chengsong Huang' : 'Zifeng Wang',
    memberId,
    approveReason,
  });

  describe('authorship claims', () => {
    test('a claim waits for a moderator; a member claims a paper once; approving one rejects the others on the entry', async (t) => {
      const { store, c, ada, bob, mod } = await setUp(t);
      const filed = await c.fileClaim(entry(ada.id), NOW);
      assert.equal(filed.status, 'filed');
      if (filed.status !== 'filed') return;
      assert.equal(filed.claim.status, 'pending');
      assert.equal(filed.claim.member.name, ada.name);
      assert.equal(filed.claim.approvedVia, null);
      assert.equal((await c.fileClaim(entry(ada.id), later(1))).status, 'twice', 'the same entry');
      assert.equal((await c.fileClaim(entry(ada.id, 1), later(1))).status, 'twice', 'another entry of the paper');
      assert.equal((await c.fileClaim(entry(ada.id, 0, 'no-such-paper'), later(1))).status, 'no-paper');
      const rival = await c.fileClaim(entry(bob.id), later(2));
      assert.equal(rival.status, 'filed', 'a second member may claim a pending entry: the moderator chooses');
      if (rival.status !== 'filed') return;

      assert.deepEqual(
        (await c.pendingClaims(10)).map((k) => k.id),
        [filed.claim.id, rival.claim.id],
        'oldest first',
      );
      assert.equal(
        await c.decideClaim(filed.claim.id, mod.id, 'approve', 'checked the arXiv listing', later(3)),
        'done',
      );
      assert.equal(
        await c.decideClaim(filed.claim.id, mod.id, 'reject', 'again', later(4)),
        'not-pending',
        'decided once',
      );
      assert.equal(await c.decideClaim(rival.claim.id, mod.id, 'approve', 'x', later(4)), 'not-pending');
      const approved = await c.getClaim(filed.claim.id);
      assert.equal(approved?.status, 'approved');
      assert.equal(approved?.approvedVia, 'moderator');
      assert.equal(approved?.decidedBy, mod.name);
      assert.equal((await c.getClaim(rival.claim.id))?.status, 'rejected', 'the rival claim on the entry is rejected');
      assert.deepEqual(await c.pendingClaims(10), []);
      assert.equal((await c.fileClaim(entry(bob.id), later(5))).status, 'taken');
      const third = await store.community.accountForEmail('cy@example.org', NOW);
      assert.equal((await c.fileClaim(entry(third.id), later(5))).status, 'taken');
      assert.equal((await c.fileClaim(entry(bob.id, 1), later(6))).status, 'filed', 'bob claims another entry');

      assert.deepEqual(
        (await c.claimsOnPaper(PAPER)).map((k) => [k.position, k.member.name, k.status]),
        [
          [0, ada.name, 'approved'],
          [1, bob.name, 'pending'],
        ],
        'pending and approved, by position; rejected ones are left out',
      );
      assert.deepEqual(
        (await c.claimsOf(bob.id)).map((k) => [k.position, k.status]),
        [
          [1, 'pending'],
          [0, 'rejected'],
        ],
        "a member's claims, newest first, rejected ones too",
      );
      const log = await store.community.moderationLog(10);
      assert.deepEqual(
        log.map((e) => [e.action, e.moderator, e.target, e.reason]),
        [['approve-claim', mod.name, `${PAPER} author 1 (Chengsong Huang)`, 'checked the arXiv listing']],
      );
    });

    test('a rejected claim keeps its reason; the member may claim another entry of the paper', async (t) => {
      const { store, c, ada, mod } = await setUp(t);
      const filed = await c.fileClaim(entry(ada.id), NOW);
      assert.equal(filed.status, 'filed');
      if (filed.status !== 'filed') return;
      assert.equal(await c.decideClaim(filed.claim.id, mod.id, 'reject', 'not on the paper', later(1)), 'done');
      const rejected = await c.getClaim(filed.claim.id);
      assert.equal(rejected?.status, 'rejected');
      assert.equal(rejected?.reason, 'not on the paper');
      assert.equal((await c.fileClaim(entry(ada.id), later(2))).status, 'twice', 'a rejected entry is not filed again');
      assert.equal((await c.fileClaim(entry(ada.id, 1), later(2))).status, 'filed');
      assert.equal((await store.community.moderationLog(5))[0]?.action, 'reject-claim');
    });

    test('a moderator revokes an approved claim; a member withdraws their own claim and may claim again', async (t) => {
      const { store, c, ada, bob, mod } = await setUp(t);
      const filed = await c.fileClaim(entry(ada.id, 0, PAPER, 'tied'), NOW);
      assert.ok(filed.status === 'filed');
      assert.equal(await c.withdrawClaim(filed.claim.id, bob.id), false, 'not bob’s');
      assert.equal(await c.revokeClaim(filed.claim.id, mod.id, 'not the author after all', later(1)), true);
      assert.equal(await c.revokeClaim(filed.claim.id, mod.id, 'again', later(2)), false, 'revoked once');
      const revoked = await c.getClaim(filed.claim.id);
      assert.equal(revoked?.status, 'rejected');
      assert.equal(revoked?.reason, 'not the author after all');
      assert.deepEqual(await c.claimsOnPaper(PAPER), []);
      assert.equal(await c.withdrawClaim(filed.claim.id, ada.id), false, 'a rejected claim stays, with its reason');
      const [logged] = await store.community.moderationLog(1);
      assert.deepEqual([logged?.action, logged?.moderator], ['revoke-claim', mod.name]);

      const pending = await c.fileClaim(entry(bob.id, 1), later(3));
      assert.ok(pending.status === 'filed');
      assert.equal(await c.withdrawClaim(pending.claim.id, bob.id), true);
      assert.equal(await c.getClaim(pending.claim.id), null);
      assert.equal((await c.fileClaim(entry(bob.id, 1), later(4))).status, 'filed', 'withdrawn: claimed again');
    });

    test('approved at once with a reason: logged as the claimant’s, and the show-on-profile switch is theirs', async (t) => {
      const { store, c, ada, bob } = await setUp(t);
      const filed = await c.fileClaim(entry(ada.id, 0, PAPER, 'address at @google.com, tied to google'), NOW);
      assert.equal(filed.status, 'filed');
      if (filed.status !== 'filed') return;
      assert.equal(filed.claim.status, 'approved');
      assert.equal(filed.claim.approvedVia, 'domain');
      assert.equal(filed.claim.showOnProfile, true);
      assert.deepEqual(await c.pendingClaims(10), []);
      const [logged] = await store.community.moderationLog(1);
      assert.equal(logged?.action, 'auto-approve-claim');
      assert.equal(logged?.moderator, ada.name);
      assert.equal(logged?.reason, 'address at @google.com, tied to google');

      assert.equal(await c.setShowOnProfile(filed.claim.id, bob.id, false), false, 'not bob’s');
      assert.equal((await c.getClaim(filed.claim.id))?.showOnProfile, true);
      assert.equal(await c.setShowOnProfile(filed.claim.id, ada.id, false), true);
      assert.equal((await c.getClaim(filed.claim.id))?.showOnProfile, false);
    });

    test('claims on one entry from two processes at once: exactly one is approved', async (t) => {
      const [one, two] = await backend().openTwo(t);
      const { c } = await setUp(t, one);
      const members = await Promise.all(
        Array.from({ length: 8 }, (_, i) => one.community.accountForEmail(`m${i}@example.org`, NOW)),
      );
      const results = await Promise.all(
        members.map((m, i) =>
          (i % 2 === 0 ? one : two).claims.fileClaim(entry(m.id, 0, PAPER, 'tied domain'), later(i)),
        ),
      );
      assert.equal(results.filter((r) => r.status === 'filed').length, 1, JSON.stringify(results.map((r) => r.status)));
      assert.equal(results.filter((r) => r.status === 'taken').length, 7);
      assert.equal((await c.claimsOnPaper(PAPER)).filter((k) => k.status === 'approved').length, 1);

      // Two moderators approving rival pending claims of one entry at once: one approval stands.
      const [mod1, mod2] = await Promise.all([
        one.community.accountForEmail('mod1@example.org', NOW),
        one.community.accountForEmail('mod2@example.org', NOW),
      ]);
      // Two of the members who lost the race (the winner already holds a claim on this paper; which one won varies).
      const [loser1, loser2] = members.filter((_, i) => results[i]!.status === 'taken');
      const a = await c.fileClaim({ ...entry(loser1!.id, 1), approveReason: null }, later(10));
      const b = await c.fileClaim({ ...entry(loser2!.id, 1), approveReason: null }, later(11));
      assert.ok(a.status === 'filed' && b.status === 'filed');
      const decided = await Promise.all([
        one.claims.decideClaim(a.claim.id, mod1.id, 'approve', 'ok', later(12)),
        two.claims.decideClaim(b.claim.id, mod2.id, 'approve', 'ok', later(12)),
      ]);
      assert.deepEqual(decided.toSorted(), ['done', 'not-pending']);
      const onEntry = (await c.claimsOnPaper(PAPER)).filter((k) => k.position === 1);
      assert.equal(onEntry.length, 1);
      assert.equal(onEntry[0]!.status, 'approved');
    });

    test('author participation: an approved claimant’s live comment, not a pending claimant’s or a deleted one', async (t) => {
      const { store, c, ada, bob, mod } = await setUp(t);
      const filed = await c.fileClaim(entry(ada.id), NOW);
      await c.fileClaim(entry(bob.id, 0, OTHER), NOW);
      assert.ok(filed.status === 'filed');
      await store.community.addComment(OTHER, bob.id, null, 'pending claimant', NOW);
      const comment = await store.community.addComment(PAPER, ada.id, null, 'I wrote this', NOW);
      assert.deepEqual(await c.papersWithAuthorComments([PAPER, OTHER]), new Set(), 'not approved yet');
      await c.decideClaim(filed.claim.id, mod.id, 'approve', 'ok', later(1));
      assert.deepEqual(await c.papersWithAuthorComments([PAPER, OTHER]), new Set([PAPER]));
      assert.deepEqual(await c.papersWithAuthorComments([]), new Set());
      await store.community.deleteComment(comment.id, ada.id, later(2));
      assert.deepEqual(await c.papersWithAuthorComments([PAPER, OTHER]), new Set(), 'a deleted comment is no part');
    });

    test('author entries of a name carry their approved claimant; hidden papers and deleted members leave', async (t) => {
      const { store, c, ada, mod } = await setUp(t);
      const before = await c.authorEntries('Chengsong Huang', 10);
      assert.deepEqual(
        before.map((e) => [e.paperId, e.position, e.claimant]),
        [[PAPER, 0, null]],
      );
      assert.deepEqual(await c.authorEntries('Nobody At All', 10), []);
      assert.equal(before[0]?.hfUser, null);
      const tied = await c.authorEntries('Kou Shi', 10);
      assert.deepEqual(
        tied.map((e) => [e.paperId, e.position, e.hfUser]),
        [[OTHER, 0, 'KouShi2']],
        'the Hugging Face account the imported record ties the entry to',
      );
      await c.fileClaim(entry(ada.id, 0, PAPER, 'tied'), NOW);
      const [claimed] = await c.authorEntries('Chengsong Huang', 10);
      assert.equal(claimed?.claimant?.name, ada.name);
      assert.equal((await c.authorEntries('Zifeng Wang', 10))[0]?.claimant, null, 'other entries stay unclaimed');

      assert.equal(await store.community.hidePaper(PAPER, mod.id, 'spam', later(1)), true);
      assert.deepEqual(await c.authorEntries('Chengsong Huang', 10), []);
      assert.deepEqual(await c.claimsOf(ada.id), [], 'claims on hidden papers are not listed');
      assert.equal((await c.fileClaim(entry(mod.id, 1), later(2))).status, 'no-paper');
      await store.community.unhidePaper(PAPER, mod.id, 'fine', later(3));

      assert.equal(
        await store.community.deleteAccount(ada.id, { comments: 'keep', rateLimitKeys: [] }, later(4)),
        true,
      );
      assert.deepEqual(await c.claimsOnPaper(PAPER), [], 'a deleted member’s claims go with the account');
      assert.equal((await c.authorEntries('Chengsong Huang', 10))[0]?.claimant, null);
    });

    test('email domains tied to organizations: tied once, known organizations only, logged', async (t) => {
      const { store, c, mod } = await setUp(t);
      await store.community.setRole(mod.id, 'admin');
      assert.equal(await c.isDomainTied('google', 'google.com'), false);
      assert.equal(await c.tieDomain('google', 'google.com', mod.id, NOW), true);
      assert.equal(await c.tieDomain('google', 'google.com', mod.id, later(1)), false, 'tied already');
      assert.equal(await c.tieDomain('no-such-org', 'x.example', mod.id, later(1)), false);
      assert.equal(await c.tieDomain('ustc', 'ustc.edu.cn', mod.id, later(2)), true);
      assert.equal(await c.isDomainTied('google', 'google.com'), true);
      assert.equal(await c.isDomainTied('ustc', 'google.com'), false, 'a domain is tied to its organization only');
      const ties = await c.domainTies();
      assert.deepEqual(
        ties.map((d) => [d.organization, d.domain, d.createdBy]),
        [
          ['google', 'google.com', mod.name],
          ['ustc', 'ustc.edu.cn', mod.name],
        ],
      );
      assert.ok(ties[0]!.organizationFullname.length > 0);
      assert.equal(await c.untieDomain('google', 'google.com', mod.id, later(3)), true);
      assert.equal(await c.untieDomain('google', 'google.com', mod.id, later(4)), false);
      assert.equal(await c.isDomainTied('google', 'google.com'), false);
      assert.deepEqual(
        (await store.community.moderationLog(10)).map((e) => [e.action, e.target]),
        [
          ['untie-domain', '@google.com → google'],
          ['tie-domain', '@ustc.edu.cn → ustc'],
          ['tie-domain', '@google.com → google'],
        ],
      );
    });
  });
}
