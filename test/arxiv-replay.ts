/**
 * Test helpers for ingestion: OAI-PMH pages cut from the recorded ListRecords fixtures, and a local HTTP server
 * (127.0.0.1, port 0) that replays them along resumption tokens and injects faults on request: a 503 with
 * Retry-After, a truncated body, a dropped connection, or a request that never gets an answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { Writable } from 'node:stream';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { FIXTURES } from './helpers.ts';
import { createLogger, type Logger } from '../src/log.ts';

export const ARXIV_FIXTURES = join(FIXTURES, 'arxiv');
export const DERIVED_LIST_RECORDS = join(ARXIV_FIXTURES, 'oai-pmh', 'ListRecords_arXiv_derived.xml');

/** A record as an object tree: change it in tests, then build pages from it (no string surgery on XML). */
export type RecordTree = {
  header: { identifier?: string; datestamp?: string; setSpec?: string; '@_status'?: string };
  metadata?: Record<string, Record<string, unknown>>;
};

const treeParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (name, jPath) => name === 'record' && String(jPath) === 'OAI-PMH.ListRecords.record',
});
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  suppressEmptyNode: false,
});

export function recordTrees(path = DERIVED_LIST_RECORDS): RecordTree[] {
  const doc = treeParser.parse(readFileSync(path, 'utf8')) as { 'OAI-PMH': { ListRecords: { record: RecordTree[] } } };
  return doc['OAI-PMH'].ListRecords.record;
}

/** The arXiv id of a record tree (from its metadata, else its header). */
export function treeId(tree: RecordTree): string {
  const id = tree.metadata?.arXiv?.id;
  return typeof id === 'string' ? id.trim() : String(tree.header.identifier).replace('oai:arXiv.org:', '');
}

/** One ListRecords page; `token` null ends the list (an empty resumptionToken, as arXiv sends). */
export function listRecordsPage(
  records: RecordTree[],
  token: { next: string | null; cursor: number; size: number } | null,
): string {
  const list: Record<string, unknown> = { record: records };
  if (token) {
    list.resumptionToken = {
      '#text': token.next ?? '',
      '@_cursor': String(token.cursor),
      '@_completeListSize': String(token.size),
    };
  }
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'OAI-PMH': {
      '@_xmlns': 'http://www.openarchives.org/OAI/2.0/',
      responseDate: '2024-01-27T17:53:42Z',
      request: { '#text': 'https://oaipmh.arxiv.org/oai', '@_verb': 'ListRecords' },
      ListRecords: list,
    },
  }) as string;
}

/** Cuts records into pages of `perPage` chained by tokens "page-1", "page-2", …; the last page ends the list. */
export function paginate(records: RecordTree[], perPage: number): string[] {
  const pages: string[] = [];
  for (let i = 0; i < records.length; i += perPage) {
    const index = pages.length;
    const last = i + perPage >= records.length;
    pages.push(
      listRecordsPage(records.slice(i, i + perPage), {
        next: last ? null : `page-${index + 1}`,
        cursor: i,
        size: records.length,
      }),
    );
  }
  return pages;
}

export function oaiErrorPage(code: string, message: string): string {
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    'OAI-PMH': {
      '@_xmlns': 'http://www.openarchives.org/OAI/2.0/',
      responseDate: '2024-01-27T17:53:42Z',
      error: { '#text': message, '@_code': code },
    },
  }) as string;
}

export type Fault =
  | { kind: '503'; retryAfter: string }
  | { kind: 'truncated' }
  | { kind: 'drop' }
  | { kind: 'hang' }
  | { kind: 'status'; status: number };

export interface ReplayRequest {
  page: number | null;
  url: string;
  userAgent: string | undefined;
  at: number;
  fault: Fault['kind'] | null;
}

export interface ReplayServer {
  url: string;
  requests: ReplayRequest[];
  /** Resolves when a request meets a `hang` fault. */
  hung: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves `pages` at any path: a request without resumptionToken gets page 0, `resumptionToken=page-N` page N,
 * an unknown token the OAI-PMH badResumptionToken error. `faults[N]` are used up one per request of page N.
 */
export async function startReplayServer(pages: string[], faults: Record<number, Fault[]> = {}): Promise<ReplayServer> {
  const requests: ReplayRequest[] = [];
  const sockets = new Set<Socket>();
  const pending = Object.fromEntries(Object.entries(faults).map(([page, list]) => [page, [...list]])) as Record<
    number,
    Fault[]
  >;
  let signalHung: () => void = () => {};
  const hung = new Promise<void>((resolve) => {
    signalHung = resolve;
  });
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://replay');
    const token = url.searchParams.get('resumptionToken');
    const page = token === null ? 0 : token.startsWith('page-') ? Number(token.slice(5)) : null;
    const fault = page !== null ? (pending[page]?.shift() ?? null) : null;
    requests.push({
      page,
      url: url.toString(),
      userAgent: request.headers['user-agent'],
      at: Date.now(),
      fault: fault?.kind ?? null,
    });
    const body =
      page !== null && page < pages.length
        ? pages[page]!
        : oaiErrorPage('badResumptionToken', `unknown token ${token}`);
    const bytes = Buffer.from(body, 'utf8');
    if (fault?.kind === '503') {
      response
        .writeHead(503, { 'retry-after': fault.retryAfter, 'content-type': 'text/plain' })
        .end('busy, come back later');
    } else if (fault?.kind === 'status') {
      response.writeHead(fault.status, { 'content-type': 'text/plain' }).end('server trouble');
    } else if (fault?.kind === 'truncated') {
      // A complete HTTP response whose XML stops half-way: only the XML parser can tell.
      const half = bytes.subarray(0, Math.floor(bytes.length / 2));
      response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': half.length }).end(half);
    } else if (fault?.kind === 'drop') {
      response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': bytes.length });
      response.write(bytes.subarray(0, Math.floor(bytes.length / 3)), () => request.socket.destroy());
    } else if (fault?.kind === 'hang') {
      signalHung();
    } else {
      response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': bytes.length }).end(bytes);
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  after(close);
  return { url: `http://127.0.0.1:${port}/oai`, requests, hung, close };
}

/** A logger whose JSON lines are kept for the test to read. */
export function captureLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger('debug', stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
