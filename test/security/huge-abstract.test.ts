/**
 * A paper with a huge abstract full of matches (stored before imports had limits, or written by anything that
 * bypasses them) once made `/search?q=quokka` take seconds of CPU and blocked every other request meanwhile:
 * building its snippet was quadratic in the matches. Against `paperboy serve`, the search and /healthz asked at
 * the same time both answer, and the snippet is a few hundred characters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { startServer } from '../browser/browser.ts';
import { tempDir } from '../helpers.ts';

/** Long enough that a quadratic snippet costs minutes, where a linear one costs milliseconds. */
const HUGE_ABSTRACT = 'A quokka. '.repeat(120_000);
/** The answer must come before this: generous for a loaded machine, far below what the quadratic snippet took. */
const ANSWER_WITHIN_MS = 30_000;

const db = join(tempDir(), 'huge.db');
const store = new SqliteStore(db);
await store.importBatch({
  papers: [
    {
      id: '2401.00001',
      title: 'Quokkas everywhere',
      summary: HUGE_ABSTRACT,
      publishedAt: '2024-01-01T00:00:00.000Z',
      authors: [],
    },
    {
      id: '2401.00002',
      title: 'A small paper',
      summary: 'One quokka, once.',
      publishedAt: '2024-01-02T00:00:00.000Z',
      authors: [],
    },
  ],
  entries: [],
  replaceDays: [],
});
await store.close();
const server = await startServer({ DATABASE_URL: db, PAPERBOY_DEMO: '0' });

test('a search that matches a huge abstract answers, and /healthz asked meanwhile answers too', async () => {
  const signal = AbortSignal.timeout(ANSWER_WITHIN_MS);
  const search = fetch(`${server.url}/search?q=quokka`, { signal });
  const health = fetch(`${server.url}/healthz`, { signal });
  const [page, healthz] = await Promise.all([search, health]);
  assert.equal(healthz.status, 200);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /href="\/papers\/2401\.00001"/);
  assert.match(html, /href="\/papers\/2401\.00002"/);
  const snippets = [...html.matchAll(/<p class="card-abstract card-snippet">(.*?)<\/p>/gs)].map((m) =>
    m[1]!.replace(/<[^>]+>/g, ''),
  );
  assert.equal(snippets.length, 2);
  assert.ok(snippets[0]!.startsWith('A quokka. A quokka.') && snippets[0]!.endsWith('…'), snippets[0]);
  assert.ok(snippets[0]!.length <= 301, `the snippet is ${snippets[0]!.length} characters`);
  assert.equal(snippets[1], 'One quokka, once.');
  assert.deepEqual(server.errors, []);
});
