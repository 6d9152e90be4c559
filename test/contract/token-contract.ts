/**
 * The contract of the token facet (members' personal access tokens) and of setting a vote, written once and
 * run on every backend beside the other facets.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import { MAX_TOKENS_PER_MEMBER } from '../../src/store/token-store.ts';
import type { ContractBackend } from './backends.ts';
import { madeUp } from './fixtures.ts';

const NOW = new Date('2026-08-21T10:00:00.000Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

export function tokenContract(backend: () => ContractBackend): void {
  const setUp = async (t: TestContext) => {
    const store: Store = await backend().open(t);
    const ada = await store.community.accountForEmail('ada@example.org', NOW);
    return { store, ada, tokens: store.tokens };
  };

  describe('tokens', () => {
    test('a token is found by its hash with its member, listed newest first, revoked by its owner only', async (t) => {
      const { store, ada, tokens } = await setUp(t);
      const grace = await store.community.accountForEmail('grace@example.org', NOW);
      const first = await tokens.createToken(ada.id, 'laptop', 'read', 'hash-1', NOW);
      const second = await tokens.createToken(ada.id, 'ci', 'write', 'hash-2', later(1));
      assert.ok(first && second);
      assert.deepEqual(
        { name: first.name, scope: first.scope, accountId: first.accountId, lastUsedAt: first.lastUsedAt },
        { name: 'laptop', scope: 'read', accountId: ada.id, lastUsedAt: null },
      );
      assert.deepEqual(
        (await tokens.tokensOf(ada.id)).map((k) => k.name),
        ['ci', 'laptop'],
      );
      assert.deepEqual(await tokens.tokensOf(grace.id), []);
      const found = await tokens.findToken('hash-2');
      assert.equal(found?.account.id, ada.id);
      assert.equal(found?.token.scope, 'write');
      assert.equal(await tokens.findToken('hash-3'), null);
      assert.equal(await tokens.revokeToken(grace.id, first.id), false, 'not hers');
      assert.equal(await tokens.revokeToken(ada.id, first.id), true);
      assert.equal(await tokens.revokeToken(ada.id, first.id), false, 'once');
      assert.equal(await tokens.findToken('hash-1'), null, 'revoked: not found at once');
    });

    test('the last use is written once a minute at most; a banned or deleted member’s tokens are not found', async (t) => {
      const { store, ada, tokens } = await setUp(t);
      const token = (await tokens.createToken(ada.id, 'bot', 'write', 'hash-b', NOW))!;
      await tokens.markTokenUsed(token.id, later(10), later(-50));
      assert.equal((await tokens.findToken('hash-b'))?.token.lastUsedAt, later(10).toISOString());
      await tokens.markTokenUsed(token.id, later(30), later(-30));
      assert.equal((await tokens.findToken('hash-b'))?.token.lastUsedAt, later(10).toISOString(), 'within the minute');
      await tokens.markTokenUsed(token.id, later(80), later(20));
      assert.equal((await tokens.findToken('hash-b'))?.token.lastUsedAt, later(80).toISOString());

      const mod = await store.community.accountForEmail('mod@example.org', NOW);
      await store.community.setRole(mod.id, 'moderator');
      await store.community.banMember(ada.id, mod.id, 'spam', later(90));
      assert.equal(await tokens.findToken('hash-b'), null, 'banned');
      await store.community.unbanMember(ada.id, mod.id, 'sorry', later(91));
      assert.ok(await tokens.findToken('hash-b'), 'unbanned: works again');
      await store.community.deleteAccount(ada.id, { comments: 'keep', rateLimitKeys: [] }, later(92));
      assert.equal(await tokens.findToken('hash-b'), null, 'deleted');
      assert.deepEqual(await tokens.tokensOf(ada.id), [], 'deleting the account deletes its tokens');
    });

    test(`a member holds ${MAX_TOKENS_PER_MEMBER} tokens at most, also when made at once`, async (t) => {
      const { ada, tokens } = await setUp(t);
      const made = await Promise.all(
        Array.from({ length: MAX_TOKENS_PER_MEMBER + 5 }, (_, i) =>
          tokens.createToken(ada.id, `t${i}`, 'read', `h${i}`, NOW),
        ),
      );
      assert.equal(made.filter((k) => k !== null).length, MAX_TOKENS_PER_MEMBER);
      assert.equal((await tokens.tokensOf(ada.id)).length, MAX_TOKENS_PER_MEMBER);
    });

    test('setVote sets the vote once, whatever the number of requests asking for it at once', async (t) => {
      const { store, ada } = await setUp(t);
      const paper = madeUp(1);
      await store.importBatch({ papers: [paper], entries: [], replaceDays: [] });
      const base = (await store.getPaper(paper.id))!.upvotes;
      const results = await Promise.all(
        Array.from({ length: 5 }, () => store.community.setVote(ada.id, paper.id, true, NOW)),
      );
      assert.ok(results.every((r) => r?.voted === true));
      assert.equal((await store.getPaper(paper.id))!.upvotes, base + 1);
      assert.deepEqual(await store.community.setVote(ada.id, paper.id, false, NOW), { voted: false, upvotes: base });
      assert.deepEqual(await store.community.setVote(ada.id, paper.id, false, NOW), { voted: false, upvotes: base });
      assert.equal(await store.community.setVote(ada.id, 'no-such-paper', true, NOW), null);
    });
  });
}
