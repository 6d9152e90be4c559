import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Account, Role } from '../store/community-store.ts';
import { canEditLinks, parseGithubRepo, parseLinks, parseProjectPage } from './paper-links.ts';

function account(id: number, role: Role = 'member', fields: Partial<Account> = {}): Account {
  return {
    id,
    name: `m${id}`,
    fullname: `M ${id}`,
    email: null,
    role,
    avatarUrl: null,
    createdAt: null,
    bannedAt: null,
    banReason: null,
    handleChosen: true,
    upvotesPublic: true,
    deletedAt: null,
    ...fields,
  };
}

test('links are edited by the submitter, moderators and administrators; not by others, the banned or nobody', () => {
  const paper = { submitterIds: [7] };
  assert.equal(canEditLinks(account(7), paper), true);
  assert.equal(canEditLinks(account(8), paper), false);
  assert.equal(canEditLinks(account(8, 'moderator'), paper), true);
  assert.equal(canEditLinks(account(8, 'admin'), paper), true);
  assert.equal(canEditLinks(null, paper), false);
  assert.equal(canEditLinks(account(7, 'member', { bannedAt: '2026-01-01T00:00:00Z' }), paper), false);
  assert.equal(canEditLinks(account(8, 'admin', { deletedAt: '2026-01-01T00:00:00Z' }), paper), false);
  assert.equal(canEditLinks(account(7), { submitterIds: [] }), false);
  assert.equal(canEditLinks(account(9), { submitterIds: [7], verifiedAuthorIds: [9] }), true, 'a verified author');
  assert.equal(
    canEditLinks(account(9, 'member', { bannedAt: '2026-01-01T00:00:00Z' }), {
      submitterIds: [],
      verifiedAuthorIds: [9],
    }),
    false,
  );
});

test('a GitHub repository is github.com/owner/repo, kept in one form', () => {
  const ok = (input: string) => {
    const parsed = parseGithubRepo(input);
    assert.ok(parsed.ok, input);
    return parsed.url;
  };
  for (const input of [
    'https://github.com/ada/engine',
    'github.com/ada/engine',
    'https://www.github.com/ada/engine/',
    'https://github.com/ada/engine.git',
    '  https://github.com/ada/engine  ',
  ])
    assert.equal(ok(input), 'https://github.com/ada/engine', input);
  assert.equal(ok('https://github.com/Open-Lab/my_repo.v2'), 'https://github.com/Open-Lab/my_repo.v2');
  assert.equal(ok(''), null, 'empty: no repository');
  for (const bad of [
    'http://github.com/ada/engine',
    'https://gitlab.com/ada/engine',
    'https://github.com/ada',
    'https://github.com/ada/engine/tree/main',
    'https://github.com/ada/engine?tab=readme',
    'https://github.com/ada/engine#readme',
    'https://user:pw@github.com/ada/engine',
    'https://github.com:8443/ada/engine',
    'https://github.com.evil.example/ada/engine',
    'https://github.com/-ada/engine',
    'https://github.com/ada/..',
    'javascript:alert(1)//github.com/a/b',
    'https://github.com/ada/"onmouseover=x',
    `https://github.com/ada/${'x'.repeat(600)}`,
  ])
    assert.equal(parseGithubRepo(bad).ok, false, bad);
});

test('a project page is an https address of a named public host', () => {
  assert.deepEqual(parseProjectPage('https://ada.example/engine?x=1#top'), {
    ok: true,
    url: 'https://ada.example/engine?x=1#top',
  });
  assert.deepEqual(parseProjectPage('https://ÉCOLE.example/'), { ok: true, url: 'https://xn--cole-9oa.example/' });
  assert.deepEqual(parseProjectPage(' '), { ok: true, url: null });
  for (const bad of [
    'http://ada.example/',
    'ada.example',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https://localhost/',
    'https://127.0.0.1/',
    'https://[::1]/',
    'https://printer.local/',
    'https://intranet/',
    'https://ada:secret@ada.example/',
    `https://ada.example/${'x'.repeat(500)}`,
  ])
    assert.equal(parseProjectPage(bad).ok, false, bad);
});

test('both links are checked at once, every error by its field', () => {
  assert.deepEqual(parseLinks({ githubRepo: 'nope', projectPage: 'http://x.example' }), {
    ok: false,
    errors: {
      githubRepo: 'The repository must be a GitHub repository address, like https://github.com/owner/repo.',
      projectPage: 'The project page must be an https:// address, like https://example.org/project.',
    },
  });
  assert.deepEqual(parseLinks({ githubRepo: 42, projectPage: undefined }), {
    ok: true,
    links: { githubRepo: null, projectPage: null },
  });
});
