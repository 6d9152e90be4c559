/**
 * `paperboy migrate sqlite-to-postgres`: an embedded instance with papers, members, sessions, votes, comments,
 * moderation, subscriptions and their ledger, collections, follows, job state and vectors is copied into a fresh
 * database on the server of PAPERBOY_TEST_POSTGRES_URL; the counts and the sampled records match, the copy
 * works as a store (sessions, ids that continue after the copied ones), and a non-empty target is refused.
 * Vectors are copied where the server has pgvector; elsewhere the copy refuses without --skip-vectors.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { CLI, DAY_FIXTURES, NODE, REPO_ROOT, tempDir } from './helpers.ts';
import { HOW_TO_START_POSTGRES, POSTGRES_URL_VARIABLE, PgliteBackend } from './contract/backends.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { analyze } from '../src/domain/analyzer.ts';
import { lexicalSearch } from '../src/search/lexical/lexical-search.ts';
import { migrateSqliteToPostgres, MigrateError } from '../src/cli/migrate-command.ts';

const serverUrl = process.env[POSTGRES_URL_VARIABLE];
if (!serverUrl)
  throw new Error(
    `test/migrate.test.ts needs PostgreSQL: ${POSTGRES_URL_VARIABLE} is not set.\n${HOW_TO_START_POSTGRES}`,
  );

const admin = new pg.Pool({ connectionString: serverUrl, max: 1 });
const databases: string[] = [];
after(async () => {
  for (const name of databases) {
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [name],
    );
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  }
  await admin.end();
});

async function freshDatabase(): Promise<string> {
  const name = `migrate_${process.pid}_${randomBytes(3).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(
      `cannot create a database at ${POSTGRES_URL_VARIABLE}=${serverUrl}: ${(error as Error).message}\n${HOW_TO_START_POSTGRES}`,
    );
  }
  databases.push(name);
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

const [
  {
    rows: [vectorRow],
  },
] = [await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`)];
const serverHasVectors = vectorRow!.n > 0;

/** An embedded instance with a bit of everything. */
async function embeddedInstance(): Promise<{ path: string; sessionHash: string; paperIds: string[] }> {
  const path = join(tempDir('paperboy-migrate-'), 'paperboy.db');
  const store = new SqliteStore(path);
  try {
    await importPath(store, DAY_FIXTURES);
    const now = new Date('2026-08-21T12:00:00Z');
    const paperIds = (await store.listPapers(null, 50)).papers.map((p) => p.id);
    const alice = await store.community.accountForEmail('alice@example.org', now);
    const bob = await store.community.accountForEmail('Bob@Example.org', now);
    await store.community.setRole(alice.id, 'admin');
    for (const id of paperIds.slice(0, 10)) await store.community.toggleVote(bob.id, id, now);
    await store.community.toggleVote(alice.id, paperIds[0]!, now);
    const comment = await store.community.addComment(paperIds[0]!, bob.id, null, 'A **fine** paper.', now);
    await store.community.addComment(paperIds[0]!, alice.id, comment.id, 'Agreed.', now);
    await store.community.hidePaper(paperIds[5]!, alice.id, 'spam', now);
    await store.community.banMember(bob.id, alice.id, 'testing the log', now);
    await store.community.unbanMember(bob.id, alice.id, 'done', now);
    const sessionHash = 'a'.repeat(64); // after the ban, which signed Bob out everywhere
    await store.community.createSession(sessionHash, bob.id, 'csrf-secret', new Date('2099-01-01T00:00:00Z'));
    await store.community.instanceSecret();
    for (let i = 0; i < 30; i++) {
      const { subscription } = await store.subscriptions.requestSubscription(
        `reader${i}@example.org`,
        i % 3 === 0 ? 'weekly' : 'daily',
        now,
      );
      if (i % 5 !== 0) await store.subscriptions.activate(subscription.id, subscription.frequency, now);
      if (i % 4 === 1) {
        await store.subscriptions.claimDelivery(
          subscription.id,
          'daily:2026-08-21',
          'run-1',
          `<m${i}@test>`,
          new Date(now.getTime() + 600_000),
          now,
        );
        await store.subscriptions.markSent(subscription.id, 'daily:2026-08-21', now);
      }
    }
    await store.subscriptions.signingSecret();
    const list = await store.collections.createCollection(
      alice.id,
      { name: 'To read', description: 'later', isPublic: true },
      now,
    );
    for (const id of paperIds.slice(2, 6)) await store.collections.addItem(list!.id, alice.id, id, now);
    await store.collections.moveItem(list!.id, alice.id, paperIds[4]!, 'up', now);
    await store.collections.dismiss(alice.id, paperIds[7]!, now);
    await store.collections.follow(alice.id, 'author', 'Jane Doe', 'Jane Doe', now);
    await store.access.createInvitation(
      'b'.repeat(64),
      'carol@example.org',
      alice.id,
      new Date('2099-01-01T00:00:00Z'),
      now,
    );
    await store.access.setFeedKey(alice.id, 'salt', 'c'.repeat(64), now);
    await store.instance.updateSettings({ name: 'Lab Papers', accent: '#0f766e' }, 0, alice.id, now);
    const withOrg = (await store.getPapers(paperIds)).find((p) => p.organization !== null)!;
    await store.claims.tieDomain(withOrg.organization!.name, 'lab.example', alice.id, now);
    const claimOf = (paper: typeof withOrg, memberId: number, approveReason: string | null) =>
      store.claims.fileClaim(
        { paperId: paper.id, position: 0, authorName: paper.authors[0]!.name, memberId, approveReason },
        now,
      );
    await claimOf(withOrg, bob.id, 'address at @lab.example');
    await claimOf((await store.getPaper(paperIds[1]!))!, alice.id, null);
    await store.setJobState('harvest:arXiv:cs', { harvestedThrough: '2026-08-20', run: null });
    const vectors = paperIds.map((id, i) => ({
      id,
      vector: Float32Array.from({ length: 8 }, (_, k) => Math.sin(i * 8 + k) / 3),
    }));
    await store.putVectors('test-model', 8, vectors);
    return { path, sessionHash, paperIds };
  } finally {
    await store.close();
  }
}

