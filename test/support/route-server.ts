/**
 * A local HTTP server answering from a table of paths, for tests of code that fetches from other sites (image
 * cache, thumbnails). It counts the requests per path and remembers the User-Agent of the last one; unknown paths
 * are 404. It is closed when the test file ends.
 */
import { after } from 'node:test';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface RouteServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  base: string;
  /** The full address of a path on this server. */
  at(path: string): string;
  /** Requests per path. */
  hits: Map<string, number>;
  /** The User-Agent of the last request. */
  readonly userAgent: string;
}

export async function startRouteServer(routes: Record<string, Route>): Promise<RouteServer> {
  const hits = new Map<string, number>();
  let userAgent = '';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    userAgent = req.headers['user-agent'] ?? '';
    (routes[path] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    at: (path) => `${base}${path}`,
    hits,
    get userAgent() {
      return userAgent;
    },
  };
}
