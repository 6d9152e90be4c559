/** Starts the HTTP server on the configured port and stops it cleanly. */
import { serve } from '@hono/node-server';
import { createServer, type AddressInfo } from 'node:net';
import type { Config } from '../config.ts';
import { createApp, type AppDependencies } from './app.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function startServer(ctx: AppDependencies): Promise<RunningServer> {
  const app = createApp(ctx);
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, port: ctx.config.port, hostname: ctx.config.host },
      (info: AddressInfo) => {
        const host = ctx.config.host === '0.0.0.0' || ctx.config.host === '::' ? 'localhost' : ctx.config.host;
        resolve({
          url: `http://${host}:${info.port}`,
          close: () =>
            new Promise((done) => {
              server.close(() => done());
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        });
      },
    );
    server.once('error', reject);
  });
}

/**
 * Port 0 means "any free port": it is chosen here, before the app is made, so that the public URL (sign-in
 * links, feeds, digests) carries the port the server will really listen on.
 */
export async function withBoundPort(config: Config): Promise<Config> {
  if (config.port !== 0) return config;
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, config.host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const defaultUrl = `http://localhost:${config.port}`;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return { ...config, port, publicUrl: config.publicUrl === defaultUrl ? `http://${host}:${port}` : config.publicUrl };
}
