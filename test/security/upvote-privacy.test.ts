/**
 * Members choose whether their upvotes are public (as before, by default). Off, nobody sees on their profile
 * which papers they upvoted (other members, strangers, and not even the profile's cards for the member), while
 * the counts still include their votes and their data export still lists them, with the setting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_FIXTURES, memoryStore } from '../helpers.ts';
import { communityApp, postForm, signIn } from '../community-helpers.ts';
import { importPath } from '../../src/ingest/import-files.ts';

test('a member hides and shows their upvotes; the export lists them either way', async () => {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  const { app, outboxDir } = communityApp(store);
  const ada = await signIn(app, outboxDir, 'ada@example.org', { handle: 'ada-l' });
  const bob = await signIn(app, outboxDir, 'bob@example.org', { handle: 'bob-b' });
  const latest = (await store.latestDay())!;
  const [entry] = await store.listDaily({ firstDay: latest, lastDay: latest, sort: 'upvotes', offset: 0, limit: 1 });
  const paper = entry!.paper.id;
  const voted = await app.request(`/papers/${paper}/upvote`, {
    method: 'POST',
    headers: { cookie: ada.cookie, 'x-csrf-token': ada.csrf, accept: 'application/json' },
  });
  const { upvotes } = (await voted.json()) as { upvotes: number };
  const profile = async (cookie?: string) =>
    (await app.request('/members/ada-l', cookie ? { headers: { cookie } } : {})).text();
  const card = `href="/papers/${paper}"`;

  assert.ok((await profile()).includes(card), 'public by default, as before');
  const settings = await (await app.request('/settings', { headers: { cookie: ada.cookie } })).text();
  assert.match(settings, /<input type="checkbox" name="upvotes_public" value="1" checked>/);

  assert.equal(
    (await postForm(app, '/settings/privacy', {}, { cookie: ada.cookie })).status,
    403,
    'CSRF as every form',
  );
  const off = await postForm(app, '/settings/privacy', { _csrf: ada.csrf }, { cookie: ada.cookie });
  assert.equal(off.status, 303);
  assert.doesNotMatch(
    await (await app.request('/settings', { headers: { cookie: ada.cookie } })).text(),
    /name="upvotes_public" value="1" checked/,
  );
  for (const [who, cookie] of [
    ['a stranger', undefined],
    ['another member', bob.cookie],
    ['the member', ada.cookie],
  ] as const) {
    const page = await profile(cookie);
    assert.ok(!page.includes(card), `${who} sees no upvoted paper`);
    assert.doesNotMatch(page, /Upvoted papers/, who);
  }
  assert.match(await profile(ada.cookie), /Your upvotes are private/);
  const api = (await (await app.request(`/api/papers/${paper}`)).json()) as { upvotes: number };
  assert.equal(api.upvotes, upvotes, 'the count still holds the vote');

  const data = (await (await app.request('/settings/export', { headers: { cookie: ada.cookie } })).json()) as {
    account: { name: string; handleChosen: boolean; upvotesPublic: boolean };
    upvotes: { paperId: string }[];
  };
  assert.deepEqual([data.account.name, data.account.handleChosen, data.account.upvotesPublic], ['ada-l', true, false]);
  assert.deepEqual(
    data.upvotes.map((u) => u.paperId),
    [paper],
    "the member's own export lists them",
  );

  assert.equal(
    (await postForm(app, '/settings/privacy', { _csrf: ada.csrf, upvotes_public: '1' }, { cookie: ada.cookie })).status,
    303,
  );
  assert.ok((await profile(bob.cookie)).includes(card), 'public again');
});
