/**
 * Fetches one remote image, politely and within limits: through one polite fetcher per process (requests one
 * at a time, an interval between their starts, a timeout, Retry-After obeyed, a User-Agent that names the
 * instance), to public addresses only (public-fetch.ts), at most `maxBytes`, and only what its first bytes
 * show to be a PNG, JPEG, GIF or WebP image. The outcome says whether trying again later could help.
 */
import type { Logger } from '../log.ts';
import {
  FetchFailedError,
  PoliteFetcher,
  RefusedFetchError,
  ResponseTooLargeError,
} from '../ingest/arxiv/polite-fetch.ts';
import { publicFetch } from './public-fetch.ts';
import { IMAGE_TYPES, sniffImage, type ImageExtension } from './image-type.ts';

/** Avatars are a few kilobytes; anything this large is not one. */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

const ACCEPT_IMAGES = `${Object.values(IMAGE_TYPES).join(', ')};q=1, image/*;q=0.1`;

export interface ImageFetcherOptions {
  userAgent: string;
  /** Smallest gap between the starts of two requests (the cache fetches a few thousand avatars at first). */
  minIntervalMs?: number;
  /** Tries per image, the first included (a 5xx, 429 or dropped connection is tried once more). */
  maxAttempts?: number;
  backoffBaseMs?: number;
  /** Whole request, body included. */
  timeoutMs?: number;
  maxBytes?: number;
  /** Tests serve images from 127.0.0.1; production refuses every address that is not public. */
  allowPrivateAddresses?: boolean;
  logger?: Logger;
}

export type FetchOutcome =
  | { ok: true; bytes: Uint8Array; extension: ImageExtension }
  /** transient: the server or the network failed (worth another try later); otherwise the answer is final. */
  | { ok: false; reason: string; transient: boolean };

export class ImageFetcher {
  readonly #polite: PoliteFetcher;
  readonly #maxBytes: number;

  constructor(options: ImageFetcherOptions) {
    this.#maxBytes = options.maxBytes ?? MAX_IMAGE_BYTES;
    this.#polite = new PoliteFetcher({
      userAgent: options.userAgent,
      minIntervalMs: options.minIntervalMs ?? 500,
      maxAttempts: options.maxAttempts ?? 2,
      backoffBaseMs: options.backoffBaseMs ?? 2_000,
      backoffMaxMs: 30_000,
      // A busy CDN asking for an hour is answered by the next round, not by holding this one.
      maxRetryAfterMs: 60_000,
      timeoutMs: options.timeoutMs ?? 15_000,
      maxBytes: this.#maxBytes,
      fetch: publicFetch({ allowPrivateAddresses: options.allowPrivateAddresses ?? false }),
      logger: options.logger,
    });
  }

  async fetch(url: string): Promise<FetchOutcome> {
    let status: number;
    let bytes: Uint8Array;
    try {
      ({ status, bytes } = await this.#polite.getBytes(url, ACCEPT_IMAGES));
    } catch (error) {
      if (error instanceof ResponseTooLargeError)
        return { ok: false, reason: `larger than ${this.#maxBytes} bytes`, transient: false };
      if (error instanceof RefusedFetchError) return { ok: false, reason: error.message, transient: false };
      // The record is kept under the URL already: the reason need not repeat it.
      if (error instanceof FetchFailedError) {
        return {
          ok: false,
          reason: error.status !== null ? `HTTP ${error.status}` : error.message.replace(`${url}: `, ''),
          transient: true,
        };
      }
      throw error;
    }
    if (status !== 200)
      return { ok: false, reason: `HTTP ${status}`, transient: status === 408 || status === 429 || status >= 500 };
    const extension = sniffImage(bytes);
    if (!extension) return { ok: false, reason: 'not a PNG, JPEG, GIF or WebP image', transient: false };
    return { ok: true, bytes, extension };
  }
}
