/** Builds the arXiv clients from configuration: one polite fetcher shared by OAI-PMH and the API. */
import type { Logger } from '../../log.ts';
import { ConfigError, type IngestConfig } from '../../config.ts';
import { PoliteFetcher } from './polite-fetch.ts';
import { OaiPmhClient } from './oai-pmh-client.ts';
import { ArxivApiClient } from './atom-client.ts';

export interface ArxivClients {
  fetcher: PoliteFetcher;
  oai: OaiPmhClient;
  api: ArxivApiClient;
}

export function arxivClients(config: IngestConfig, logger: Logger, now: () => Date = () => new Date()): ArxivClients {
  if (!config.contact) {
    throw new ConfigError('set PAPERBOY_CONTACT to an email address: arXiv asks harvesters to say how to reach them');
  }
  const fetcher = new PoliteFetcher({
    userAgent: userAgent(config.contact),
    minIntervalMs: config.politeness.minIntervalMs,
    maxAttempts: config.politeness.maxAttempts,
    backoffBaseMs: config.politeness.backoffBaseMs,
    timeoutMs: config.politeness.timeoutMs,
    logger,
  });
  return {
    fetcher,
    oai: new OaiPmhClient({ baseUrl: config.oaiUrl, fetcher, logger, now }),
    api: new ArxivApiClient({ baseUrl: config.arxivApiUrl, fetcher, now }),
  };
}

/** "Paperboy/0.1.0 (+mailto:ops@example.org)": arXiv asks harvesters to say who they are and how to reach them. */
export function userAgent(contact: string | null): string {
  return contact
    ? `Paperboy/0.1.0 (self-hosted research-paper site; mailto:${contact})`
    : 'Paperboy/0.1.0 (self-hosted research-paper site)';
}

/** The Daily Papers upstream is not arXiv: it gets its own fetcher and interval. */
export function mirrorFetcher(config: IngestConfig, logger: Logger): PoliteFetcher {
  return new PoliteFetcher({
    userAgent: userAgent(config.contact),
    minIntervalMs: config.mirror.minIntervalMs,
    maxAttempts: config.politeness.maxAttempts,
    backoffBaseMs: config.politeness.backoffBaseMs,
    timeoutMs: config.politeness.timeoutMs,
    logger,
  });
}
