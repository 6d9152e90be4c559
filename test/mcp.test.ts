/**
 * The MCP server, driven by the SDK's own client over both transports: `paperboy mcp` on stdio (a child process
 * on a SQLite file) and Streamable HTTP at /mcp of the running app (the same file). Tools are listed and called,
 * and their answers checked against the store; what must not work is tried too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { startServer, type RunningServer } from '../src/server/serve.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { createApiToken } from '../src/community/api-tokens.ts';
import { MEMBER_READ_TOOLS, MEMBER_WRITE_TOOLS, READ_TOOLS } from '../src/mcp/tools.ts';
import type { Paper } from '../src/domain/types.ts';
import { CLI, DAY_FIXTURES, NODE, tempDir } from './helpers.ts';

const dir = tempDir('paperboy-mcp-');
const databaseUrl = join(dir, 'paperboy.db');
const store = new SqliteStore(databaseUrl);
let server: RunningServer;
let top: Paper;
let hidden: Paper;
const tokens: Record<'read' | 'write' | 'other', string> = { read: '', write: '', other: '' };
let adaId = 0;

before(async () => {
  assert.deepEqual((await importPath(store, DAY_FIXTURES)).failures, []);
  const day = await store.listDaily({
    firstDay: '2026-08-21',
    lastDay: '2026-08-21',
    sort: 'upvotes',
    offset: 0,
    limit: 50,
  });
  top = day[0]!.paper;
  hidden = day[1]!.paper;
  const mod = await store.community.accountForEmail('mod@example.org', new Date());
  await store.community.hidePaper(hidden.id, mod.id, 'test', new Date());
  const ada = await store.community.accountForEmail('ada@example.org', new Date());
  adaId = ada.id;
  for (const scope of ['read', 'write'] as const) {
    const made = await createApiToken(store.tokens, ada, scope, scope);
    assert.ok(made.ok);
    tokens[scope] = made.secret;
  }
  const other = await createApiToken(store.tokens, ada, 'to revoke', 'write');
  assert.ok(other.ok);
  tokens.other = other.secret;
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_URL: 'http://127.0.0.1',
  });
  server = await startServer({ store, config: { ...config }, logger: createLogger('silent') });
});
after(async () => {
  await server?.close();
  await store.close();
});

const text = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
const structured = <T>(result: CallToolResult) => result.structuredContent as T;
const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;

async function httpClient(token?: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'test', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    requestInit: { headers: { ...(token && { authorization: `Bearer ${token}` }), ...headers } },
  });
  await client.connect(transport);
  return client;
}

async function stdioClient(token?: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1' });
  const transport = new StdioClientTransport({
    command: NODE,
    args: [CLI, 'mcp'],
    env: {
      DATABASE_URL: databaseUrl,
      PUBLIC_URL: 'http://127.0.0.1',
      LOG_LEVEL: 'warn',
      SEMANTIC_SEARCH: '0',
      PATH: process.env.PATH ?? '',
      ...(token && { PAPERBOY_TOKEN: token }),
    },
    stderr: 'pipe',
  });
  await client.connect(transport);
  return client;
}

const toolNames = async (client: Client) => (await client.listTools()).tools.map((t) => t.name).sort();

/** The read tools' answers, checked against the store; the same on either transport. */
async function checkReadTools(client: Client): Promise<void> {
  const search = await call(client, 'search_papers', { query: top.title, limit: 5 });
  assert.ok(!search.isError, text(search));
  const found = structured<{ total: number; papers: { id: string; upvotes: number }[] }>(search);
  assert.equal(found.papers[0]?.id, top.id, 'the title finds its paper first');
  assert.equal(found.papers[0]?.upvotes, (await store.getPaper(top.id))!.upvotes);
  assert.ok(found.total >= found.papers.length);
  assert.match(text(search), new RegExp(`arXiv:${top.id.replace('.', '\\.')}`));

  const got = await call(client, 'get_paper', { id: `https://arxiv.org/abs/${top.id}` });
  const record = structured<{ id: string; title: string; abstract: string; featuredDays: string[] }>(got);
  assert.equal(record.title, top.title);
  assert.equal(record.abstract, top.summary);
  assert.deepEqual(record.featuredDays, await store.featuredDays(top.id));

  const read = await call(client, 'read_paper', { id: top.id });
  const markdown = await (await fetch(`${server.url}/papers/${top.id}.md`)).text();
  assert.equal(structured<{ markdown: string }>(read).markdown, markdown, 'the same Markdown as /papers/{id}.md');
  assert.equal(text(read), markdown);

  const daily = await call(client, 'daily_papers', { date: '2026-08-21', limit: 100 });
  const listed = await store.listDaily({
    firstDay: '2026-08-21',
    lastDay: '2026-08-21',
    sort: 'upvotes',
    offset: 0,
    limit: 100,
  });
  assert.deepEqual(
    structured<{ papers: { id: string }[] }>(daily).papers.map((p) => p.id),
    listed.map((e) => e.paper.id),
  );
  const trending = structured<{ papers: { id: string }[] }>(await call(client, 'trending', { limit: 50 }));
  assert.ok(trending.papers.length > 0);
  const similar = structured<{ papers: { id: string }[] }>(await call(client, 'similar_papers', { id: top.id }));
  assert.ok(!similar.papers.some((p) => p.id === top.id), 'not the paper itself');

  // Hidden: absent everywhere.
  assert.equal((await call(client, 'get_paper', { id: hidden.id })).isError, true);
  assert.equal((await call(client, 'read_paper', { id: hidden.id })).isError, true);
  const searchHidden = structured<{ papers: { id: string }[] }>(
    await call(client, 'search_papers', { query: hidden.title, limit: 50 }),
  );
  assert.ok(!searchHidden.papers.some((p) => p.id === hidden.id));
  assert.ok(!structured<{ papers: { id: string }[] }>(daily).papers.some((p) => p.id === hidden.id));
  assert.ok(!trending.papers.some((p) => p.id === hidden.id));

  // Bad arguments: a tool error, and the connection lives on.
  const bad = await call(client, 'search_papers', { query: 'x', limit: 0 });
  assert.equal(bad.isError, true);
  assert.match(text(bad), /limit/);
  assert.equal((await call(client, 'daily_papers', { date: '2026-02-30' })).isError, true);
  assert.equal((await call(client, 'daily_papers', { date: '2026-08-21', week: '2026-W34' })).isError, true);
  assert.equal((await call(client, 'get_paper', {})).isError, true);
  assert.equal((await call(client, 'get_paper', { id: '9999.99999' })).isError, true);
  assert.ok(!(await call(client, 'get_paper', { id: top.id })).isError, 'still answering');
}

