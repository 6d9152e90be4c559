/** The arXiv look-up that submissions use: one polite API client per process, so that all submissions together
 *  keep arXiv's pace (one request every 3 seconds by default; PAPERBOY_ARXIV_API_URL points it elsewhere). */
import type { IngestConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { userAgent } from '../ingest/arxiv/arxiv-clients.ts';
import { PoliteFetcher } from '../ingest/arxiv/polite-fetch.ts';
import { ArxivApiClient } from '../ingest/arxiv/atom-client.ts';
import type { ArxivLookup } from './submissions.ts';

/** Submissions wait at most this long for arXiv before saying it could not be reached. */
const SUBMISSION_ATTEMPTS = 3;

export function arxivLookup(config: IngestConfig, logger: Logger): ArxivLookup {
  const fetcher = new PoliteFetcher({
    userAgent: userAgent(config.contact),
    minIntervalMs: config.politeness.minIntervalMs,
    maxAttempts: Math.min(SUBMISSION_ATTEMPTS, config.politeness.maxAttempts),
    backoffBaseMs: Math.min(config.politeness.backoffBaseMs, 2000),
    timeoutMs: Math.min(config.politeness.timeoutMs, 20_000),
    logger,
  });
  const client = new ArxivApiClient({ baseUrl: config.arxivApiUrl, fetcher });
  return async (id) => {
    const result = await client.lookup([id]);
    return result.found.get(id)?.paper ?? null;
  };
}
