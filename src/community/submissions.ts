/**
 * "Submit a paper": an arXiv id or URL becomes today's feed entry with its submitter. Metadata comes from
 * the store when the paper was harvested already, otherwise from the arXiv API (one polite client per
 * process: at most one request every 3 seconds, retries with back-off). Like the Hugging Face site, a paper
 * can be submitted within a window after its first arXiv version (14 days by default).
 */
import { findArxivId } from '../domain/arxiv-id.ts';
import { toDay } from '../domain/periods.ts';
import type { PaperInput } from '../domain/types.ts';
import type { Account } from '../store/community-store.ts';
import type { Store } from '../store/store.ts';
import type { RateLimiter } from './rate-limits.ts';

export type SubmissionOutcome =
  | { status: 'added'; paperId: string; day: string }
  | { status: 'exists'; paperId: string; day: string }
  | { status: 'refused'; httpStatus: 400 | 404 | 422 | 429 | 502; message: string };

/** What the arXiv API knows of one id: the paper, or that it has none (null). Throws when arXiv is unreachable. */
export type ArxivLookup = (id: string) => Promise<PaperInput | null>;

const DAY_MS = 86_400_000;

export class SubmissionService {
  readonly #store: Store;
  readonly #lookup: ArxivLookup;
  readonly #windowDays: number;
  readonly #limiter: RateLimiter;

  constructor(options: { store: Store; lookup: ArxivLookup; windowDays: number; limiter: RateLimiter }) {
    this.#store = options.store;
    this.#lookup = options.lookup;
    this.#windowDays = options.windowDays;
    this.#limiter = options.limiter;
  }

  async submit(input: string, account: Account, address: string, now = new Date()): Promise<SubmissionOutcome> {
    const id = findArxivId(input.slice(0, 500));
    if (!id)
      return refused(
        400,
        'That is not an arXiv identifier or link. Try something like 2607.12345 or https://arxiv.org/abs/2607.12345.',
      );
    const limit = await this.#limiter.hit('submit', String(account.id), address, now);
    if (!limit.allowed)
      return refused(
        429,
        `You have submitted many papers lately. Please wait ${Math.ceil(limit.retryAfter / 60)} minutes.`,
      );

    const featured = await this.#store.featuredDays(id);
    if (featured.length > 0) return { status: 'exists', paperId: id, day: featured[0]! };

    let paper: PaperInput | null = await this.#store.getPaper(id);
    if (!paper) {
      try {
        paper = await this.#lookup(id);
      } catch {
        return refused(502, 'arXiv could not be reached just now. Please try again in a few minutes.');
      }
      if (!paper) return refused(404, `arXiv has no paper with the identifier ${id}.`);
    }
    if (paper.withdrawn)
      return refused(422, `arXiv:${id} has been withdrawn by its authors, so it cannot be featured.`);
    const ageDays = (now.getTime() - Date.parse(paper.publishedAt)) / DAY_MS;
    if (ageDays > this.#windowDays) {
      return refused(
        422,
        `Papers can be submitted within ${this.#windowDays} days of their first arXiv version; arXiv:${id} appeared on ${paper.publishedAt.slice(0, 10)}.`,
      );
    }
    await this.#store.importBatch({ papers: [paper], entries: [], replaceDays: [] });
    const result = await this.#store.community.submitPaper(id, account.id, toDay(now), now);
    return { ...result, paperId: id };
  }
}

function refused(httpStatus: 400 | 404 | 422 | 429 | 502, message: string): SubmissionOutcome {
  return { status: 'refused', httpStatus, message };
}
