/** A progress bar for `paperboy import` on a terminal; silent when output is not a terminal. */
import { SingleBar, Presets } from 'cli-progress';
import type { ImportEvent } from '../ingest/import-files.ts';

export function importProgress(stream: NodeJS.WriteStream = process.stderr): {
  onEvent: (e: ImportEvent) => void;
  stop: () => void;
} {
  if (!stream.isTTY) return { onEvent: () => {}, stop: () => {} };
  const bar = new SingleBar(
    { stream, format: ' {bar} {value}/{total} {unit} | {name}', hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  let files = 0;
  return {
    onEvent(event) {
      if (event.type === 'start') {
        files = event.files;
        bar.start(files, 0, { unit: 'files', name: '' });
        started = true;
      } else if (event.type === 'file') {
        // Files inside an archive are counted only as they are read.
        bar.setTotal(Math.max(files, event.index + 1));
        bar.update(event.index, { unit: 'files', name: event.name.slice(-48) });
      } else if (event.total !== null) {
        bar.setTotal(event.total);
        bar.update(event.done, { unit: 'papers written', name: event.name.slice(-48) });
      } else {
        bar.setTotal(Math.max(event.done, 1));
        bar.update(event.done, { unit: 'lines read', name: event.name.slice(-48) });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