test('an embedded instance is copied into an empty PostgreSQL database; counts and sampled records match', {
  timeout: 120_000,
}, async (t) => {
  const instance = await embeddedInstance();
  const url = await freshDatabase();
  if (!serverHasVectors) {
    await assert.rejects(
      migrateSqliteToPostgres({ from: instance.path, to: url }),
      (error: Error) =>
        error instanceof MigrateError && /pgvector/.test(error.message) && /--skip-vectors/.test(error.message),
    );
  }
  const report = await migrateSqliteToPostgres({
    from: instance.path,
    to: url,
    batchSize: 7,
    skipVectors: !serverHasVectors,
  });
  assert.deepEqual(report.mismatches, []);
  const counts = Object.fromEntries(report.tables.map((r) => [r.table, r.target]));
  for (const r of report.tables) assert.equal(r.target, r.source, r.table);
  assert.ok(counts.papers! > 30 && counts.daily_entries! > 30 && counts.paper_authors! > counts.papers!);
  assert.equal(counts.members! >= 2, true);
  assert.equal(counts.sessions, 1);
  assert.equal(counts.votes, 11);
  assert.equal(counts.comments, 2);
  assert.equal(counts.invitations, 1);
  assert.equal(counts.feed_keys, 1);
  assert.equal(counts.instance_settings, 1);
  assert.equal(counts.instance_settings_log, 2);
  assert.equal(counts.moderation_log, 5); // hide, ban, unban; a domain tied; a claim approved by it
  assert.equal(counts.author_claims, 2);
  assert.equal(counts.organization_domains, 1);
  assert.equal(counts.digest_subscriptions, 30);
  assert.equal(counts.digest_deliveries, 8);
  assert.equal(counts.collection_items, 3); // the fourth paper is hidden: not added
  assert.ok(report.sampled.papers! > 30 && report.sampled.accounts! >= 2 && report.sampled.subscriptions === 30);
  assert.ok(report.skipped.some((s) => s.startsWith('login_tokens')));
  if (serverHasVectors)
    assert.deepEqual(report.vectors, [
      { model: 'test-model', source: instance.paperIds.length, target: instance.paperIds.length },
    ]);
  else assert.ok(report.skipped.some((s) => s.includes('--skip-vectors')));

  // The copy is a working store: the session signs Bob in, new rows get ids after the copied ones.
  const copy = await PostgresStore.connect(url);
  try {
    const session = await copy.community.getSession(instance.sessionHash, new Date());
    assert.equal(session?.account.email?.toLowerCase(), 'bob@example.org');
    const carol = await copy.community.accountForEmail('carol@example.org', new Date());
    assert.ok(carol.id > session!.account.id);
    const comment = await copy.community.addComment(instance.paperIds[1]!, carol.id, null, 'new', new Date());
    assert.ok(comment.id > 2);
    const { subscription } = await copy.subscriptions.requestSubscription(
      'new-reader@example.org',
      'daily',
      new Date(),
    );
    assert.equal(subscription.id, 31);
    const settings = await copy.instance.settings();
    assert.deepEqual(
      [settings.settings.name, settings.settings.accent, settings.version],
      ['Lab Papers', '#0f766e', 1],
    );
    assert.equal((await copy.instance.settingChanges(5)).length, 2);
    assert.equal(
      await copy.getJobState<{ harvestedThrough: string }>('harvest:arXiv:cs').then((s) => s?.harvestedThrough),
      '2026-08-20',
    );
    const paper = await copy.getPaper(instance.paperIds[1]!);
    const found = await lexicalSearch(copy).search(
      { terms: [], phrases: [analyze(paper!.title)], prefixes: [] },
      {},
      { title: 3, authors: 1, abstract: 1 },
      5,
    );
    assert.ok(
      found.some((f) => f.id === paper!.id),
      'full-text search finds a copied paper by its title',
    );
  } finally {
    await copy.close();
  }

  // A second copy into the same (now full) database is refused, by the command too.
  await assert.rejects(
    migrateSqliteToPostgres({ from: instance.path, to: url, skipVectors: true }),
    /not empty: .*papers \(\d+ rows\)/,
  );
  const cli = spawnSync(
    NODE,
    [CLI, 'migrate', 'sqlite-to-postgres', '--from', instance.path, '--to', url, '--skip-vectors'],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  assert.equal(cli.status, 1);
  assert.match(cli.stderr, /the target database is not empty/);
  t.diagnostic(
    `${report.tables.length} tables copied in ${report.seconds.toFixed(1)} s; vectors ${serverHasVectors ? 'copied' : 'skipped (no pgvector on this server)'}`,
  );
});

test('the command prints the per-table counts and the sample it compared', { timeout: 60_000 }, async () => {
  const instance = await embeddedInstance();
  const url = await freshDatabase();
  const args = [
    CLI,
    'migrate',
    'sqlite-to-postgres',
    '--from',
    instance.path,
    '--to',
    url,
    ...(serverHasVectors ? [] : ['--skip-vectors']),
  ];
  const cli = spawnSync(NODE, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /^papers\s+\d+\s+\d+$/m);
  assert.match(cli.stdout, /not copied: login_tokens/);
  assert.match(cli.stdout, /compared through both stores: \d+ papers/);
  assert.match(cli.stdout, /the copy matches/);
});

test('vectors are copied into pgvector and read back the same (PGlite, which has pgvector, as the target)', {
  timeout: 120_000,
}, async (t) => {
  const pglite = new PgliteBackend();
  await pglite.start();
  const target = (await pglite.open(t)) as PostgresStore;
  t.after(() => pglite.close()); // after the schema is dropped (hooks run in the order they were added)
  const instance = await embeddedInstance();
  const report = await migrateSqliteToPostgres({ from: instance.path, to: 'pglite', target, batchSize: 20 });
  assert.deepEqual(report.mismatches, []);
  assert.deepEqual(report.vectors, [
    { model: 'test-model', source: instance.paperIds.length, target: instance.paperIds.length },
  ]);
  assert.equal(report.sampled.vectors, 10);
  const source = new SqliteStore(instance.path);
  try {
    for (const id of instance.paperIds.slice(0, 5))
      assert.deepEqual(await target.getVector('test-model', id), await source.getVector('test-model', id));
    const query = (await source.getVector('test-model', instance.paperIds[3]!))!;
    const [a, b] = [
      await source.searchVectors('test-model', query, 5, {}),
      await target.searchVectors('test-model', query, 5, {}),
    ];
    assert.deepEqual(
      b.map((h) => h.id),
      a.map((h) => h.id),
      'the same nearest papers on both',
    );
  } finally {
    await source.close();
  }
});
