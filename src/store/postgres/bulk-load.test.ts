/**
 * The bulk load of the PostgreSQL import (a large batch into a table that holds few papers): the secondary indexes
 * of papers (the GIN index of its categories, the B-trees), the index of paper_authors by paper and the foreign
 * keys of paper_authors are dropped and made again in the import's own transaction. On the server named by PAPERBOY_TEST_POSTGRES_URL
 * (`npm test` starts one): whatever happens to the import (a refused row, its connection killed mid-COPY), every
 * index and constraint is there after.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { PaperInput } from '../../domain/types.ts';
import type { ImportBatch } from '../store.ts';
import { PostgresStore } from './postgres-store.ts';
import { PoolRunner, quoteIdentifier, type Row, type Runner, type Transaction } from './runner.ts';

const url = process.env.PAPERBOY_TEST_POSTGRES_URL;
const LARGE = 12_000;

/** A runner that records the statements of its transactions and the server process that runs each transaction. */
class RecordingRunner implements Runner {
  readonly inner: PoolRunner;
  readonly statements: string[] = [];
  /** Server process of the transaction running now. */
  backendPid: number | null = null;

  constructor(inner: PoolRunner) {
    this.inner = inner;
  }

  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.inner.query<R>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.inner.exec(sql);
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.inner.transaction(async (tx) => {
      const [row] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      this.backendPid = Number(row!.pid);
      const recording: Transaction = {
        query: (sql, params) => {
          this.statements.push(sql);
          return tx.query(sql, params);
        },
        exec: (sql) => {
          this.statements.push(sql);
          return tx.exec(sql);
        },
        copyFrom: (table, columns, data) => {
          this.statements.push(`COPY ${table}`);
          return tx.copyFrom(table, columns, data);
        },
      };
      return work(recording);
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const batchOf = (papers: PaperInput[]): ImportBatch => ({ papers, entries: [], replaceDays: [] });

function paper(n: number, fields: Partial<PaperInput> = {}): PaperInput {
  return {
    id: `2101.${String(n).padStart(5, '0')}`,
    title: `Bulk paper number ${n}`,
    summary: `An abstract about ${['graphs', 'proteins', 'auctions'][n % 3]} numbered m${n}.`,
    publishedAt: `2021-01-${String((n % 28) + 1).padStart(2, '0')}T00:00:00.000Z`,
    authors: [
      { name: `Author ${n}`, externalId: null, hidden: false },
      { name: `Shared ${n % 10}`, externalId: null, hidden: false },
    ],
    categories: [`cs.${['CL', 'LG'][n % 2]}`],
    ...fields,
  };
}

describe('bulk load of the PostgreSQL import', () => {
  const schemas: string[] = [];
  let admin: PoolRunner;

  before(() => {
    assert.ok(url, 'PAPERBOY_TEST_POSTGRES_URL names the test server (`npm test` and --test-global-setup set it)');
    admin = new PoolRunner(url, { max: 2 });
  });
  after(async () => {
    for (const schema of schemas) await admin.exec(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
    await admin.close();
  });

  async function open(): Promise<{ store: PostgresStore; runner: RecordingRunner; schema: string }> {
    const schema = `bulk_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin.exec(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    schemas.push(schema);
    const runner = new RecordingRunner(new PoolRunner(url!, { schema, max: 4 }));
    const store = await PostgresStore.open(runner);
    runner.statements.length = 0; // the migrations'
    return { store, runner, schema };
  }

  /** The indexes of papers and paper_authors and the constraints of paper_authors, as the catalog defines them. */
  async function catalog(schema: string) {
    const indexes = await admin.query(
      `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid AS valid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = $1 AND t.relname IN ('papers', 'paper_authors') ORDER BY 1`,
      [schema],
    );
    const constraints = await admin.query(
      `SELECT k.conname AS name, pg_get_constraintdef(k.oid) AS definition, k.convalidated AS validated
       FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = $1 AND t.relname = 'paper_authors' ORDER BY 1`,
      [schema],
    );
    return { indexes, constraints };
  }

  const dropped = (runner: RecordingRunner) => runner.statements.filter((s) => /^(DROP INDEX|ALTER TABLE)/.test(s));

  test('a large batch into an empty table: indexes and foreign keys dropped, then made again, the same', async () => {
    const { store, runner, schema } = await open();
    const before = await catalog(schema);
    assert.ok(before.indexes.some((i) => i.name === 'papers_categories' && /USING gin/.test(String(i.definition))));
    assert.equal(before.constraints.filter((k) => /FOREIGN KEY/.test(String(k.definition))).length, 2);

    const counts = await store.importBatch(batchOf(Array.from({ length: LARGE }, (_, i) => paper(i + 1))));
    assert.equal(counts.papersNew, LARGE);
    const drops = dropped(runner);
    assert.ok(drops.some((s) => /DROP INDEX .*"papers_categories"/.test(s)));
    assert.ok(drops.some((s) => /DROP INDEX .*"papers_published"/.test(s)));
    assert.ok(drops.some((s) => /DROP INDEX .*"paper_authors_paper"/.test(s)));
    assert.ok(drops.some((s) => /DROP CONSTRAINT "paper_authors_paper_id_fkey"/.test(s)));
    assert.ok(
      !drops.some((s) => /"papers_pkey"|"papers_row_id_key"|"paper_authors_pkey"/.test(s)),
      'unique indexes stay',
    );
    assert.deepEqual(await catalog(schema), before);
    await store.close();
  });

  test('a small batch, or a large one into a table that holds many papers, keeps every index as it is', async () => {
    const { store, runner } = await open();
    await store.importBatch(batchOf(Array.from({ length: 100 }, (_, i) => paper(i + 1))));
    assert.deepEqual(dropped(runner), []);
    await store.importBatch(batchOf(Array.from({ length: 6_000 }, (_, i) => paper(i + 1))));
    // 6,000 stored: a batch of 12,000 is not a bulk load (the table holds half as many).
    await store.importBatch(batchOf(Array.from({ length: LARGE }, (_, i) => paper(i + 1))));
    assert.deepEqual(dropped(runner), []);
    await store.close();
  });

  test('a bulk load that fails in its last chunk, or whose connection is killed, leaves every index', async () => {
    const { store, runner, schema } = await open();
    await store.importBatch(batchOf([paper(1), paper(2)]));
    const before = await catalog(schema);
    const stats = await store.stats();

    const papers = Array.from({ length: LARGE }, (_, i) => paper(i + 1));
    papers[LARGE - 1] = paper(LARGE, { publishedAt: null as unknown as string });
    await assert.rejects(store.importBatch(batchOf(papers)), /published_at/);
    assert.ok(dropped(runner).length > 0, 'it was a bulk load');
    assert.deepEqual(await catalog(schema), before);
    assert.deepEqual(await store.stats(), stats);

    // The server process of the import ends mid-COPY, as when the machine or the server goes down.
    runner.statements.length = 0;
    papers[LARGE - 1] = paper(LARGE);
    const importing = store.importBatch(batchOf(papers));
    importing.catch(() => {});
    while (!runner.statements.includes('COPY papers')) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(dropped(runner).length > 0, 'the indexes were dropped in the transaction');
    await admin.query('SELECT pg_terminate_backend($1)', [runner.backendPid]);
    await assert.rejects(importing);
    assert.deepEqual(await catalog(schema), before);
    assert.deepEqual(await store.stats(), stats);

    // And the next import loads them all.
    assert.equal((await store.importBatch(batchOf(papers))).papersNew, LARGE - 2);
    assert.deepEqual(await catalog(schema), before);
    await store.close();
  });
});
