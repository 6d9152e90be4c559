/** Members through the HTTP app: sign-in by email link, sessions, upvotes, submissions, moderation, CSRF. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_FIXTURES, memoryStore } from './helpers.ts';
import { communityApp, postForm, signIn, signInLink } from './community-helpers.ts';
import { importPath } from '../src/ingest/import-files.ts';

async function seededStore() {
  const store = memoryStore();
  await importPath(store, DAY_FIXTURES);
  return store;
}

test('a member signs in with the emailed link; the link works once; sign-out ends the session', async () => {
  const store = await seededStore();
  const { app, outboxDir } = communityApp(store);
  const member = await signIn(app, outboxDir, 'ada@example.org');
  const home = await (await app.request('/', { headers: { cookie: member.cookie } })).text();
  assert.match(home, /@ada/);
  assert.match(home, /class="vote-form"/);

  const link = await signInLink(outboxDir, 'ada@example.org');
  const reused = await postForm(app, '/signin/verify', { token: link.searchParams.get('token')! });
  assert.equal(reused.status, 400, 'a used token does not sign in again');
  const guessed = await postForm(app, '/signin/verify', { token: 'A'.repeat(43) });
  assert.equal(guessed.status, 400);

  const out = await postForm(app, '/signout', { _csrf: member.csrf }, { cookie: member.cookie });
  assert.equal(out.status, 303);
  const after = await (await app.request('/settings', { headers: { cookie: member.cookie } })).text();
  assert.doesNotMatch(after, /name="fullname"/, 'the old cookie is worth nothing after sign-out');
});
