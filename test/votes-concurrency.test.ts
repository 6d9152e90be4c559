/**
 * 200 members vote on the same paper at the same moment against a real server process: the paper's count and
 * the API's `upvotes` end exactly right. Then all of them take their vote back at once, and vote on five
 * papers each, all in flight together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer } from './browser/browser.ts';
import { apiUpvotes, castVote, expectedGains, signInMembers } from './vote-load.ts';

const MEMBERS = 200;

test('200 members voting at once on one paper end with the exact count', async () => {
  const server = await startServer({ PAPERBOY_RATE_LIMIT_FACTOR: '1000' });
  const members = await signInMembers(server.url, join(server.dir, 'outbox'), MEMBERS);
  const api = (await (await fetch(`${server.url}/api/daily_papers?limit=5`)).json()) as { paper: { id: string } }[];
  const papers = api.map((item) => item.paper.id);
  assert.equal(papers.length, 5);
  const target = papers[0]!;
  const before = await apiUpvotes(server.url, target);

  const first = await Promise.all(members.map((m, i) => castVote(server.url, m, i, target)));
  assert.deepEqual(
    first.filter((r) => r.status !== 200),
    [],
    'every vote was answered 200',
  );
  assert.equal(first.filter((r) => r.voted).length, MEMBERS);
  assert.equal(await apiUpvotes(server.url, target), before + MEMBERS);
  const page = await (await fetch(`${server.url}/papers/${target}`)).text();
  assert.match(page, new RegExp(`class="vote-count">${before + MEMBERS}<`), 'the paper page shows the same count');

  const undo = await Promise.all(members.map((m, i) => castVote(server.url, m, i, target)));
  assert.ok(undo.every((r) => r.status === 200 && r.voted === false));
  assert.equal(await apiUpvotes(server.url, target), before);

  const befores = await Promise.all(papers.map((id) => apiUpvotes(server.url, id)));
  const storm = await Promise.all(members.flatMap((m, i) => papers.map((id) => castVote(server.url, m, i, id))));
  assert.ok(storm.every((r) => r.status === 200));
  const gains = expectedGains(storm);
  for (const [index, id] of papers.entries()) {
    assert.equal(gains.get(id), MEMBERS);
    assert.equal(await apiUpvotes(server.url, id), befores[index]! + MEMBERS, `paper ${id}`);
  }
  assert.deepEqual(server.errors, []);
});
