/**
 * Files the embedded store keeps beside its database (the saved lexical index, the saved vector copies):
 * read whole, and replaced atomically, so that a write that dies leaves the previous file or none.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file's bytes, or null when there is none. */
export async function readSavedFile(path: string): Promise<Uint8Array | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Written to a temporary file, flushed to disk, then renamed over the old one (and the folder flushed). */
export async function writeSavedFile(path: string, parts: readonly Uint8Array[]): Promise<void> {
  await removeAbandonedTemporaries(path);
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(temporary, 'wx', 0o600);
  try {
    for (const part of parts) {
      for (let at = 0; at < part.byteLength; ) at += (await file.write(part, at, part.byteLength - at)).bytesWritten;
    }
    await file.sync();
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/** Removes temporary files left by processes that died while saving (their pid no longer runs). */
async function removeAbandonedTemporaries(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  for (const name of await readdir(dirname(path))) {
    const pid =
      name.startsWith(prefix) && name.endsWith('.tmp') ? Number(name.slice(prefix.length).split('.')[0]) : NaN;
    if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
