import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrations } from './migrations.ts';
import { SqliteDatabase } from './database.ts';

// Migration 2 has shipped: the keys it writes into existing databases must never change, wherever titleKey lives.
const KEYS: [title: string, key: string][] = [
  ['Attention Is All You Need', 'attention is all you need'],
  ['Ünïcödé Café — naïve façade', 'unicode cafe naive facade'],
  ['GPT-4o vs. Llama-3.1: 3D Scenes!', 'gpt 4o vs llama 3 1 3d scenes'],
  ['O\'Brien\'s "quoted" \\back\\slash; 50% _under_', 'o brien s quoted back slash 50 under'],
  ['ﬁnancial ﬂows', 'financial flows'],
  ['日本語のタイトル', '日本語のタイトル'],
  ['  ?!  ', ''],
];

test('migration 2 gives papers already stored the same exact-title keys as ever', () => {
  const db = new SqliteDatabase(':memory:');
  const raw = db.raw;
  const [first, second] = migrations;
  assert.equal(second!.version, 2);
  raw.exec(first!.sql);
  const insert =
    raw.prepare(`INSERT INTO papers (id, title, summary, published_at, authors, categories, ai_keywords, updated_at)
    VALUES (?, ?, '', '2024-01-01T00:00:00.000Z', '[]', '[]', '[]', '2024-01-01T00:00:00.000Z')`);
  KEYS.forEach(([title], i) => {
    insert.run(`2401.0000${i}`, title);
  });
  raw.exec(second!.sql);
  second!.backfill!(db);
  const keys = raw
    .prepare('SELECT title_key FROM papers ORDER BY rowid')
    .all()
    .map((row) => String(row.title_key));
  assert.deepEqual(
    keys,
    KEYS.map(([, key]) => key),
  );
  db.close();
});
