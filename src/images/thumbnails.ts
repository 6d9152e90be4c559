/**
 * First-page thumbnails of the papers on the daily feed, kept in the image cache under thumbnailSource(id)
 * and shown on cards (docs/images.md). A round (the "thumbnails" job, or `paperboy images thumbnails`):
 *
 * - takes the papers whose thumbnail is due, most recent feed day first, at most `perRun` of them;
 * - fetches the thumbnail address imported with the paper (Hugging Face's), once, into the cache;
 * - otherwise (or when that fails) fetches the paper's PDF from arXiv politely (one request at a time, 3 s
 *   apart, a User-Agent with the instance's contact, a size limit, a timeout, public addresses only) and
 *   renders the top of its first page with pdftoppm (pdf-thumbnail.ts);
 * - remembers failures like the avatar rounds: a PDF that is malformed, too large or missing is not tried
 *   again by itself; a server or network failure is tried later, and ends the round (arXiv is not pressed).
 */
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/store.ts';
import type { ThumbnailDue } from '../store/image-store.ts';
import { thumbnailSource } from '../domain/urls.ts';
import { normalizeArxivId } from '../domain/arxiv-id.ts';
import {
  FetchFailedError,
  PoliteFetcher,
  RefusedFetchError,
  ResponseTooLargeError,
} from '../ingest/arxiv/polite-fetch.ts';
import { userAgent } from '../ingest/arxiv/arxiv-clients.ts';
import { publicFetch } from './public-fetch.ts';
import type { ImageCache } from './image-cache.ts';
import { RenderError, renderFirstPage } from './pdf-thumbnail.ts';

export interface ThumbnailRound {
  /** Imported thumbnails fetched into the cache. */
  imported: number;
  /** Rendered from the PDF. */
  rendered: number;
  failed: number;
  /** Milliseconds each render took (pdftoppm, from the PDF's bytes to the PNG's): for benchmarks and logs. */
  renderMs: number[];
}

export interface ThumbnailerOptions {
  store: Store;
  images: ImageCache;
  logger: Logger;
  /** Base URL of the PDFs, the arXiv id appended; null: PDFs are not fetched (only imported thumbnails are). */
  pdfUrl: string | null;
  userAgent: string;
  maxPdfBytes: number;
  /** Smallest gap between the starts of two PDF requests (arXiv asks for 3 seconds). */
  minIntervalMs: number;
  timeoutMs: number;
  /** First wait before a PDF request is tried a second time. */
  backoffBaseMs?: number;
  pdftoppm: string;
  renderTimeoutMs?: number;
  /** Tests serve PDFs from 127.0.0.1; production refuses every address that is not public. */
  allowPrivateAddresses?: boolean;
  now?: () => Date;
}

type Outcome = { ok: true } | { ok: false; reason: string; transient: boolean };

export class Thumbnailer {
  readonly #options: ThumbnailerOptions;
  readonly #pdfs: PoliteFetcher;
  readonly #now: () => Date;

