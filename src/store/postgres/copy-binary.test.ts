/**
 * Binary COPY (copy-binary.ts) and the binary tsvector of a paper (text-query.ts), on the server named by
 * PAPERBOY_TEST_POSTGRES_URL (`npm test` starts one): rows loaded in the binary format read back equal to the same
 * values sent as text (text parameters, the tsvector as its literal), byte for byte where the server stores them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CopyBinary, copyErrorLine } from './copy-binary.ts';
import { paperTsvector, writePaperTsvector } from './text-query.ts';
import { PoolRunner, quoteIdentifier } from './runner.ts';

const url = process.env.PAPERBOY_TEST_POSTGRES_URL;

interface Sample {
  text: string | null;
  json: string | null;
  jsonb: string | null;
  int: number | null;
  flag: boolean | null;
  paper: { title: string; authors: { name: string }[]; summary: string };
}

const long = (words: number, word: (i: number) => string) => Array.from({ length: words }, (_, i) => word(i)).join(' ');

const SAMPLES: Sample[] = [
  {
    text: 'tab\there, line\nbreak\r, back\\slash, quote \' and "double", é ∑ 中文 🙂',
    json: '[{"name":"Ada \\"A\\" Lovelace","hidden":false}]',
    jsonb: '["cs.CL", "cs.LG", "é"]',
    int: 2_147_483_647,
    flag: true,
    paper: {
      title: 'Zeta alpha ÉCOLE naïve 𝔸lgebra ﬁber Ωmega beta 2b 10x',
      authors: [{ name: "Ada O'Brien" }, { name: 'Back\\slash Smith' }],
      // U+FA0E and U+20000 are letters NFKD keeps: in UTF-16 the second sorts first, in UTF-8 (the server) last.
      summary: 'Über straße zebra apple 𝒳 ab abc a b Ω ω ＡＢＣ 中文 ㊙ 🙂 emoji \uFA0E \u{20000} \u{10400}x 𐐨',
    },
  },
  {
    text: '',
    json: '[]',
    jsonb: '{}',
    int: -2_147_483_648,
    flag: false,
    paper: { title: '', authors: [], summary: '' },
  },
  {
    text: null,
    json: null,
    jsonb: null,
    int: null,
    flag: null,
    // Past position 16,383 (the server keeps every later one as 16,383), more than 255 positions of a word, and
    // lexemes longer than 2,047 bytes (left out) next to one just short of that.
    paper: {
      title: `${'ж'.repeat(1_023)} ${'ж'.repeat(1_100)} words`,
      authors: [{ name: 'Many Words' }],
      summary: `${long(16_500, (i) => (i % 3 === 0 ? 'word' : `w${i % 700}`))} tail tail end`,
    },
  },
  {
    text: 'x'.repeat(100_000),
    json: JSON.stringify({ nested: { list: [1, 2.5, null, 'a\u0001b'] } }),
    jsonb: JSON.stringify(Array.from({ length: 500 }, (_, i) => `k${i}`)),
    int: 0,
    flag: true,
    paper: {
      title: 'Sparse Attention',
      authors: [{ name: 'Ada Lovelace' }],
      summary: 'Attention is sparse. The words gpt4 and 3d and co-operation stay as they are.',
    },
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
        b boolean, v tsvector)`);
    }
  });
  after(async () => {
    await db.exec(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
    await db.close();
  });

  test('rows read back as the same values sent as text, the tsvector stored byte for byte the same', async () => {
    const out = new CopyBinary(64);
    SAMPLES.forEach((s, n) => {
      out.row(7);
      out.int4(n);
      out.text(s.text);
      out.text(s.json);
      out.jsonb(s.jsonb);
      out.int4(s.int);
      out.bool(s.flag);
      writePaperTsvector(out, s.paper.title, s.paper.authors, s.paper.summary);
    });
    const data = out.finish();
    await db.transaction((tx) => tx.copyFrom(table('sent_binary'), ['n', 't', 'j', 'jb', 'i', 'b', 'v'], data));
    for (const [n, s] of SAMPLES.entries()) {
      await db.query(`INSERT INTO ${table('sent_text')} VALUES ($1, $2, $3, $4, $5, $6, $7::tsvector)`, [
        n,
        s.text,
        s.json,
        s.jsonb,
        s.int,
        s.flag,
        paperTsvector(s.paper.title, s.paper.authors, s.paper.summary),
      ]);
    }
    const rows = await db.query<{ n: number; same: boolean; v_bytes: number; text_v_bytes: number; lexemes: number }>(
      `SELECT a.n, (a.t IS NOT DISTINCT FROM b.t AND a.j::text IS NOT DISTINCT FROM b.j::text
          AND a.jb IS NOT DISTINCT FROM b.jb AND a.i IS NOT DISTINCT FROM b.i AND a.b IS NOT DISTINCT FROM b.b
          AND a.v = b.v AND a.v::text = b.v::text) AS same,
        pg_column_size(a.v) AS v_bytes, pg_column_size(b.v) AS text_v_bytes, length(a.v) AS lexemes
      FROM ${table('sent_binary')} a JOIN ${table('sent_text')} b USING (n) ORDER BY n`,
    );
    assert.equal(rows.length, SAMPLES.length);
    for (const row of rows) {
      assert.equal(row.same, true, `row ${row.n}`);
      assert.equal(row.v_bytes, row.text_v_bytes, `row ${row.n}: tsvector bytes`);
    }
    assert.ok(rows[0]!.lexemes > 20 && rows[1]!.lexemes === 0);
    // The long abstract: position 16,383 once, no word past 255 positions, the 2,200-byte lexeme left out.
    const [long] = await db.query<{ last: string; most: number; widest: number }>(
      `SELECT (SELECT max(p) FROM unnest(v) u, unnest(u.positions) p) AS last,
        (SELECT max(cardinality(u.positions)) FROM unnest(v) u) AS most,
        (SELECT max(octet_length(u.lexeme)) FROM unnest(v) u) AS widest
      FROM ${table('sent_binary')} WHERE n = 2`,
    );
    assert.deepEqual([Number(long!.last), Number(long!.most), Number(long!.widest)], [16_383, 255, 2_046]);
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
