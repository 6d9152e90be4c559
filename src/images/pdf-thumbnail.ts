/**
 * A paper's thumbnail: the top of its first page, rendered by poppler's `pdftoppm` into a small PNG.
 *
 * The PDF comes from another site, so it is handled as hostile: its first bytes must say PDF; it is written
 * to a fresh private folder under a fixed name (nothing from the PDF or its address reaches the command
 * line); pdftoppm is run without a shell, on page 1 only, at a fixed small size, with a time limit after
 * which it is killed, and a bound on what it may print. What it writes must be a PNG, or the render failed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { THUMBNAIL_HEIGHT, THUMBNAIL_WIDTH } from '../domain/urls.ts';
import { sniffImage } from './image-type.ts';

export const RENDER_TIMEOUT_MS = 20_000;

/** Why a PDF gave no thumbnail: not a PDF, or pdftoppm failed, timed out or is not installed. */
export class RenderError extends Error {}

export interface RenderOptions {
  /** The pdftoppm executable (PDFTOPPM in the configuration; found on PATH by default). */
  command?: string;
  timeoutMs?: number;
}

export function isPdf(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';
}

/** The top of the first page of `pdf` as a PNG, THUMBNAIL_WIDTH × THUMBNAIL_HEIGHT pixels. */
export async function renderFirstPage(pdf: Uint8Array, options: RenderOptions = {}): Promise<Uint8Array> {
  if (!isPdf(pdf)) throw new RenderError('not a PDF');
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-pdf-'));
  try {
    const input = join(dir, 'paper.pdf');
    const output = join(dir, 'page');
    await writeFile(input, pdf, { mode: 0o600 });
    const args = [
      ...['-f', '1', '-l', '1'],
      ...['-scale-to-x', String(THUMBNAIL_WIDTH), '-scale-to-y', '-1'],
      ...['-x', '0', '-y', '0', '-W', String(THUMBNAIL_WIDTH), '-H', String(THUMBNAIL_HEIGHT)],
      ...['-png', '-singlefile', input, output],
    ];
    await run(options.command ?? 'pdftoppm', args, options.timeoutMs ?? RENDER_TIMEOUT_MS);
    let png: Uint8Array;
    try {
      png = await readFile(`${output}.png`);
    } catch {
      throw new RenderError('pdftoppm wrote no image');
    }
    if (sniffImage(png) !== 'png') throw new RenderError('pdftoppm wrote something that is not a PNG');
    return png;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, windowsHide: true },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return reject(new RenderError(`${command} is not installed (Debian: poppler-utils)`));
        if (error.killed) return reject(new RenderError(`pdftoppm took longer than ${timeoutMs} ms`));
        const said = String(stderr).trim().split('\n').slice(-2).join(' ').slice(0, 300);
        reject(new RenderError(`pdftoppm failed${said ? `: ${said}` : ` (exit ${String(error.code)})`}`));
      },
    );
  });
}