describe('MCP over Streamable HTTP at /mcp', () => {
  test('anonymous: the read tools only, each answering from the store', async () => {
    const client = await httpClient();
    try {
      assert.deepEqual(await toolNames(client), [...READ_TOOLS].sort());
      assert.equal(client.getServerVersion()?.name, 'Paperboy', "the instance's name (the default here)");
      await checkReadTools(client);
      assert.equal((await call(client, 'upvote', { paper: top.id })).isError, true, 'no write tool');
    } finally {
      await client.close();
    }
  });

  test('a read token adds the member’s own reads, never a write', async () => {
    const client = await httpClient(tokens.read);
    assert.deepEqual(await toolNames(client), [...READ_TOOLS, ...MEMBER_READ_TOOLS].sort());
    const upvote = await call(client, 'upvote', { paper: top.id });
    assert.equal(upvote.isError, true);
    assert.equal((await store.community.votedPapers(adaId, [top.id])).size, 0, 'no vote');
    const forYou = structured<{ papers: unknown[] }>(await call(client, 'for_you', { limit: 5 }));
    assert.ok(Array.isArray(forYou.papers));
    await client.close();
  });

  test('a write token upvotes and saves as its member; the store shows it', async () => {
    const client = await httpClient(tokens.write);
    assert.deepEqual(await toolNames(client), [...READ_TOOLS, ...MEMBER_READ_TOOLS, ...MEMBER_WRITE_TOOLS].sort());
    const before = (await store.getPaper(top.id))!.upvotes;
    const voted = structured<{ upvoted: boolean; upvotes: number }>(await call(client, 'upvote', { paper: top.id }));
    assert.deepEqual(voted, { paper: top.id, upvoted: true, upvotes: before + 1 });
    assert.ok((await store.community.votedPapers(adaId, [top.id])).has(top.id));
    await call(client, 'upvote', { paper: top.id });
    assert.equal((await store.getPaper(top.id))!.upvotes, before + 1, 'upvote twice: one vote');
    await call(client, 'upvote', { paper: top.id, upvoted: false });
    assert.equal((await store.getPaper(top.id))!.upvotes, before);
    assert.equal((await call(client, 'upvote', { paper: hidden.id })).isError, true, 'a hidden paper is not there');

    const saved = structured<{ collection: number }>(
      await call(client, 'save_to_collection', { paper: top.id, new_collection: 'From MCP' }),
    );
    assert.deepEqual(
      (await store.collections.collectionItems(saved.collection)).map((i) => i.paperId),
      [top.id],
    );
    const listed = structured<{ collections: { id: number; name: string; papers: number }[] }>(
      await call(client, 'list_collections'),
    );
    assert.deepEqual(
      listed.collections.find((k) => k.id === saved.collection),
      {
        id: saved.collection,
        name: 'From MCP',
        public: false,
        papers: 1,
        url: `http://127.0.0.1/collections/${saved.collection}`,
      },
    );
    assert.equal((await call(client, 'save_to_collection', { paper: top.id })).isError, true, 'neither target');
    await client.close();
  });

  test('edit_paper_links: the same rules as the page and the JSON endpoint', async () => {
    const client = await httpClient(tokens.write);
    try {
      const edit = (args: Record<string, unknown>) => call(client, 'edit_paper_links', { paper: top.id, ...args });
      const stranger = await edit({ github_repo: 'github.com/ada/engine' });
      assert.equal(stranger.isError, true, 'ada neither submitted nor wrote it');
      assert.match(text(stranger), /verified authors and moderators/);
      assert.equal((await store.getPaper(top.id))!.githubRepo, top.githubRepo);

      await store.community.setRole(adaId, 'moderator');
      const bad = await edit({ github_repo: 'https://gitlab.com/ada/engine' });
      assert.equal(bad.isError, true);
      assert.match(text(bad), /GitHub repository address/);
      const seen = { expected_github_repo: top.githubRepo, expected_project_page: top.projectPage };
      const set = await edit({ github_repo: 'github.com/ada/engine', ...seen });
      assert.equal(set.isError, undefined, text(set));
      assert.deepEqual(structured(set), {
        paper: top.id,
        changed: true,
        githubRepo: 'https://github.com/ada/engine',
        projectPage: top.projectPage,
      });
      const stale = await edit({ github_repo: 'github.com/ada/other', ...seen });
      assert.equal(stale.isError, true, 'read before the last edit: refused');
      assert.match(text(stale), /changed since you read them[\s\S]*github\.com\/ada\/engine/);
      assert.equal((await store.getPaper(top.id))!.githubRepo, 'https://github.com/ada/engine');
      assert.equal((await call(client, 'edit_paper_links', { paper: hidden.id, github_repo: '' })).isError, true);
    } finally {
      await store.community.setRole(adaId, 'member');
      await client.close();
    }
  });

  test('refused at once: a revoked token, a banned member; a cookie never counts; a foreign Origin is refused', async () => {
    const client = await httpClient(tokens.other);
    assert.ok((await toolNames(client)).includes('upvote'));
    const [row] = (await store.tokens.tokensOf(adaId)).filter((k) => k.name === 'to revoke');
    assert.ok(await store.tokens.revokeToken(adaId, row!.id));
    await assert.rejects(client.listTools(), /401|not valid/, 'the next request after revoking is refused');
    await assert.rejects(httpClient(tokens.other));

    const list = (headers: Record<string, string>) =>
      fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
    // A session cookie of a signed-in member: /mcp does not read it.
    const ada = (await store.community.getAccount(adaId))!;
    await store.community.createSession('cookie-hash', ada.id, 'csrf', new Date(Date.now() + 3_600_000));
    const withCookie = await list({ cookie: 'pb_session=whatever' });
    assert.equal(withCookie.status, 200);
    const names = ((await withCookie.json()) as { result: { tools: { name: string }[] } }).result.tools.map(
      (t) => t.name,
    );
    assert.deepEqual(names.sort(), [...READ_TOOLS].sort(), 'anonymous, whatever the cookie');

    const foreign = await list({ origin: 'http://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal((await list({ origin: 'http://127.0.0.1' })).status, 200, 'the instance’s own origin');
    assert.equal((await fetch(`${server.url}/mcp`)).status, 405, 'stateless: no GET stream');

    const mod = await store.community.accountForEmail('mod@example.org', new Date());
    await store.community.setRole(mod.id, 'moderator');
    const bob = await store.community.accountForEmail('bob@example.org', new Date());
    const bobs = await createApiToken(store.tokens, bob, 'b', 'write');
    assert.ok(bobs.ok);
    await store.community.banMember(bob.id, mod.id, 'spam', new Date());
    await assert.rejects(httpClient(bobs.secret), 'a banned member’s token is refused');
  });
});

describe('MCP over stdio: paperboy mcp', () => {
  test('anonymous: the read tools only, each answering from the store', async () => {
    const client = await stdioClient();
    try {
      assert.deepEqual(await toolNames(client), [...READ_TOOLS].sort());
      await checkReadTools(client);
    } finally {
      await client.close();
    }
  });

  test('with PAPERBOY_TOKEN: acts as the member; a token revoked meanwhile stops at once; a read token cannot write', async () => {
    const made = await createApiToken(store.tokens, (await store.community.getAccount(adaId))!, 'stdio', 'write');
    assert.ok(made.ok);
    const client = await stdioClient(made.secret);
    assert.ok((await toolNames(client)).includes('upvote'));
    const voted = await call(client, 'upvote', { paper: top.id });
    assert.ok(!voted.isError, text(voted));
    assert.ok((await store.community.votedPapers(adaId, [top.id])).has(top.id), 'the web process’s store sees it');
    await store.tokens.revokeToken(adaId, made.token.id);
    const refused = await call(client, 'upvote', { paper: top.id, upvoted: false });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /no longer works/);
    assert.ok((await store.community.votedPapers(adaId, [top.id])).has(top.id), 'the vote stays');
    await client.close();

    const reader = await stdioClient(tokens.read);
    assert.ok(!(await toolNames(reader)).includes('upvote'));
    await reader.close();
  });

  test('a bad PAPERBOY_TOKEN stops the command with a message; stdout stays protocol only', async () => {
    const child = spawn(NODE, [CLI, 'mcp'], {
      env: { DATABASE_URL: databaseUrl, PAPERBOY_TOKEN: 'pb_nope', PATH: process.env.PATH ?? '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const code = await new Promise((done) => child.on('exit', done));
    assert.equal(code, 1);
    assert.match(err, /PAPERBOY_TOKEN is not a valid access token/);
    assert.equal(out, '');
  });

  test('on a members-only instance it needs a token', async () => {
    const child = spawn(NODE, [CLI, 'mcp'], {
      env: { DATABASE_URL: databaseUrl, PAPERBOY_READ: 'members', PATH: process.env.PATH ?? '' },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    assert.equal(await new Promise((done) => child.on('exit', done)), 1);
    assert.match(err, /members only/);
  });

  test('ends within 5 s of its input closing, answers already asked for written first', async () => {
    const child = spawn(NODE, [CLI, 'mcp'], {
      env: { DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', SEMANTIC_SEARCH: '0', PATH: process.env.PATH ?? '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const message = (id: number, method: string, params: object) =>
      `${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`;
    child.stdin.write(
      message(1, 'initialize', {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      }),
    );
    // Up and answering first (starting Node is not what is measured), then a request, and the input closes at once.
    await new Promise<void>((up) => {
      const check = () => (out.includes('\n') ? up() : setTimeout(check, 20));
      check();
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    child.stdin.write(message(2, 'tools/call', { name: 'search_papers', arguments: { query: top.title } }));
    const closed = Date.now();
    child.stdin.end();
    const code = await new Promise((done) => child.on('exit', done));
    assert.equal(code, 0, err);
    assert.ok(Date.now() - closed < 5000, `exited ${Date.now() - closed} ms after its input closed`);
    const answers = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; result?: { structuredContent?: { papers: { id: string }[] } } });
    assert.deepEqual(
      answers.map((a) => a.id),
      [1, 2],
      'every line of stdout is an answer',
    );
    assert.equal(answers[1]!.result?.structuredContent?.papers[0]?.id, top.id);
    assert.match(err, /MCP server on stdio/, 'logs go to stderr');
  });
});
