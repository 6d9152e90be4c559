/**
 * `npm run bench:mcp`: the round trip of one `search_papers` call over each MCP transport, side by side with
 * the same search over the JSON API: Streamable HTTP at /mcp of a `paperboy serve` process (stateless: every
 * call is one POST), and stdio to a `paperboy mcp` child, both on the demo cut in a fresh SQLite file.
 * Prints p50 / p95 / p99 and writes JSON to bench/results/.
 *
 *   npm run bench:mcp -- [--calls 300] [--warmup 30]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { importPath } from '../src/ingest/import-files.ts';
import { CLI, NODE, REPO, fmt, formatTable, loadLine, percentile, startServer, writeResult } from './lib.ts';

const { values: flags } = parseArgs({
  options: { calls: { type: 'string', default: '300' }, warmup: { type: 'string', default: '30' } },
});
const calls = Number(flags.calls);
const warmup = Number(flags.warmup);
const QUERIES = [
  'diffusion',
  'language model agents',
  'reinforcement learning',
  'video generation',
  'retrieval',
  'robot',
];

interface Timing {
  transport: string;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  calls: number;
}

async function time(transport: string, once: (query: string) => Promise<void>): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await once(QUERIES[i % QUERIES.length]!);
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await once(QUERIES[i % QUERIES.length]!);
    ms.push(performance.now() - started);
  }
  const sorted = Float64Array.from(ms).sort();
  return {
    transport,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: ms.reduce((a, b) => a + b, 0) / ms.length,
    calls,
  };
}

async function searchOver(client: Client): Promise<(query: string) => Promise<void>> {
  return async (query) => {
    const result = await client.callTool({ name: 'search_papers', arguments: { query, limit: 10 } });
    if (result.isError) throw new Error(`search_papers failed: ${JSON.stringify(result.content)}`);
  };
}

const dir = mkdtempSync(join(tmpdir(), 'paperboy-bench-mcp-'));
const database = join(dir, 'paperboy.db');
try {
  const store = new SqliteStore(database);
  const imported = await importPath(store, join(REPO, 'demo', 'daily-papers-demo.tar.gz'));
  await store.close();
  process.env.SEMANTIC_SEARCH = '0';
  const server = await startServer(database);
  const results: Timing[] = [];
  try {
    results.push(
      await time('JSON API GET /api/search (reference)', async (query) => {
        const response = await fetch(`${server.url}/api/search?q=${encodeURIComponent(query)}&limit=10`);
        if (!response.ok) throw new Error(`/api/search: ${response.status}`);
        await response.arrayBuffer();
      }),
    );
    const http = new Client({ name: 'bench', version: '1' });
    await http.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    results.push(await time('MCP Streamable HTTP /mcp', await searchOver(http)));
    await http.close();
  } finally {
    await server.stop();
  }
  const stdio = new Client({ name: 'bench', version: '1' });
  await stdio.connect(
    new StdioClientTransport({
      command: NODE,
      args: [CLI, 'mcp'],
      env: { DATABASE_URL: database, SEMANTIC_SEARCH: '0', LOG_LEVEL: 'warn', PATH: process.env.PATH ?? '' },
    }),
  );
  results.push(await time('MCP stdio (paperboy mcp)', await searchOver(stdio)));
  await stdio.close();

  console.log(
    `search_papers round trip, ${calls} calls after ${warmup} warm-up, ${imported.papersNew} papers; ${loadLine()}`,
  );
  console.log(
    formatTable(
      ['transport', 'p50', 'p95', 'p99', 'mean'],
      results.map((r) => [r.transport, ...[r.p50, r.p95, r.p99, r.mean].map((v) => `${fmt.ms(v)} ms`)]),
    ),
  );
  const path = writeResult('mcp', { papers: imported.papersNew, calls, warmup, results });
  console.log(`wrote ${path}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
