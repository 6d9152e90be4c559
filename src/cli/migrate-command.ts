/**
 * `paperboy migrate sqlite-to-postgres --from PATH --to postgres://…`: copies an embedded instance into an empty
 * PostgreSQL database, then checks the copy.
 *
 * What is copied: papers, daily entries, organizations, authors, members and accounts, sessions (members stay
 * signed in), votes, comments, the moderation log, digest subscriptions with their ledger and signing secret,
 * collections, dismissals and follows, job state (harvest resumption points, the active model, the instance
 * secret that signs CSRF tokens and links), a pending administrator claim code and paper vectors. Not copied: sign-in links not used yet (they
 * expire within the hour) and rate-limit windows (minutes long).
 *
 * How: the two schemas have the same tables and columns (src/store/sqlite/ and src/store/postgres/
 * migrations), so rows are read from SQLite by key, in batches, and inserted as JSON records into the same
 * PostgreSQL table, all in one transaction (a failed copy leaves the target empty); identity sequences are
 * moved past the copied ids, and vectors go in through the store (putVectors) after the commit. Then: rows per
 * table on both sides, vectors per model, and a random sample of records compared field by field through the
 * Store interface of both backends.
 *
 * Stop the embedded instance first (or copy from a backup taken with `sqlite3 db ".backup copy.db"`): rows
 * written during the copy would make the counts differ.
 */
import type { Command } from 'commander';
import { DatabaseSync } from 'node:sqlite';
import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { getLoadablePath } from 'sqlite-vec';
import { describeDatabase } from '../config.ts';
import type { Store } from '../store/store.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { PostgresStore } from '../store/postgres/postgres-store.ts';
import { quoteIdentifier, type Queryable } from '../store/postgres/runner.ts';

type SqlValue = string | number | bigint | null | Uint8Array;
type SqliteRow = Record<string, SqlValue>;

/** A table copied as is, read in key order. */
interface TableSpec {
  name: string;
  key: string[];
  /** Rows left out (SQL condition on the SQLite side). */
  where?: string;
}

/** In foreign-key order. */
export const COPIED_TABLES: readonly TableSpec[] = [
  { name: 'organizations', key: ['name'] },
  { name: 'members', key: ['id'] },
  { name: 'papers', key: ['rowid'] },
  { name: 'authors', key: ['id'] },
  { name: 'paper_authors', key: ['author_id', 'paper_id'] },
  { name: 'daily_entries', key: ['day', 'paper_id'] },
  { name: 'job_state', key: ['key'] },
  { name: 'admin_claim', key: ['id'] },
  { name: 'sessions', key: ['id_hash'] },
  { name: 'votes', key: ['member_id', 'paper_id'] },
  { name: 'comments', key: ['id'] },
  { name: 'moderation_log', key: ['id'] },
  { name: 'digest_subscriptions', key: ['id'] },
  { name: 'digest_deliveries', key: ['subscription_id', 'period_key'] },
  { name: 'digest_secret', key: ['id'] },
  { name: 'collections', key: ['id'] },
  { name: 'collection_items', key: ['collection_id', 'paper_id'] },
  { name: 'dismissed_papers', key: ['member_id', 'paper_id'] },
  { name: 'follows', key: ['member_id', 'kind', 'target'] },
  { name: 'invitations', key: ['id'] },
  { name: 'feed_keys', key: ['member_id'] },
  { name: 'instance_settings', key: ['id'] },
  { name: 'instance_settings_log', key: ['id'] },
  { name: 'author_claims', key: ['id'] },
  { name: 'organization_domains', key: ['organization_name', 'domain'] },
];

/** Tables left behind, and why (said in the report). */
export const SKIPPED_TABLES: Readonly<Record<string, string>> = {
  login_tokens: 'sign-in links expire within the hour: ask for a new one',
  rate_limits: 'rate-limit windows last minutes',
  embedding_models: 'made again by the vectors copy',
  images: 'a cache: the workers fetch the avatars again',
  image_blobs: 'a cache (the embedded instance keeps its images in files)',
};

