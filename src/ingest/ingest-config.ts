/**
 * Configuration of ingestion (arXiv harvest, Daily Papers mirror, schedule, auto-feature rules), read from the
 * environment like the rest of Paperboy. Kept apart from src/config.ts so that serving never fails on a typo in
 * an ingestion variable: only the ingestion commands and the schedule read it.
 */
import { z } from 'zod';
import { parseAutoFeatureRules, type AutoFeatureRules } from './arxiv/auto-feature.ts';

export const DEFAULT_OAI_URL = 'https://oaipmh.arxiv.org/oai';
export const DEFAULT_ARXIV_API_URL = 'http://export.arxiv.org/api/query';

const flag = z.enum(['0', '1']);

const schema = z.object({
  PAPERBOY_CONTACT: z.email('PAPERBOY_CONTACT must be an email address').optional(),
  PAPERBOY_OAI_URL: z.url().default(DEFAULT_OAI_URL),
  PAPERBOY_ARXIV_API_URL: z.url().default(DEFAULT_ARXIV_API_URL),
  /** arXiv asks for no more than one request every 3 seconds; tests lower it. */
  PAPERBOY_ARXIV_INTERVAL_MS: z.coerce.number().int().min(0).default(3000),
  PAPERBOY_ARXIV_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  PAPERBOY_ARXIV_BACKOFF_MS: z.coerce.number().int().min(0).default(5000),
  PAPERBOY_ARXIV_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  PAPERBOY_HARVEST: flag.default('1'),
  /** Comma-separated OAI-PMH sets, e.g. "cs,stat"; empty harvests everything. */
  PAPERBOY_HARVEST_SETS: z.string().default('cs'),
  PAPERBOY_HARVEST_FORMAT: z.enum(['arXiv', 'arXivRaw']).default('arXiv'),
  /** UTC time of the daily run. arXiv announces around 00:00-01:00 UTC; its OAI-PMH data follows within hours. */
  PAPERBOY_HARVEST_AT: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'PAPERBOY_HARVEST_AT must be HH:MM (UTC)').default('04:30'),
  PAPERBOY_MIRROR_UPSTREAM: z.url().optional(),
  PAPERBOY_MIRROR_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  PAPERBOY_AUTO_FEATURE: z.string().optional(),
});

export interface IngestConfig {
  /** Email address put in the User-Agent; required to talk to arXiv. */
  contact: string | null;
  oaiUrl: string;
  arxivApiUrl: string;
  politeness: { minIntervalMs: number; maxAttempts: number; backoffBaseMs: number; timeoutMs: number };
  harvest: { enabled: boolean; sets: (string | null)[]; metadataPrefix: 'arXiv' | 'arXivRaw'; at: { hour: number; minute: number } };
  /** Base URL of a Daily Papers site to mirror (off when null). */
  mirror: { upstream: string | null; minIntervalMs: number };
  autoFeature: AutoFeatureRules | null;
}

export class IngestConfigError extends Error {}

export function loadIngestConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '' && v !== undefined)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new IngestConfigError(`configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const sets = e.PAPERBOY_HARVEST_SETS.split(',').map((s) => s.trim()).filter(Boolean);
  const [hour, minute] = e.PAPERBOY_HARVEST_AT.split(':').map(Number) as [number, number];
  let autoFeature: AutoFeatureRules | null = null;
  if (e.PAPERBOY_AUTO_FEATURE) {
    try {
      autoFeature = parseAutoFeatureRules(e.PAPERBOY_AUTO_FEATURE);
    } catch (error) {
      throw new IngestConfigError(`configuration: PAPERBOY_AUTO_FEATURE: ${(error as Error).message}`);
    }
  }
  return {
    contact: e.PAPERBOY_CONTACT ?? null,
    oaiUrl: e.PAPERBOY_OAI_URL,
    arxivApiUrl: e.PAPERBOY_ARXIV_API_URL,
    politeness: {
      minIntervalMs: e.PAPERBOY_ARXIV_INTERVAL_MS,
      maxAttempts: e.PAPERBOY_ARXIV_MAX_ATTEMPTS,
      backoffBaseMs: e.PAPERBOY_ARXIV_BACKOFF_MS,
      timeoutMs: e.PAPERBOY_ARXIV_TIMEOUT_MS,
    },
    harvest: {
      enabled: e.PAPERBOY_HARVEST === '1',
      sets: sets.length > 0 ? sets : [null],
      metadataPrefix: e.PAPERBOY_HARVEST_FORMAT,
      at: { hour, minute },
    },
    mirror: { upstream: e.PAPERBOY_MIRROR_UPSTREAM ?? null, minIntervalMs: e.PAPERBOY_MIRROR_INTERVAL_MS },
    autoFeature,
  };
}

/** "Paperboy/0.1.0 (+mailto:ops@example.org)": arXiv asks harvesters to say who they are and how to reach them. */
export function userAgent(contact: string | null): string {
  return contact ? `Paperboy/0.1.0 (self-hosted research-paper site; mailto:${contact})` : 'Paperboy/0.1.0 (self-hosted research-paper site)';
}
