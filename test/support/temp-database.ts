/** A SQLite database in a folder of its own, for tests that restart "processes" on the same file. */
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

export interface TempDatabase {
  dir: string;
  /** The database file; saved indexes and vectors sit beside it. */
  path: string;
  /** A new store on the file, as a process starting now would open it; closed when the test ends. */
  open(): SqliteStore;
}

export function tempDatabase(t: TestContext, name: string): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), `paperboy-${name}-`));
  const stores: SqliteStore[] = [];
  t.after(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const path = join(dir, 'paperboy.db');
  return {
    dir,
    path,
    open() {
      const store = new SqliteStore(path);
      stores.push(store);
      return store;
    },
  };
}
