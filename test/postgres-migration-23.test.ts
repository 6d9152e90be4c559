/**
 * PostgreSQL migration 23 on a database that has papers: their full-text vectors (a tsvector, its title part and
 * their GIN index) go; every paper stays, and the in-memory lexical index finds them. On the server named by
 * PAPERBOY_TEST_POSTGRES_URL (`npm test` starts one).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { migrate, migrations } from '../src/store/postgres/migrations.ts';
import { PoolRunner, quoteIdentifier } from '../src/store/postgres/runner.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { lexicalSearch } from '../src/search/lexical/lexical-search.ts';
import { parseQuery } from '../src/search/query-parser.ts';
import { DEFAULT_SEARCH_CONFIG } from '../src/search/search-service.ts';
import { POSTGRES_URL_VARIABLE } from './postgres-server.ts';

const url = process.env[POSTGRES_URL_VARIABLE];
const schema = `migration23_${process.pid}_${randomBytes(4).toString('hex')}`;
let admin: PoolRunner;

before(async () => {
  assert.ok(url, `${POSTGRES_URL_VARIABLE} names the test server (\`npm test\` and --test-global-setup set it)`);
  admin = new PoolRunner(url, { max: 1 });
  await admin.exec(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
});
after(async () => {
  await admin.exec(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
  await admin.close();
});

/** The columns of papers and the names of its indexes, from the catalog. */
async function papersCatalog(): Promise<{ columns: string[]; indexes: string[] }> {
  const columns = await admin.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'papers'`,
    [schema],
  );
  const indexes = await admin.query<{ name: string }>(
    `SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1 AND tablename = 'papers'`,
    [schema],
  );
  return { columns: columns.map((c) => c.name).sort(), indexes: indexes.map((i) => i.name).sort() };
}

test('migration 23 drops the full-text vectors and their index, and keeps every paper, searchable', async () => {
  const runner = new PoolRunner(url!, { schema, max: 2 });
  // The schema as version 22 left it, with two papers written as that version's import wrote them.
  await runner.transaction(async (tx) => {
    await tx.exec(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
      applied_at text NOT NULL)`);
    for (const migration of migrations.filter((m) => m.version <= 22)) {
      await tx.exec(migration.sql);
      await tx.query(`INSERT INTO schema_migrations VALUES ($1, $2, '2026-01-01T00:00:00.000Z')`, [
        migration.version,
        migration.name,
      ]);
    }
    for (const [id, title] of [
      ['2101.00001', 'Sparse attention for long documents'],
      ['2101.00002', 'Protein folding with diffusion'],
    ]) {
      await tx.query(
        `INSERT INTO papers (id, title, title_key, summary, published_at, authors, categories, ai_keywords,
          search_vector, updated_at)
        VALUES ($1, $2, lower($2), 'An abstract.', '2021-01-04T00:00:00.000Z', '[{"name":"Ada Lovelace"}]',
          '["cs.CL"]', '[]', to_tsvector('simple', $2), '2026-01-01T00:00:00.000Z')`,
        [id, title],
      );
    }
  });
  const before = await papersCatalog();
  assert.ok(before.columns.includes('search_vector') && before.columns.includes('title_vector'));
  assert.ok(before.indexes.includes('papers_search'));

  await migrate(runner);

  const after = await papersCatalog();
  assert.deepEqual(
    after.columns,
    before.columns.filter((c) => c !== 'search_vector' && c !== 'title_vector'),
  );
  assert.deepEqual(
    after.indexes,
    before.indexes.filter((i) => i !== 'papers_search'),
  );
  const store = await PostgresStore.open(runner);
  try {
    assert.equal((await store.getPaper('2101.00002'))?.title, 'Protein folding with diffusion');
    const hits = await lexicalSearch(store).search(
      parseQuery('protein folding'),
      {},
      DEFAULT_SEARCH_CONFIG.weights,
      10,
    );
    assert.deepEqual(
      hits.map((h) => h.id),
      ['2101.00002'],
    );
  } finally {
    await store.close();
  }
});