export interface MigrateOptions {
  from: string;
  /** postgres:// URL of the target database. */
  to: string;
  /** A target store opened by the caller (tests: PGlite, which has pgvector); used instead of `to`, left open. */
  target?: PostgresStore;
  batchSize?: number;
  /** Papers (and their neighbours: accounts, comments, subscriptions, collections) compared after the copy. */
  sample?: number;
  skipVectors?: boolean;
  log?: (line: string) => void;
}

export interface TableReport {
  table: string;
  source: number;
  target: number;
}

export interface MigrateReport {
  tables: TableReport[];
  vectors: { model: string; source: number; target: number }[];
  skipped: string[];
  sampled: Record<string, number>;
  mismatches: string[];
  seconds: number;
}

export class MigrateError extends Error {}

export async function migrateSqliteToPostgres(options: MigrateOptions): Promise<MigrateReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const batchSize = options.batchSize ?? 1_000;
  const source = describeDatabase(options.from);
  if (source.backend !== 'sqlite' || source.path === ':memory:')
    throw new MigrateError(`--from must be an SQLite file, not ${options.from}`);
  if (!existsSync(source.path)) throw new MigrateError(`--from: no such file ${source.path}`);
  if (!options.target && describeDatabase(options.to).backend !== 'postgres')
    throw new MigrateError(`--to must be a postgres:// URL, not ${options.to}`);

  // Through the store first: the file is brought to the current schema, as `serve` would.
  const sqliteStore = new SqliteStore(source.path);
  const raw = new DatabaseSync(source.path, { readOnly: true, allowExtension: true });
  raw.loadExtension(getLoadablePath());
  let target: PostgresStore | null = null;
  try {
    target = options.target ?? (await PostgresStore.connect(options.to, { poolSize: 4 }));
    const pgTables = await targetColumns(target);
    const tables = COPIED_TABLES.filter((t) => sqliteHas(raw, t.name) && pgTables.has(t.name));
    const report: MigrateReport = { tables: [], vectors: [], skipped: [], sampled: {}, mismatches: [], seconds: 0 };
    for (const t of COPIED_TABLES) {
      if (!tables.includes(t))
        report.skipped.push(`${t.name}: not in ${sqliteHas(raw, t.name) ? 'the PostgreSQL' : 'the SQLite'} schema`);
    }
    for (const [name, why] of Object.entries(SKIPPED_TABLES)) report.skipped.push(`${name}: ${why}`);

    // An empty target only: merging two instances is not a copy.
    const occupied: string[] = [];
    for (const t of tables) {
      const [row] = await target.runner.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${quoteIdentifier(t.name)}`,
      );
      if (row!.n > 0) occupied.push(`${t.name} (${row!.n} rows)`);
    }
    if (occupied.length > 0) {
      throw new MigrateError(
        `the target database is not empty: ${occupied.join(', ')}. ` +
          'migrate copies into an empty database only; create a new one (createdb) or drop these tables first',
      );
    }
    const models = listModels(raw);
    const withVectors = models.filter((m) => m.count > 0);
    if (withVectors.length > 0 && !options.skipVectors) {
      const [row] = await target.runner.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`,
      );
      if (row!.n === 0) {
        throw new MigrateError(
          `the SQLite database has vectors (${withVectors.map((m) => `${m.id}: ${m.count}`).join(', ')}) and this PostgreSQL ` +
            'server has no pgvector extension: install pgvector, or pass --skip-vectors (papers are embedded again by a worker)',
        );
      }
    }

    // Rows, in one transaction.
    await target.runner.transaction(async (tx) => {
      for (const table of tables) {
        const copied = await copyTable(raw, tx, table, pgTables.get(table.name)!, batchSize);
        log(`${table.name}: ${copied} rows`);
      }
      for (const table of tables) await resetIdentity(tx, table.name, pgTables.get(table.name)!);
    });

    // Vectors, through the store (it makes each model's pgvector table and index).
    if (options.skipVectors) {
      if (withVectors.length > 0)
        report.skipped.push(
          `vectors of ${withVectors.map((m) => m.id).join(', ')}: --skip-vectors (a worker embeds the papers again)`,
        );
    } else {
      for (const model of withVectors) {
        const copied = await copyVectors(raw, target, model, batchSize);
        log(`vectors of ${model.id}: ${copied}`);
      }
    }

    // Checks: counts, then a sample through both stores.
    for (const table of tables) {
      const sourceCount = Number(
        raw.prepare(`SELECT count(*) AS n FROM ${table.name}${table.where ? ` WHERE ${table.where}` : ''}`).get()!.n,
      );
      const [row] = await target.runner.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${quoteIdentifier(table.name)}`,
      );
      report.tables.push({ table: table.name, source: sourceCount, target: row!.n });
      if (sourceCount !== row!.n)
        report.mismatches.push(`${table.name}: ${sourceCount} rows in SQLite, ${row!.n} in PostgreSQL`);
    }
    if (!options.skipVectors) {
      for (const model of withVectors) {
        const copied = await target.countVectors(model.id);
        report.vectors.push({ model: model.id, source: model.count, target: copied });
        if (copied !== model.count)
          report.mismatches.push(`vectors of ${model.id}: ${model.count} in SQLite, ${copied} in PostgreSQL`);
      }
    }
    await compareSample(raw, sqliteStore, target, options.sample ?? 100, options.skipVectors ?? false, report);
    report.seconds = (performance.now() - started) / 1000;
    return report;
  } finally {
    raw.close();
    await sqliteStore.close();
    if (!options.target) await target?.close();
  }
}

function sqliteHas(db: DatabaseSync, table: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;
}

interface PgColumn {
  name: string;
  type: string;
  identity: 'ALWAYS' | 'BY DEFAULT' | null;
}

async function targetColumns(store: PostgresStore): Promise<Map<string, PgColumn[]>> {
  const rows = await store.runner.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    identity_generation: string | null;
  }>(`
    SELECT table_name, column_name, data_type, identity_generation FROM information_schema.columns
    WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`);
  const tables = new Map<string, PgColumn[]>();
  for (const r of rows) {
    const list = tables.get(r.table_name) ?? [];
    list.push({ name: r.column_name, type: r.data_type, identity: r.identity_generation as PgColumn['identity'] });
    tables.set(r.table_name, list);
  }
  return tables;
}

/** Copies one table in key order, `batchSize` rows per INSERT; returns the rows copied. */
async function copyTable(
  db: DatabaseSync,
  tx: Queryable,
  table: TableSpec,
  pgColumns: PgColumn[],
  batchSize: number,
): Promise<number> {
  const sqliteColumns = new Set(
    db
      .prepare(`PRAGMA table_info(${table.name})`)
      .all()
      .map((c) => String(c.name)),
  );
  const missing = [...sqliteColumns].filter((c) => !pgColumns.some((p) => p.name === c));
  if (missing.length > 0)
    throw new MigrateError(`${table.name}: columns ${missing.join(', ')} have no place in the PostgreSQL schema`);
  // Columns PostgreSQL fills itself (papers.row_id, in the copy's order) are left out.
  const columns = pgColumns.filter((c) => c.identity !== 'ALWAYS' && sqliteColumns.has(c.name));
  const jsonColumns = new Set(columns.filter((c) => c.type === 'json' || c.type === 'jsonb').map((c) => c.name));
  const list = columns.map((c) => quoteIdentifier(c.name)).join(', ');
  const insert = `INSERT INTO ${quoteIdentifier(table.name)} (${list})
    SELECT ${list} FROM json_populate_recordset(null::${quoteIdentifier(table.name)}, $1::json)`;
  const keyList = table.key.join(', ');
  const select = (after: boolean) => `SELECT ${table.key.includes('rowid') ? 'rowid, ' : ''}* FROM ${table.name}
    WHERE ${table.where ?? '1'}${after ? ` AND (${keyList}) > (${table.key.map(() => '?').join(', ')})` : ''}
    ORDER BY ${keyList} LIMIT ${batchSize}`;
  const first = db.prepare(select(false));
  const next = db.prepare(select(true));
  let copied = 0;
  let last: SqlValue[] | null = null;
  for (;;) {
    const rows = (last ? next.all(...(last as (string | number | bigint | null)[])) : first.all()) as SqliteRow[];
    if (rows.length === 0) return copied;
    const records = rows.map((row) => {
      const record: Record<string, unknown> = {};
      for (const c of columns) {
        const value = row[c.name] ?? null;
        record[c.name] = jsonColumns.has(c.name) && typeof value === 'string' ? JSON.parse(value) : value;
      }
      return record;
    });
    await tx.query(insert, [JSON.stringify(records)]);
    copied += rows.length;
    const lastRow = rows.at(-1)!;
    last = table.key.map((k) => lastRow[k] ?? null);
  }
}

/** Moves an identity column's sequence past the copied ids, so that new rows do not collide with them. */
async function resetIdentity(tx: Queryable, table: string, columns: PgColumn[]): Promise<void> {
  for (const column of columns.filter((c) => c.identity === 'BY DEFAULT')) {
    await tx.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${quoteIdentifier(column.name)}) FROM ${quoteIdentifier(table)}), 0) + 1, false)`,
      [table, column.name],
    );
  }
}

