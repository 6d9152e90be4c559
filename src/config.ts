/** Configuration from the environment; CLI flags override by writing the same names before loading. */
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().default('./data/paperboy.db'),
  PAPERBOY_DEMO: z.enum(['0', '1']).default('1'),
  PUBLIC_URL: z.string().url().optional(),
  MODEL_DIR: z.string().optional(),
  SEMANTIC_SEARCH: z.enum(['0', '1']).default('1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('Paperboy <paperboy@localhost>'),
  MAIL_REPLY_TO: z.string().optional(),
  OUTBOX_DIR: z.string().optional(),
  TRUST_PROXY: z.enum(['0', '1']).default('0'),
  PAPERBOY_RATE_LIMIT_FACTOR: z.coerce.number().positive().default(1),
  PAPERBOY_SUBMIT_WINDOW_DAYS: z.coerce.number().int().min(0).default(14),
  PAPERBOY_SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must have at least 16 characters').optional(),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** Load the bundled demo cut into an empty database on start. */
  demo: boolean;
  /** Base of absolute links (feeds, emails); defaults to http://localhost:PORT. */
  publicUrl: string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** Where trained embedding models are kept. */
  modelDir: string;
  /** Train and use the instance's own embedding model (SEMANTIC_SEARCH=0 keeps search lexical). */
  semanticSearch: boolean;
  /** /metrics answers only requests bearing this token (Authorization: Bearer …); without one it is a 404. */
  metricsToken: string | null;
  mail: MailConfig;
  community: CommunityConfig;
}

export interface CommunityConfig {
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). */
  trustProxy: boolean;
  /** Multiplies every rate limit (benchmarks raise it; 1 is the documented default). */
  rateLimitFactor: number;
  /** A paper may be submitted up to this many days after its first arXiv version. */
  submitWindowDays: number;
  sessionDays: number;
}

export interface MailConfig {
  /** smtp(s)://user:pass@host:port; without it, messages are written to the outbox folder. */
  smtpUrl: string | null;
  from: string;
  replyTo: string | null;
  /** Where .eml files go when there is no SMTP server (shown at /dev/outbox). */
  outboxDir: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    demo: e.PAPERBOY_DEMO === '1',
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    modelDir: e.MODEL_DIR ? resolve(e.MODEL_DIR) : defaultModelDir(e.DATABASE_URL),
    semanticSearch: e.SEMANTIC_SEARCH === '1',
    metricsToken: e.METRICS_TOKEN ?? null,
    mail: {
      smtpUrl: e.SMTP_URL ?? null,
      from: e.MAIL_FROM,
      replyTo: e.MAIL_REPLY_TO ?? null,
      outboxDir: e.OUTBOX_DIR ? resolve(e.OUTBOX_DIR) : besideDatabase(e.DATABASE_URL, 'outbox'),
    },
    community: {
      trustProxy: e.TRUST_PROXY === '1',
      rateLimitFactor: e.PAPERBOY_RATE_LIMIT_FACTOR,
      submitWindowDays: e.PAPERBOY_SUBMIT_WINDOW_DAYS,
      sessionDays: e.PAPERBOY_SESSION_DAYS,
    },
  };
}

/** A plain path or file: URL means SQLite; postgres:// means PostgreSQL. */
export function describeDatabase(url: string): { backend: 'sqlite'; path: string } | { backend: 'postgres'; url: string } {
  if (/^postgres(ql)?:\/\//i.test(url)) return { backend: 'postgres', url };
  if (url.startsWith('file:')) return { backend: 'sqlite', path: decodeURIComponent(new URL(url, 'file:///').pathname) };
  return { backend: 'sqlite', path: url === ':memory:' ? url : resolve(url) };
}

/** Models live beside the SQLite file they were trained from (./data/models for the default database). */
function defaultModelDir(databaseUrl: string): string {
  return besideDatabase(databaseUrl, 'models');
}

/** A folder beside the SQLite file (./data/NAME for PostgreSQL or an in-memory database). */
function besideDatabase(databaseUrl: string, name: string): string {
  const db = describeDatabase(databaseUrl);
  return db.backend === 'sqlite' && db.path !== ':memory:' ? join(dirname(db.path), name) : resolve('data', name);
}
