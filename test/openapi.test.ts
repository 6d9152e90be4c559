/** /api/openapi.json: every API route is in it, it holds together, and real answers match what it says. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { importPath } from '../src/ingest/import-files.ts';
import { API_ROUTES } from '../src/api/api-routes.ts';
import { DAY_FIXTURES, memoryStore } from './helpers.ts';
import { communityApp, postForm, signIn } from './community-helpers.ts';

const store = memoryStore();
const { app, outboxDir } = communityApp(store);
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
};
type Operation = {
  parameters: { name: string; in: string; required: boolean; schema: object; example?: unknown }[];
  responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
};
let doc: Doc;
let paperId = '';

before(async () => {
  const summary = await importPath(store, DAY_FIXTURES);
  assert.deepEqual(summary.failures, []);
  const response = await app.request('/api/openapi.json');
  assert.equal(response.status, 200);
  doc = (await response.json()) as Doc;
  const [first] = await store.listDaily({
    firstDay: '2025-06-02',
    lastDay: '2025-06-02',
    sort: 'upvotes',
    offset: 0,
    limit: 1,
  });
  paperId = first!.paper.id;
});

/** Hono's `/api/papers/:id{.+}` as OpenAPI writes it: `/api/papers/{id}`. */
function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z_]\w*)(\{[^}]*\})?/g, '{$1}');
}

test('every GET route under /api/ is in the document, and every documented route exists', () => {
  const served = new Set(
    app.routes.filter((r) => r.method === 'GET' && r.path.startsWith('/api/')).map((r) => openApiPath(r.path)),
  );
  assert.ok(served.size >= 6, `found ${[...served].join(', ')}`);
  for (const path of served) assert.ok(doc.paths[path]?.get, `${path} is missing from /api/openapi.json`);
  const allGets = new Set(app.routes.filter((r) => r.method === 'GET').map((r) => openApiPath(r.path)));
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!item.get) continue;
    // /papers/{id}.md is served by a pattern route (/papers/:id{.+\.md}).
    const known = allGets.has(path) || (path === '/papers/{id}.md' && allGets.has('/papers/{id}'));
    assert.ok(known, `${path} is documented but not served`);
  }
});

test('the document holds together: OpenAPI 3.1, references resolve, path parameters declared', () => {
  assert.equal(doc.openapi, '3.1.0');
  const text = JSON.stringify(doc);
  for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
    assert.ok(doc.components.schemas[name!], `$ref to ${name} resolves`);
  assert.doesNotMatch(text, /"#\/\$defs\//, 'no reference left pointing into a schema of its own');
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(Object.keys(op.responses).length > 0, `${where} has responses`);
      for (const response of Object.values(op.responses)) assert.ok(response.description, `${where}: description`);
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
      assert.deepEqual(declared.sort(), inPath.sort(), `${where}: path parameters`);
      for (const p of op.parameters) assert.ok(p.schema && typeof p.schema === 'object', `${where}: ${p.name} schema`);
    }
  }
});

test('the parameters are the ones the handlers validate with', () => {
  const names = (path: string) => doc.paths[path]!.get!.parameters.map((p) => p.name).sort();
  assert.deepEqual(names('/api/daily_papers'), ['date', 'limit', 'month', 'p', 'sort', 'submitter', 'week']);
  assert.deepEqual(names('/api/papers'), ['cursor', 'limit']);
  assert.deepEqual(names('/api/papers/search'), ['limit', 'q']);
  for (const name of ['q', 'from', 'to', 'org', 'category', 'has_code', 'sort', 'mode', 'p', 'limit', 'explain'])
    assert.ok(names('/api/search').includes(name), `/api/search documents ${name}`);
  const q = doc.paths['/api/papers/search']!.get!.parameters.find((p) => p.name === 'q')!;
  assert.equal(q.required, true);
  const sort = doc.paths['/api/daily_papers']!.get!.parameters.find((p) => p.name === 'sort')!;
  assert.deepEqual((sort.schema as { enum: string[] }).enum, ['publishedAt', 'trending']);
  // Each parameter's example passes the route's own schema.
  for (const route of API_ROUTES) {
    const op = doc.paths[route.path]![route.method]!;
    const example = Object.fromEntries(
      op.parameters.filter((p) => p.in === 'query' && p.example !== undefined).map((p) => [p.name, p.example]),
    );
    if (route.query && Object.keys(example).length > 0)
      assert.ok(route.query.safeParse(example).success, `${route.path}: examples ${JSON.stringify(example)} pass`);
  }
});

