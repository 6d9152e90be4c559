/**
 * Where the bytes of cached images live, by SHA-256: files in a folder beside the SQLite database (the
 * embedded default: the database stays small, and a web server in front could serve the folder itself), or
 * the store's image_blobs table on PostgreSQL, where web processes may run on other machines than the
 * worker that fetched.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ImageStore } from '../store/image-store.ts';
import { IMAGE_TYPES, type ImageExtension } from './image-type.ts';

export interface BlobStorage {
  readonly kind: 'disk' | 'store';
  put(sha256: string, extension: ImageExtension, bytes: Uint8Array, now: Date): Promise<void>;
  /** The bytes kept under this hash, if they are of this type. */
  get(sha256: string, extension: ImageExtension): Promise<Uint8Array<ArrayBuffer> | null>;
  /** Removes the bytes of one hash (the store's table loses them with the rest of the facet). */
  delete(sha256: string, extension: ImageExtension): Promise<void>;
  /** Removes every kept file but those of the hashes in `keep` (the store's table is emptied with the facet). */
  clear(keep: ReadonlySet<string>): Promise<void>;
}

/** dir/ab/abcdef….png: a folder per first byte of the hash keeps folders small. */
export class DiskBlobs implements BlobStorage {
  readonly kind = 'disk' as const;
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  #path(sha256: string, extension: ImageExtension): string {
    return join(this.dir, sha256.slice(0, 2), `${sha256}.${extension}`);
  }

  async put(sha256: string, extension: ImageExtension, bytes: Uint8Array): Promise<void> {
    const path = this.#path(sha256, extension);
    await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
    // Written aside, then renamed: a reader never sees half a file, and two writers of the same bytes agree.
    const partial = `${path}.${randomBytes(6).toString('hex')}.part`;
    await writeFile(partial, bytes);
    await rename(partial, path);
  }

  async get(sha256: string, extension: ImageExtension): Promise<Uint8Array<ArrayBuffer> | null> {
    try {
      return await readFile(this.#path(sha256, extension));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(sha256: string, extension: ImageExtension): Promise<void> {
    await rm(this.#path(sha256, extension), { force: true });
  }

  async clear(keep: ReadonlySet<string>): Promise<void> {
    if (keep.size === 0) {
      await rm(this.dir, { recursive: true, force: true });
      return;
    }
    for (const folder of await readdir(this.dir).catch(() => [])) {
      const inside = join(this.dir, folder);
      for (const file of await readdir(inside).catch(() => []))
        if (!keep.has(file.replace(/\..*$/, ''))) await rm(join(inside, file), { force: true });
    }
  }
}

export class StoreBlobs implements BlobStorage {
  readonly kind = 'store' as const;
  readonly #images: ImageStore;

  constructor(images: ImageStore) {
    this.#images = images;
  }

  async put(sha256: string, extension: ImageExtension, bytes: Uint8Array, now: Date): Promise<void> {
    await this.#images.putBlob(sha256, { contentType: IMAGE_TYPES[extension], bytes }, now);
  }

  async get(sha256: string, extension: ImageExtension): Promise<Uint8Array<ArrayBuffer> | null> {
    const blob = await this.#images.getBlob(sha256);
    // Copied out of the driver's buffer (which may be shared with others) into one of its own.
    return blob && blob.contentType === IMAGE_TYPES[extension] ? new Uint8Array(blob.bytes) : null;
  }

  async delete(): Promise<void> {}

  async clear(): Promise<void> {}
}