interface SqliteModel {
  id: string;
  table: string;
  dimensions: number;
  count: number;
}

function listModels(db: DatabaseSync): SqliteModel[] {
  if (!sqliteHas(db, 'embedding_models')) return [];
  return db
    .prepare('SELECT id, number, dimensions FROM embedding_models ORDER BY number')
    .all()
    .map((row) => {
      const table = `paper_vectors_${Number(row.number)}`;
      const count = sqliteHas(db, table) ? Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()!.n) : 0;
      return { id: String(row.id), table, dimensions: Number(row.dimensions), count };
    });
}

async function copyVectors(db: DatabaseSync, target: Store, model: SqliteModel, batchSize: number): Promise<number> {
  const page =
    db.prepare(`SELECT v.rowid AS row, p.id, v.embedding FROM ${model.table} v JOIN papers p ON p.rowid = v.rowid
    WHERE v.rowid > ? ORDER BY v.rowid LIMIT ${batchSize}`);
  let after = 0;
  let copied = 0;
  for (;;) {
    const rows = page.all(after);
    if (rows.length === 0) return copied;
    const vectors = rows.map((row) => {
      const bytes = row.embedding as Uint8Array;
      return {
        id: String(row.id),
        vector: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
      };
    });
    await target.putVectors(model.id, model.dimensions, vectors);
    copied += vectors.length;
    after = Number(rows.at(-1)!.row);
  }
}

