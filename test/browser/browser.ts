/**
 * Browser tests' harness: the real server as a child process (`paperboy serve` on a fresh SQLite file,
 * which loads the bundled demo data on first start) and Chromium (see chromium.ts) driven by playwright-core.
 * A Chromium that cannot be had is a failure, never a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CLI, NODE, REPO_ROOT } from '../helpers.ts';
import { findChromium } from './chromium.ts';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const START_TIMEOUT_MS = 90_000;

export interface TestServer {
  url: string;
  /** Log lines at level error or above, for tests to assert there were none. */
  errors: string[];
  /** Every line the server logged so far (stderr), for tests that read what it printed. */
  log: string[];
  /** The server's temporary folder (its database; its outbox is `outbox/` inside). */
  dir: string;
  stop(): Promise<void>;
}

/**
 * Starts `paperboy serve --port 0` in a temporary folder; stopped and removed when the test file ends.
 * `env` adds or overrides configuration (the outbox is `dir/outbox`, see TestServer.dir).
 */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-browser-'));
  const child = spawn(NODE, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: join(dir, 'paperboy.db'),
      MODEL_DIR: join(dir, 'models'),
      // Lexical search only: rankings the tests can count on, and no model training competing for the CPU.
      SEMANTIC_SEARCH: '0',
      // The demo's avatars are on other sites: the image cache fetches none of them (tests stay off the network).
      PAPERBOY_IMAGES: '0',
      PAPERBOY_DEMO: '1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const errors: string[] = [];
  const log: string[] = [];
  const stop = async () => {
    await terminate(child);
    rmSync(dir, { recursive: true, force: true });
  };
  after(stop);
  const started = new Promise<string>((resolve, reject) => {
    const lines = log;
    const timer = setTimeout(
      () => reject(new Error(`the server did not start within ${START_TIMEOUT_MS} ms:\n${lines.join('\n')}`)),
      START_TIMEOUT_MS,
    );
    createInterface({ input: child.stderr! }).on('line', (line) => {
      lines.push(line);
      let entry: { url?: unknown; level?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof entry.level === 'number' && entry.level >= 50) errors.push(line);
      if (typeof entry.url === 'string') {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${signal ?? code}) before serving:\n${lines.join('\n')}`));
    });
  });
  try {
    return { url: await started, errors, log, dir, stop };
  } catch (error) {
    // A failed top-level start ends the file before its after() hooks run: clean up here.
    await stop();
    throw error;
  }
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

export type ContextOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;

/**
 * Chromium with a fresh profile; closed and removed when the test file ends. Requests that leave the
 * server are refused, so that the tests never wait on the network (pages make none: third-party.test.ts).
 */
export async function openBrowser(server: TestServer, options: ContextOptions = {}): Promise<BrowserContext> {
  const { executablePath, env } = await findChromium();
  const profile = mkdtempSync(join(tmpdir(), 'paperboy-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    env,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  await context.route('**/*', (route) =>
    route.request().url().startsWith(server.url) ? route.continue() : route.abort(),
  );
  return context;
}

/** The page a fresh persistent context opens with. */
export async function firstPage(context: BrowserContext): Promise<Page> {
  return context.pages()[0] ?? context.newPage();
}

/** Whether a page is wider than the window (a horizontal scroll bar). */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate('({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })');
}