  constructor(options: ThumbnailerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#pdfs = new PoliteFetcher({
      userAgent: options.userAgent,
      minIntervalMs: options.minIntervalMs,
      maxAttempts: 2,
      backoffBaseMs: options.backoffBaseMs ?? 5_000,
      backoffMaxMs: 30_000,
      maxRetryAfterMs: 60_000,
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxPdfBytes,
      fetch: publicFetch({ allowPrivateAddresses: options.allowPrivateAddresses ?? false }),
      logger: options.logger,
    });
  }

  /** Whether PDFs are fetched and rendered (else only imported thumbnails are fetched). */
  get renders(): boolean {
    return this.#options.pdfUrl !== null;
  }

  /** One round: up to `limit` papers whose thumbnail is due. Stops early when `signal` aborts. */
  async round(limit: number, signal?: AbortSignal): Promise<ThumbnailRound> {
    const round: ThumbnailRound = { imported: 0, rendered: 0, failed: 0, renderMs: [] };
    const due = await this.#options.store.images.thumbnailsDue(this.#now(), limit, !this.renders);
    for (const paper of due) {
      if (signal?.aborted) break;
      const outcome = await this.#one(paper, round);
      if (outcome.ok) continue;
      round.failed++;
      await this.#options.images.markFailed(
        thumbnailSource(paper.paperId),
        outcome.reason,
        outcome.transient,
        paper.attempts,
      );
      this.#options.logger.warn(
        { paper: paper.paperId, reason: outcome.reason, transient: outcome.transient },
        'no thumbnail for this paper',
      );
      // A server or network that failed is not pressed further in this round: the rest waits for the next.
      if (outcome.transient) break;
    }
    if (due.length > 0) {
      const { renderMs, ...counts } = round;
      this.#options.logger.info({ ...counts, renders: renderMs.length }, 'thumbnail round done');
    }
    return round;
  }

  /** One paper now, whether due or not (`paperboy images thumbnails --paper ID`). */
  async renderPaper(paperId: string): Promise<Outcome> {
    const round: ThumbnailRound = { imported: 0, rendered: 0, failed: 0, renderMs: [] };
    const outcome = await this.#one({ paperId, importedUrl: null, attempts: 0 }, round);
    if (!outcome.ok)
      await this.#options.images.markFailed(thumbnailSource(paperId), outcome.reason, outcome.transient, 0);
    return outcome;
  }

  async #one(paper: ThumbnailDue, round: ThumbnailRound): Promise<Outcome> {
    const source = thumbnailSource(paper.paperId);
    let importFailure: Outcome | null = null;
    if (paper.importedUrl) {
      const fetched = await this.#options.images.fetchAs(source, paper.importedUrl);
      if (fetched?.ok) {
        round.imported++;
        return { ok: true };
      }
      importFailure = fetched ?? { ok: false, reason: 'images are not fetched', transient: false };
      this.#options.logger.debug({ paper: paper.paperId, ...importFailure }, 'imported thumbnail not fetched');
    }
    if (!this.renders) return importFailure ?? { ok: false, reason: 'PDFs are not fetched', transient: false };
    const pdf = await this.#fetchPdf(paper.paperId);
    if (!pdf.ok) return pdf;
    const started = performance.now();
    let png: Uint8Array;
    try {
      png = await renderFirstPage(pdf.bytes, {
        command: this.#options.pdftoppm,
        timeoutMs: this.#options.renderTimeoutMs,
      });
    } catch (error) {
      if (error instanceof RenderError) return { ok: false, reason: error.message, transient: false };
      throw error;
    }
    round.renderMs.push(performance.now() - started);
    await this.#options.images.put(source, png);
    round.rendered++;
    return { ok: true };
  }

  async #fetchPdf(paperId: string): Promise<{ ok: true; bytes: Uint8Array } | Extract<Outcome, { ok: false }>> {
    // Only an arXiv id goes into the address: an id from data cannot point the request anywhere else.
    if (normalizeArxivId(paperId) !== paperId) return { ok: false, reason: 'not an arXiv id', transient: false };
    const url = `${this.#options.pdfUrl}${paperId}`;
    try {
      const { status, bytes } = await this.#pdfs.getBytes(url, 'application/pdf');
      if (status !== 200)
        return {
          ok: false,
          reason: `PDF: HTTP ${status}`,
          transient: status === 408 || status === 429 || status >= 500,
        };
      return { ok: true, bytes };
    } catch (error) {
      if (error instanceof ResponseTooLargeError)
        return { ok: false, reason: `PDF larger than ${this.#options.maxPdfBytes} bytes`, transient: false };
      if (error instanceof RefusedFetchError) return { ok: false, reason: `PDF: ${error.message}`, transient: false };
      if (error instanceof FetchFailedError) {
        const said = error.status !== null ? `HTTP ${error.status}` : error.message.replace(`${url}: `, '');
        return { ok: false, reason: `PDF: ${said}`, transient: true };
      }
      throw error;
    }
  }
}

/**
 * The thumbnailer a configuration asks for, beside the process's image cache; null when thumbnails are off
 * (PAPERBOY_THUMBNAILS=0 or PAPERBOY_IMAGES=0). PDFs are fetched from arXiv only where PAPERBOY_CONTACT says
 * how to reach the instance (arXiv asks that of every client, as for the harvest); without it only imported
 * thumbnails are fetched.
 */
export function createThumbnailer(deps: {
  store: Store;
  config: Config;
  logger: Logger;
  images: ImageCache;
}): Thumbnailer | null {
  const { store, config, logger, images } = deps;
  const settings = config.images.thumbnails;
  if (!settings.enabled || !images.fetches) return null;
  return new Thumbnailer({
    store,
    images,
    logger,
    pdfUrl: config.ingest.contact ? settings.pdfUrl : null,
    userAgent: userAgent(config.ingest.contact),
    maxPdfBytes: settings.maxPdfBytes,
    minIntervalMs: config.ingest.politeness.minIntervalMs,
    timeoutMs: Math.min(config.ingest.politeness.timeoutMs, 60_000),
    pdftoppm: settings.pdftoppm,
  });
}
