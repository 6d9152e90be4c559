/** Shared test helpers: fixture paths, temporary folders, an app over an in-memory store. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createApp } from '../src/server/app.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const DAY_FIXTURES = join(FIXTURES, 'hf-daily-papers');
export const BROKEN_DAY_FIXTURES = join(FIXTURES, 'hf-daily-papers-broken');
export const JSONL_FIXTURE = join(FIXTURES, 'jsonl', 'papers.jsonl');
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const NODE = join(REPO_ROOT, 'node_modules', '.bin', 'node');
export const CLI = join(REPO_ROOT, 'src', 'cli', 'main.ts');

/** A temporary folder removed when the test file ends. */
export function tempDir(prefix = 'paperboy-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function memoryStore(): Store {
  const store = new SqliteStore(':memory:');
  after(() => store.close());
  return store;
}

export const TEST_ORIGIN = 'http://paperboy.test';

/** The app over a store, its mail going to a temporary outbox; `env` adds configuration. */
export function testApp(store: Store, env: Record<string, string> = {}) {
  const config = loadConfig({ PUBLIC_URL: TEST_ORIGIN, OUTBOX_DIR: tempDir('paperboy-outbox-'), ...env });
  return createApp({ store, config, logger: createLogger('silent') });
}
