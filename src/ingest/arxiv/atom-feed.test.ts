import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArxivApiError, idFromAbsUrl, parseAtomFeed, type AtomEntry } from './atom-feed.ts';
import { ArxivApiClient } from './atom-client.ts';
import { PoliteFetcher } from './polite-fetch.ts';

const API = fileURLToPath(new URL('../../../test/fixtures/arxiv/arxiv-api/', import.meta.url));
const read = (name: string) => readFileSync(join(API, name), 'utf8');
const NOW = new Date('2026-12-01T00:00:00Z');

function paper(entry: AtomEntry | undefined) {
  assert.equal(entry?.kind, 'paper', JSON.stringify(entry));
  return entry as Extract<AtomEntry, { kind: 'paper' }>;
}

/** An ArxivApiClient whose fetcher answers from recorded files instead of the network. */
function clientAnswering(answer: (url: URL) => { status: number; file: string }) {
  const urls: URL[] = [];
  const fetcher = new PoliteFetcher({
    userAgent: 'test',
    minIntervalMs: 0,
    maxAttempts: 1,
    backoffBaseMs: 0,
    timeoutMs: 1000,
    fetch: async (input) => {
      const url = new URL(String(input));
      urls.push(url);
      const { status, file } = answer(url);
      return new Response(read(file), { status, headers: { 'content-type': 'application/atom+xml' } });
    },
  });
  return {
    client: new ArxivApiClient({ baseUrl: 'http://export.arxiv.org/api/query', fetcher, now: () => NOW }),
    urls,
  };
}

test('a look-up by id: title, abstract, authors, categories with the primary first, version', () => {
  const feed = parseAtomFeed(read('id_1605.08386.xml'), NOW);
  assert.equal(feed.totalResults, 1);
  const e = paper(feed.entries[0]);
  assert.equal(e.id, '1605.08386');
  assert.equal(e.version, 1);
  assert.equal(e.paper.title, 'Heat-bath random walks with Markov bases');
  assert.equal(e.paper.publishedAt, '2016-05-26T17:59:46.000Z');
  assert.deepEqual(
    e.paper.authors.map((a) => a.name),
    ['Caprice Stanley', 'Tobias Windisch'],
  );
  assert.deepEqual(e.paper.categories, ['math.CO', 'math.ST']);
  assert.ok(e.paper.summary.startsWith('Graphs on lattice points are studied'));
});

test('an old-style id keeps its archive; affiliations are kept for auto-feature rules', () => {
  const e = paper(parseAtomFeed(read('id_astro-ph_0601001.xml'), NOW).entries[0]);
  assert.equal(e.id, 'astro-ph/0601001');
  assert.deepEqual(e.affiliations, ['Ohio State', 'Ohio State', 'CfA', 'Warsaw University Observatory']);
  assert.ok(e.paper.summary.includes('Gould & Morgan (2003)'), 'entities decoded');
  assert.deepEqual(idFromAbsUrl('http://arxiv.org/abs/quant-ph/0201082v1'), { id: 'quant-ph/0201082', version: 1 });
  assert.equal(idFromAbsUrl('https://arxiv.org/api/errors#x'), null);
});

test('the empty result: no entries, no error', () => {
  for (const file of ['query_empty.xml', 'id_0000.0000_empty.xml']) {
    const feed = parseAtomFeed(read(file), NOW);
    assert.equal(feed.totalResults, 0);
    assert.deepEqual(feed.entries, []);
  }
});

test("the error response (HTTP 400, Atom error entry) becomes an ArxivApiError with arXiv's message", async () => {
  assert.throws(
    () => parseAtomFeed(read('id_abc_error_400.xml'), NOW),
    (error: unknown) =>
      error instanceof ArxivApiError && error.message === 'arXiv API error: incorrect id format for abc',
  );
  const { client } = clientAnswering(() => ({ status: 400, file: 'id_abc_error_400.xml' }));
  await assert.rejects(client.newestInCategory('cs.CL', 0, 10), /incorrect id format for abc/);
  await assert.rejects(client.lookup(['abc']), /not an arXiv id: abc/, 'refused before asking');
});

test('look-up of several ids reports the missing ones', async () => {
  const { client, urls } = clientAnswering(() => ({ status: 200, file: 'query_missing_id.xml' }));
  const result = await client.lookup(['2201.13455', '2201.13452v1', '2201.13453', '2201.13454']);
  assert.deepEqual([...result.found.keys()], ['2201.13452']);
  assert.deepEqual(result.missing, ['2201.13455', '2201.13453', '2201.13454']);
  assert.equal(urls.length, 1);
  assert.equal(urls[0]!.searchParams.get('id_list'), '2201.13455,2201.13452,2201.13453,2201.13454');
  assert.equal(
    result.found.get('2201.13452')?.paper.title,
    'Asymptotic Analysis for a Nonlinear Reaction-Diffusion System Modeling an Infectious Disease',
  );
});

test('a category query asks for the newest submissions and pages through the results', async () => {
  const { client, urls } = clientAnswering((url) => ({
    status: 200,
    file: url.searchParams.get('start') === '0' ? 'query_testing_s0_m10.xml' : 'query_testing_s10_m10.xml',
  }));
  const first = await client.newestInCategory('cs', 0, 10);
  const second = await client.newestInCategory('cs.CL', 10, 10);
  assert.equal(first.entries.length, 10);
  assert.equal(second.startIndex, 10);
  assert.ok(first.totalResults > 20);
  assert.equal(urls[0]!.searchParams.get('search_query'), 'cat:cs.*');
  assert.equal(urls[1]!.searchParams.get('search_query'), 'cat:cs.CL');
  assert.equal(urls[0]!.searchParams.get('sortBy'), 'submittedDate');
  const ids = new Set([...first.entries, ...second.entries].map((e) => paper(e).id));
  assert.equal(ids.size, 20);
});

test('a malformed feed is an error, an entry without an id is skipped', () => {
  assert.throws(() => parseAtomFeed(read('id_1605.08386.xml').slice(0, 900), NOW), /malformed XML/);
  const withoutId = read('id_1605.08386.xml').replace('<id>http://arxiv.org/abs/1605.08386v1</id>', '');
  assert.deepEqual(parseAtomFeed(withoutId, NOW).entries, [
    { kind: 'skipped', id: null, reason: 'entry without an id' },
  ]);
});
