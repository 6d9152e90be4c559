/**
 * HTTP GET that keeps arXiv's rules for automated clients: requests start at least `minIntervalMs` apart
 * (3 s by default, retries included), a 503 or 429 is answered by waiting what its Retry-After says, other
 * transient failures (5xx, dropped connections, timeouts) by exponential back-off with jitter, and every
 * request says who is asking in its User-Agent.
 */
import type { Logger } from '../../log.ts';

export interface PoliteFetchOptions {
  userAgent: string;
  /** Smallest gap between the starts of two requests through this fetcher. */
  minIntervalMs: number;
  /** Tries per call, the first included. */
  maxAttempts: number;
  /** First back-off; it doubles with every failed attempt up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs?: number;
  /** A Retry-After longer than this is cut to it, so that a misconfigured server cannot park a run for days. */
  maxRetryAfterMs?: number;
  /** Whole request, body included. */
  timeoutMs: number;
  /** Responses larger than this are refused: a 1000-record arXiv page is ~2-3 MB. */
  maxBytes?: number;
  logger?: Logger | undefined;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface FetchedText {
  status: number;
  text: string;
  url: string;
}

/** The request could not be completed within the allowed attempts. */
export class FetchFailedError extends Error {
  readonly status: number | null;

  constructor(message: string, status: number | null) {
    super(message);
    this.status = status;
  }
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

class TooLargeError extends Error {}

export class PoliteFetcher {
  readonly #options: Required<Omit<PoliteFetchOptions, 'logger'>> & { logger: Logger | undefined };
  #nextStart = 0;
  /** Requests are serialised: two concurrent callers must not both start within the interval. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: PoliteFetchOptions) {
    this.#options = {
      userAgent: options.userAgent,
      minIntervalMs: options.minIntervalMs,
      maxAttempts: options.maxAttempts,
      backoffBaseMs: options.backoffBaseMs,
      backoffMaxMs: options.backoffMaxMs ?? 10 * 60_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 15 * 60_000,
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
      logger: options.logger,
      fetch: options.fetch ?? globalThis.fetch,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
    };
  }

  /** GET `url` and return its text. Non-retryable statuses (e.g. 400, 404) are returned for the caller to judge. */
  get(url: string): Promise<FetchedText> {
    const result = this.#queue.then(() => this.#get(url));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #get(url: string): Promise<FetchedText> {
    const o = this.#options;
    let lastProblem = '';
    let lastStatus: number | null = null;
    for (let attempt = 1; attempt <= o.maxAttempts; attempt++) {
      await this.#waitForTurn();
      let waitMs: number;
      try {
        const response = await o.fetch(url, {
          headers: {
            'user-agent': o.userAgent,
            accept: 'application/xml, text/xml, application/atom+xml, application/json;q=0.9, */*;q=0.5',
          },
          signal: AbortSignal.timeout(o.timeoutMs),
          redirect: 'follow',
        });
        lastStatus = response.status;
        if (!RETRY_STATUSES.has(response.status)) {
          return { status: response.status, text: await readLimited(response, o.maxBytes), url };
        }
        await response.body?.cancel().catch(() => undefined);
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'), o.now());
        lastProblem = `HTTP ${response.status}`;
        waitMs = retryAfter === null ? this.#backoff(attempt) : Math.min(retryAfter, o.maxRetryAfterMs);
      } catch (error) {
        if (error instanceof TooLargeError) throw new FetchFailedError(`${url}: ${error.message}`, lastStatus);
        // fetch rejects with a TypeError on refused/dropped connections and a DOMException on timeout.
        lastProblem = describeNetworkError(error);
        lastStatus = null;
        waitMs = this.#backoff(attempt);
      }
      if (attempt === o.maxAttempts) break;
      o.logger?.warn({ url, attempt, problem: lastProblem, retryInMs: Math.round(waitMs) }, 'request failed; retrying');
      // The wait counts towards the interval: the next request may start once both have passed.
      this.#nextStart = Math.max(this.#nextStart, o.now() + waitMs);
    }
    throw new FetchFailedError(`${url}: gave up after ${o.maxAttempts} attempts (${lastProblem})`, lastStatus);
  }

  async #waitForTurn(): Promise<void> {
    const o = this.#options;
    const wait = this.#nextStart - o.now();
    if (wait > 0) await o.sleep(wait);
    this.#nextStart = o.now() + o.minIntervalMs;
  }

  /** Exponential back-off with "equal jitter": half of the step is fixed, half random, so that clients that
   *  failed together do not retry together, yet no retry comes immediately. */
  #backoff(attempt: number): number {
    const o = this.#options;
    const step = Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** (attempt - 1));
    return step / 2 + o.random() * (step / 2);
  }
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new TooLargeError(`response of ${declared} bytes is larger than the ${maxBytes} allowed`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    // Leaving the loop by throwing cancels the stream.
    if (size > maxBytes) throw new TooLargeError(`response is larger than the ${maxBytes} bytes allowed`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return `${error.name}: ${error.message}${detail}`;
}
