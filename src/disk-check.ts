/**
 * Whether a folder can take a write now, said in words an operator can act on (the path and the reason). A
 * disk that is full, a file system mounted read-only or a folder the process may not write to show only when
 * something is written, so the check writes: a small file, removed at once.
 */
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/** Enough to need a data block (an empty file fits in the inode, even on a full disk). */
const PROBE = Buffer.alloc(4096);

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is mounted read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file stands where the folder should be',
  ENOENT: 'no such file or folder',
  EISDIR: 'it is a folder',
};

/** "no space left on the device (ENOSPC)" for an error of node:fs; the error's own message otherwise. */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  return (error as Error).message;
}

/** Null when a file can be written in `folder` (made if missing); otherwise why not (the caller names the folder). */
export function folderWriteProblem(folder: string): string | null {
  const probe = join(folder, `.paperboy-write-check-${randomUUID().slice(0, 8)}`);
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(probe, PROBE);
    return null;
  } catch (error) {
    return fsReason(error);
  } finally {
    removeQuietly(probe);
  }
}

/** Removes a file if it is there; a path that cannot hold one (ENOTDIR, …) has nothing to remove either. */
export function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Nothing was written there.
  }
}

/** Null when the process may write to this existing file; otherwise why not (the caller names the file). */
export function fileWriteProblem(file: string): string | null {
  try {
    accessSync(file, constants.W_OK);
    return null;
  } catch (error) {
    return fsReason(error);
  }
}
