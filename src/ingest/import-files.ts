/**
 * `paperboy import`: every source file is one transaction. A malformed file is reported with its name and the
 * reason and leaves nothing behind; the other files go on. A record over the import limits
 * (domain/import-limits.ts) refuses its day file, as a malformed one does (a day is taken whole or not at all);
 * in JSON Lines it is skipped and reported with its file and line, and the rest of the file is imported.
 */
import type { DailyEntryInput, PaperInput } from '../domain/types.ts';
import { FILE_LIMITS } from '../domain/import-limits.ts';
import type { ImportBatch, ImportCounts, Store } from '../store/store.ts';
import { parseDayFile } from './hf-daily-file.ts';
import { RecordOverLimits, parseJsonlLine } from './arxiv-jsonl.ts';
import { findSources, type DaySource, type ImportSource } from './import-sources.ts';

export interface ImportFailure {
  file: string;
  reason: string;
}

/** A record left out of a file that was imported otherwise. */
export interface ImportSkip {
  file: string;
  line: number;
  reason: string;
}

export interface ImportSummary extends ImportCounts {
  /** Files read: day files (also those inside archives), JSON Lines files, and archives that could not be read. */
  files: number;
  failures: ImportFailure[];
  skipped: ImportSkip[];
  seconds: number;
}

export type ImportEvent =
  /** `files` is the number of files and archives found; the files inside archives are known only as they are read. */
  | { type: 'start'; files: number }
  | { type: 'file'; index: number; name: string }
  | { type: 'records'; name: string; done: number; total: number | null };

type FileSource = Exclude<ImportSource, { kind: 'archive' }>;

export async function importPath(
  store: Store,
  path: string,
  onEvent: (event: ImportEvent) => void = () => {},
): Promise<ImportSummary> {
  const started = performance.now();
  const sources = await findSources(path);
  const summary: ImportSummary = {
    files: 0,
    failures: [],
    skipped: [],
    papersNew: 0,
    papersUpdated: 0,
    papersUnchanged: 0,
    entries: 0,
    seconds: 0,
  };
  onEvent({ type: 'start', files: sources.length });
  const importFile = async (source: FileSource) => {
    onEvent({ type: 'file', index: summary.files, name: source.name });
    summary.files++;
    try {
      const { counts, skipped } = await importSource(store, source, onEvent);
      summary.papersNew += counts.papersNew;
      summary.papersUpdated += counts.papersUpdated;
      summary.papersUnchanged += counts.papersUnchanged;
      summary.entries += counts.entries;
      summary.skipped.push(...skipped);
    } catch (error) {
      summary.failures.push({ file: source.name, reason: (error as Error).message });
    }
  };
  for (const source of sources) {
    if (source.kind !== 'archive') {
      await importFile(source);
      continue;
    }
    try {
      // Each day file of the archive is imported as it is read: the archive is never held whole.
      for await (const entry of source.entries()) await importFile(entry);
    } catch (error) {
      summary.files++;
      summary.failures.push({ file: source.name, reason: (error as Error).message });
    }
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

async function importSource(
  store: Store,
  source: FileSource,
  onEvent: (event: ImportEvent) => void,
): Promise<{ counts: ImportCounts; skipped: ImportSkip[] }> {
  if (source.kind === 'day') return { counts: await importDayFile(store, source), skipped: [] };
  const papers: PaperInput[] = [];
  const entries: DailyEntryInput[] = [];
  const skipped: ImportSkip[] = [];
  const skip = (line: number, reason: string) => skipped.push({ file: source.name, line, reason });
  for await (const line of source.lines()) {
    if ('bytes' in line) {
      skip(line.number, `longer than ${FILE_LIMITS.jsonlLineBytes} bytes (it has ${line.bytes})`);
      continue;
    }
    if (line.text.trim() === '') continue;
    try {
      const record = parseJsonlLine(line.text);
      papers.push(record.paper);
      if (record.entry) entries.push(record.entry);
    } catch (error) {
      if (error instanceof RecordOverLimits) skip(line.number, error.message);
      else throw new Error(`line ${line.number}: ${(error as Error).message}`);
    }
    if (line.number % 5000 === 0) onEvent({ type: 'records', name: source.name, done: line.number, total: null });
  }
  // Several papers of one JSONL day share position 0: order within a day then falls back to upvotes.
  const counts = await store.importBatch({ papers, entries, replaceDays: [] }, (done) =>
    onEvent({ type: 'records', name: source.name, done, total: papers.length }),
  );
  return { counts, skipped };
}

async function importDayFile(store: Store, source: DaySource): Promise<ImportCounts> {
  return store.importBatch(parseDayFile(source.name, await source.text()));
}

/**
 * Day files (a file, a folder, an archive) written in one transaction: all of them, or, when any is malformed or
 * the write fails, nothing. For data that must never be left half-imported, such as the demo on first start. A
 * paper on several days is merged day after day inside the transaction, as file-by-file imports would merge it.
 */
export async function importDaysAtOnce(store: Store, path: string): Promise<ImportSummary> {
  const started = performance.now();
  const batch: ImportBatch = { papers: [], entries: [], replaceDays: [] };
  let files = 0;
  for (const source of await findSources(path)) {
    const days = source.kind === 'archive' ? source.entries() : [source];
    for await (const day of days) {
      if (day.kind !== 'day') throw new Error(`${day.name}: only day files can be imported at once`);
      files++;
      try {
        const one = parseDayFile(day.name, await day.text());
        batch.papers.push(...one.papers);
        batch.entries.push(...one.entries);
        batch.replaceDays.push(...one.replaceDays);
      } catch (error) {
        throw new Error(`${day.name}: ${(error as Error).message}`);
      }
    }
  }
  const counts = await store.importBatch(batch);
  return { ...counts, files, failures: [], skipped: [], seconds: (performance.now() - started) / 1000 };
}
