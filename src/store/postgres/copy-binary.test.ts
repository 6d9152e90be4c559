/**
 * Binary COPY (copy-binary.ts), on the server named by PAPERBOY_TEST_POSTGRES_URL (`npm test` starts one): rows
 * loaded in the binary format read back equal to the same values sent as text parameters.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CopyBinary, copyErrorLine } from './copy-binary.ts';
import { PoolRunner, quoteIdentifier } from './runner.ts';

const url = process.env.PAPERBOY_TEST_POSTGRES_URL;

interface Sample {
  text: string | null;
  json: string | null;
  jsonb: string | null;
  int: number | null;
  flag: boolean | null;
}

const SAMPLES: Sample[] = [
  {
    text: 'tab\there, line\nbreak\r, back\\slash, quote \' and "double", é ∑ 中文 🙂',
    json: '[{"name":"Ada \\"A\\" Lovelace","hidden":false}]',
    jsonb: '["cs.CL", "cs.LG", "é"]',
    int: 2_147_483_647,
    flag: true,
  },
  {
    text: '',
    json: '[]',
    jsonb: '{}',
    int: -2_147_483_648,
    flag: false,
  },
  {
    text: null,
    json: null,
    jsonb: null,
    int: null,
    flag: null,
  },
  {
    text: 'x'.repeat(100_000),
    json: JSON.stringify({ nested: { list: [1, 2.5, null, 'a\u0001b'] } }),
    jsonb: JSON.stringify(Array.from({ length: 500 }, (_, i) => `k${i}`)),
    int: 0,
    flag: true,
  },
];

describe('binary COPY', () => {
  let db: PoolRunner;
  let schema: string;
  const table = (name: string) => `${quoteIdentifier(schema)}.${name}`;

  before(async () => {
    assert.ok(url, 'PAPERBOY_TEST_POSTGRES_URL names the test server (`npm test` and --test-global-setup set it)');
    db = new PoolRunner(url, { max: 2 });
    schema = `copy_${process.pid}_${randomBytes(4).toString('hex')}`;
    await db.exec(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    for (const name of ['sent_binary', 'sent_text']) {
      await db.exec(`CREATE TABLE ${table(name)} (n integer PRIMARY KEY, t text, j json, jb jsonb, i integer,
        b boolean)`);
    }
  });
  after(async () => {
    await db.exec(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
    await db.close();
  });

  test('rows read back as the same values sent as text', async () => {
    const out = new CopyBinary(64);
    SAMPLES.forEach((s, n) => {
      out.row(6);
      out.int4(n);
      out.text(s.text);
      out.text(s.json);
      out.jsonb(s.jsonb);
      out.int4(s.int);
      out.bool(s.flag);
    });
    const data = out.finish();
    await db.transaction((tx) => tx.copyFrom(table('sent_binary'), ['n', 't', 'j', 'jb', 'i', 'b'], data));
    for (const [n, s] of SAMPLES.entries()) {
      await db.query(`INSERT INTO ${table('sent_text')} VALUES ($1, $2, $3, $4, $5, $6)`, [
        n,
        s.text,
        s.json,
        s.jsonb,
        s.int,
        s.flag,
      ]);
    }
    const rows = await db.query<{ n: number; same: boolean }>(
      `SELECT a.n, (a.t IS NOT DISTINCT FROM b.t AND a.j::text IS NOT DISTINCT FROM b.j::text
          AND a.jb IS NOT DISTINCT FROM b.jb AND a.i IS NOT DISTINCT FROM b.i AND a.b IS NOT DISTINCT FROM b.b) AS same
      FROM ${table('sent_binary')} a JOIN ${table('sent_text')} b USING (n) ORDER BY n`,
    );
    assert.equal(rows.length, SAMPLES.length);
    for (const row of rows) assert.equal(row.same, true, `row ${row.n}`);
  });

  test('a value the column refuses fails the COPY, and the error names its row', async () => {
    const out = new CopyBinary();
    for (const n of [10, 11, 12]) {
      out.row(2);
      out.int4(n);
      out.text(n === 12 ? null : `row ${n}`);
    }
    await db.exec(`CREATE TABLE ${table('strict')} (n integer, t text NOT NULL)`);
    const error = await db
      .transaction((tx) => tx.copyFrom(table('strict'), ['n', 't'], out.finish()))
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.match(String(error), /null value in column "t"/);
    assert.equal(copyErrorLine(error), 3);
    const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table('strict')}`)) as [{ n: number }];
    assert.equal(n, 0, 'nothing of the refused COPY stays');
  });

  test('a number that is not a 32-bit integer is refused before it is sent', () => {
    const out = new CopyBinary();
    assert.throws(() => out.int4(1.5), /integer: 1.5/);
    assert.throws(() => out.int4(2 ** 31), /integer/);
    assert.throws(() => out.int4(Number.NaN), /integer/);
    out.int4(-5);
  });

  test('the line of a COPY error, from its context; none for other errors', () => {
    assert.equal(copyErrorLine({ where: 'COPY import_papers, line 3, column published_at: null input' }), 3);
    assert.equal(copyErrorLine({ where: 'COPY papers, line 12: "2101.00001\tTitle"' }), 12);
    assert.equal(copyErrorLine({ where: 'SQL statement "INSERT INTO papers"' }), null);
    assert.equal(copyErrorLine(new Error('no context')), null);
    assert.equal(copyErrorLine(null), null);
  });
});
