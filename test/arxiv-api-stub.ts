/**
 * A local stand-in for the arXiv API (127.0.0.1, port 0) that answers id look-ups with the recorded responses
 * in test/fixtures/arxiv/arxiv-api: the two recorded papers, and the recorded empty feed for any other id.
 * Counts the requests, so tests can check that a known paper costs no request at all.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { FIXTURES } from './helpers.ts';

const API = join(FIXTURES, 'arxiv', 'arxiv-api');
const RECORDED: Record<string, string> = {
  '1605.08386': 'id_1605.08386.xml',
  'astro-ph/0601001': 'id_astro-ph_0601001.xml',
};

export interface ArxivApiStub {
  /** Base URL for PAPERBOY_ARXIV_API_URL. */
  url: string;
  requests: string[];
}

export async function startArxivApiStub(): Promise<ArxivApiStub> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const id = url.searchParams.get('id_list') ?? '';
    requests.push(id);
    const file = RECORDED[id] ?? 'id_0000.0000_empty.xml';
    res.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' });
    res.end(readFileSync(join(API, file)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/query`, requests };
}