/** Random records read through both stores' interfaces must be equal, field by field. */
async function compareSample(
  db: DatabaseSync,
  from: Store,
  to: Store,
  size: number,
  skipVectors: boolean,
  report: MigrateReport,
): Promise<void> {
  const pick = (sql: string) =>
    db
      .prepare(`${sql} ORDER BY random() LIMIT ${size}`)
      .all()
      .map((r) => Object.values(r)[0] as string | number);
  const check = async (
    what: string,
    keys: (string | number)[],
    read: (store: Store, key: never) => Promise<unknown>,
  ) => {
    report.sampled[what] = keys.length;
    for (const key of keys) {
      const [a, b] = [await read(from, key as never), await read(to, key as never)];
      if (!isDeepStrictEqual(a, b)) report.mismatches.push(`${what} ${key}: ${describeDifference(a, b)}`);
    }
  };
  const papers = pick('SELECT id FROM papers') as string[];
  await check('papers', papers, async (s, id: string) => (await s.getPapers([id]))[0] ?? null);
  await check('featured days', papers, (s, id: string) => s.featuredDays(id));
  await check('comments on papers', papers, (s, id: string) => s.community.commentsOn(id));
  if (!skipVectors)
    await check('vectors', papers.slice(0, 10), async (s, id: string) => {
      const models = listModels(db).filter((m) => m.count > 0);
      return Promise.all(models.map(async (m) => (await s.getVector(m.id, id))?.join(',') ?? null));
    });
  await check('accounts', pick('SELECT id FROM members'), async (s, id: number) => {
    const account = await s.community.getAccount(id);
    // As sets: votes cast in the same millisecond have no defined order, and each backend breaks the tie its own way.
    const sorted = (ids: string[]) => [...ids].sort();
    return account
      ? {
          account,
          upvoted: sorted(await s.community.upvotedBy(id, 1000)),
          submitted: sorted(await s.community.submittedBy(id, 1000)),
        }
      : null;
  });
  if (sqliteHas(db, 'digest_subscriptions')) {
    await check('subscriptions', pick('SELECT id FROM digest_subscriptions'), (s, id: number) =>
      s.subscriptions.getSubscription(id),
    );
  }
  if (sqliteHas(db, 'collections')) {
    await check('collections', pick('SELECT id FROM collections'), async (s, id: number) => ({
      collection: await s.collections.getCollection(id),
      items: await s.collections.collectionItems(id),
    }));
  }
  report.sampled.stats = 1;
  const [a, b] = [await from.stats(), await to.stats()];
  if (!isDeepStrictEqual(a, b)) report.mismatches.push(`stats: ${describeDifference(a, b)}`);
  report.sampled['moderation log'] = 1;
  const [logA, logB] = [await from.community.moderationLog(1000), await to.community.moderationLog(1000)];
  if (!isDeepStrictEqual(logA, logB)) report.mismatches.push(`moderation log: ${describeDifference(logA, logB)}`);
}