test('the search response documents total, lexicalTotal and suggestion', () => {
  const schema = doc.components.schemas.SearchResponse as { properties: Record<string, object>; required: string[] };
  for (const field of ['total', 'lexicalTotal', 'suggestion', 'results', 'mode', 'notice'])
    assert.ok(schema.properties[field], `SearchResponse.${field}`);
  assert.ok(schema.required.includes('total') && schema.required.includes('lexicalTotal'));
  assert.ok(!schema.required.includes('suggestion'), 'suggestion is there only when nothing matched');
});

/** The 200 schema of a route as the document publishes it, turned back into a validator. */
function documentedValidator(path: string, status = '200', contentType = 'application/json') {
  const schema = doc.paths[path]!.get!.responses[status]!.content![contentType]!.schema;
  const rewrite = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', '"#/$defs/')) as Record<string, unknown>;
  return z.fromJSONSchema({ ...rewrite(schema), $defs: rewrite(doc.components.schemas) } as never);
}

async function checkAnswer(path: string, address: string) {
  const response = await app.request(address);
  assert.equal(response.status, 200, `${address} -> ${response.status}`);
  const body: unknown = await response.json();
  const result = documentedValidator(path).safeParse(body);
  assert.ok(
    result.success,
    `${address} matches the document: ${result.success ? '' : result.error.message.slice(0, 800)}`,
  );
  const route = API_ROUTES.find((r) => r.path === path)!;
  assert.ok(route.responses[200]!.schema!.safeParse(body).success, `${address} matches the route's zod schema`);
  return body;
}

test('real answers match the documented 200 schemas', async () => {
  for (const route of API_ROUTES.filter((r) => r.example)) await checkAnswer(route.path, route.example!);
  await checkAnswer('/api/papers/{id}', `/api/papers/${paperId}`);
  await checkAnswer('/api/search', '/api/search?q=qwxzvkj');
  const items = (await checkAnswer('/api/daily_papers', '/api/daily_papers?date=2025-06-02')) as unknown[];
  assert.ok(items.length > 0);
});

test('a public collection answers as documented', async () => {
  const member = await signIn(app, outboxDir, 'lister@example.org', { handle: 'lister' });
  const created = await postForm(
    app,
    '/collections',
    { _csrf: member.csrf, name: 'Reading list', description: 'for the API', visibility: 'public' },
    { cookie: member.cookie },
  );
  const id = /^\/collections\/(\d+)/.exec(created.headers.get('location') ?? '')?.[1];
  assert.ok(id, `created: ${created.status} ${created.headers.get('location')}`);
  const saved = await postForm(
    app,
    `/papers/${paperId}/save`,
    { _csrf: member.csrf, collection: id },
    { cookie: member.cookie },
  );
  assert.equal(saved.status, 303);
  const body = (await checkAnswer('/api/collections/{id}', `/api/collections/${id}`)) as { papers: unknown[] };
  assert.equal(body.papers.length, 1);
});

test('the documented schemas can fail: a paper without its id, or with a number for a title, is refused', () => {
  const validate = documentedValidator('/api/papers/{id}');
  const good = {
    id: '2506.00001',
    authors: [{ _id: 'a', name: 'Ada', hidden: false }],
    publishedAt: '2025-06-02T00:00:00.000Z',
    title: 'T',
    summary: 'S',
    upvotes: 1,
    discussionId: 'd',
    numComments: 0,
  };
  assert.ok(validate.safeParse(good).success);
  assert.ok(validate.safeParse({ ...good, extraField: 'later additions are allowed' }).success);
  const { id: _, ...withoutId } = good;
  assert.equal(validate.safeParse(withoutId).success, false);
  assert.equal(validate.safeParse({ ...good, title: 3 }).success, false);
  assert.equal(validate.safeParse({ ...good, publishedAt: '2025-06-02 00:00' }).success, false);
});

test('a bad parameter is refused with the schema’s message, as JSON', async () => {
  for (const [address, message] of [
    ['/api/papers/search', /q is required/],
    ['/api/papers/search?q=%20', /q is required/],
    ['/api/papers?limit=0', /limit must be between 1 and 100/],
    ['/api/daily_papers?sort=nope', /sort must be publishedAt or trending/],
    ['/api/search?q=x&mode=magic', /mode must be hybrid, lexical or vector/],
  ] as const) {
    const response = await app.request(address);
    assert.equal(response.status, 400, address);
    assert.match(((await response.json()) as { error: string }).error, message, address);
  }
});
