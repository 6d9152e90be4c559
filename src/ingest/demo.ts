/** The bundled demo cut: loaded into an empty database on first start unless PAPERBOY_DEMO=0. */
import { fileURLToPath } from 'node:url';
import type { Store } from '../store/store.ts';
import { importPath, type ImportSummary } from './import-files.ts';

export const DEMO_ARCHIVE = fileURLToPath(new URL('../../demo/daily-papers-demo.tar.gz', import.meta.url));

/** Imports the demo when the store holds no papers; returns null when it already had some. */
export async function loadDemoIfEmpty(store: Store): Promise<ImportSummary | null> {
  if ((await store.stats()).papers > 0) return null;
  return importPath(store, DEMO_ARCHIVE);
}
