/** Starts the HTTP server on the configured port and stops it cleanly. */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createApp, type AppDependencies } from './app.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function startServer(ctx: AppDependencies): Promise<RunningServer> {
  const app = createApp(ctx);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: ctx.config.port, hostname: ctx.config.host }, (info: AddressInfo) => {
      const host = ctx.config.host === '0.0.0.0' || ctx.config.host === '::' ? 'localhost' : ctx.config.host;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () => new Promise((done) => {
          server.close(() => done());
          if ('closeAllConnections' in server) server.closeAllConnections();
        }),
      });
    });
    server.once('error', reject);
  });
}
