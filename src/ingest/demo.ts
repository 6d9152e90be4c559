/**
 * The bundled demo cut: loaded into an empty database on first start unless PAPERBOY_DEMO=0. It is written in one
 * transaction, so that a start killed or failing in the middle (a full disk) leaves an empty database, which the
 * next start fills, and never a part of the demo that would look like a loaded instance.
 */
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import { importDaysAtOnce, type ImportSummary } from './import-files.ts';

export const DEMO_ARCHIVE = fileURLToPath(new URL('../../demo/daily-papers-demo.tar.gz', import.meta.url));

/** Imports the demo when the store holds no papers; returns null when it already had some. */
export async function loadDemoIfEmpty(store: Store, logger: Logger): Promise<ImportSummary | null> {
  if ((await store.stats()).papers > 0) return null;
  logger.info({ archive: DEMO_ARCHIVE }, 'loading the demo data');
  try {
    return await importDaysAtOnce(store, DEMO_ARCHIVE);
  } catch (error) {
    throw new Error(
      `could not load the demo data: ${(error as Error).message}. Nothing of it was written: the next start tries again (PAPERBOY_DEMO=0 starts empty)`,
    );
  }
}
