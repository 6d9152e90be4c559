/**
 * `paperboy import`: every source file is one transaction. A malformed file is reported with its name and
 * the reason and leaves nothing behind; the other files go on.
 */
import type { DailyEntryInput, PaperInput } from '../domain/types.ts';
import type { ImportCounts, Store } from '../store/store.ts';
import { parseDayFile } from './hf-daily-file.ts';
import { parseJsonlLine } from './arxiv-jsonl.ts';
import { findSources, type ImportSource } from './import-sources.ts';

export interface ImportFailure {
  file: string;
  reason: string;
}

export interface ImportSummary extends ImportCounts {
  files: number;
  failures: ImportFailure[];
  seconds: number;
}

export type ImportEvent =
  | { type: 'start'; files: number }
  | { type: 'file'; index: number; name: string }
  | { type: 'records'; name: string; done: number; total: number | null };

/** JSONL lines longer than this are refused (the longest real abstract is ~10 kB). */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

export async function importPath(store: Store, path: string, onEvent: (event: ImportEvent) => void = () => {}): Promise<ImportSummary> {
  const started = performance.now();
  const sources = await findSources(path);
  const summary: ImportSummary = {
    files: sources.length, failures: [], papersNew: 0, papersUpdated: 0, papersUnchanged: 0, entries: 0, seconds: 0,
  };
  onEvent({ type: 'start', files: sources.length });
  for (const [index, source] of sources.entries()) {
    onEvent({ type: 'file', index, name: source.name });
    try {
      const counts = await importSource(store, source, onEvent);
      summary.papersNew += counts.papersNew;
      summary.papersUpdated += counts.papersUpdated;
      summary.papersUnchanged += counts.papersUnchanged;
      summary.entries += counts.entries;
    } catch (error) {
      summary.failures.push({ file: source.name, reason: (error as Error).message });
    }
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

async function importSource(store: Store, source: ImportSource, onEvent: (event: ImportEvent) => void): Promise<ImportCounts> {
  if (source.kind === 'day') return store.importBatch(parseDayFile(source.name, await source.text()));
  const papers: PaperInput[] = [];
  const entries: DailyEntryInput[] = [];
  let lineNumber = 0;
  for await (const line of source.lines()) {
    lineNumber++;
    if (line.trim() === '') continue;
    if (line.length > MAX_LINE_CHARS) throw new Error(`line ${lineNumber}: longer than ${MAX_LINE_CHARS} characters`);
    try {
      const record = parseJsonlLine(line);
      papers.push(record.paper);
      if (record.entry) entries.push(record.entry);
    } catch (error) {
      throw new Error(`line ${lineNumber}: ${(error as Error).message}`);
    }
    if (lineNumber % 5000 === 0) onEvent({ type: 'records', name: source.name, done: lineNumber, total: null });
  }
  // Several papers of one JSONL day share position 0: order within a day then falls back to upvotes.
  return store.importBatch({ papers, entries, replaceDays: [] }, (done) =>
    onEvent({ type: 'records', name: source.name, done, total: papers.length }));
}