/** The fields that differ, e.g. "upvotes: 3 ≠ 4". */
function describeDifference(a: unknown, b: unknown): string {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    const fields = [...keys].filter(
      (k) => !isDeepStrictEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    );
    return fields
      .map(
        (k) =>
          `${k}: ${JSON.stringify((a as Record<string, unknown>)[k])?.slice(0, 80)} ≠ ${JSON.stringify((b as Record<string, unknown>)[k])?.slice(0, 80)}`,
      )
      .join('; ');
  }
  return `${JSON.stringify(a)?.slice(0, 200)} ≠ ${JSON.stringify(b)?.slice(0, 200)}`;
}

export function registerMigrateCommands(program: Command): void {
  const migrate = program.command('migrate').description('move an instance between backends');
  migrate
    .command('sqlite-to-postgres')
    .description(
      'copy an embedded (SQLite) instance into an empty PostgreSQL database, then check counts and a sample of records',
    )
    .requiredOption('--from <path>', 'the SQLite file (stop the instance first, or copy from a backup)')
    .requiredOption('--to <url>', 'postgres:// URL of an empty database')
    .option('--batch-size <n>', 'rows per INSERT', '1000')
    .option('--sample <n>', 'random records of each kind compared through both stores', '100')
    .option('--skip-vectors', 'leave paper vectors behind (a worker embeds the papers again)')
    .action(async (options: { from: string; to: string; batchSize: string; sample: string; skipVectors?: boolean }) => {
      const out = (line: string) => process.stdout.write(`${line}\n`);
      const report = await migrateSqliteToPostgres({
        from: options.from,
        to: options.to,
        batchSize: Number(options.batchSize),
        sample: Number(options.sample),
        skipVectors: options.skipVectors ?? false,
        log: out,
      });
      out('');
      out('table                      sqlite  postgresql');
      for (const t of report.tables)
        out(
          `${t.table.padEnd(24)} ${String(t.source).padStart(8)}  ${String(t.target).padStart(10)}${t.source === t.target ? '' : '  DIFFERENT'}`,
        );
      for (const v of report.vectors)
        out(
          `${`vectors ${v.model}`.slice(0, 24).padEnd(24)} ${String(v.source).padStart(8)}  ${String(v.target).padStart(10)}`,
        );
      for (const s of report.skipped) out(`not copied: ${s}`);
      out(
        `compared through both stores: ${Object.entries(report.sampled)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}`,
      );
      if (report.mismatches.length > 0) {
        for (const m of report.mismatches.slice(0, 50)) out(`MISMATCH ${m}`);
        out(`${report.mismatches.length} mismatches: the copy is NOT faithful`);
        process.exitCode = 1;
      } else {
        out(`the copy matches (${report.seconds.toFixed(1)} s)`);
      }
    });
}
