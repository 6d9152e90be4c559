/**
 * Every setting of Paperboy, in one schema: environment variables, read once when a command starts (src/cli/)
 * and handed down as typed sections (mail, community, digest, ingest, jobs, model hub). A command's flags
 * override the variables they stand for after the environment is read, checked by the same rules, without
 * writing to the environment. README.md and the docs/ pages it points to list the same settings.
 */
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

const flag = z.enum(['0', '1']);
const clockTime = (name: string, zone: string) =>
  z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, `${name} must be HH:MM${zone}`);

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const DEFAULT_OAI_URL = 'https://oaipmh.arxiv.org/oai';
export const DEFAULT_ARXIV_API_URL = 'http://export.arxiv.org/api/query';
export const DEFAULT_ARXIV_PDF_URL = 'https://arxiv.org/pdf/';
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** The format of PAPERBOY_AUTO_FEATURE; src/ingest/arxiv/auto-feature.ts matches papers against it. */
const autoFeatureRulesSchema = z
  .object({
    /** Exact categories ("cs.CL") or whole archives ("cs" or "cs.*"). */
    categories: z.array(z.string().min(1)).default([]),
    /** Organization slugs or names, matched against the paper's organization and its authors' affiliations. */
    organizations: z.array(z.string().min(1)).default([]),
    /** Words or phrases, matched as whole words in the title and abstract, ignoring case. */
    keywords: z.array(z.string().min(1)).default([]),
    /** Papers whose first version is older than this (relative to the feed day) are not new submissions. */
    maxAgeDays: z.number().int().min(0).max(365).default(7),
  })
  .strict();

export interface AutoFeatureRules {
  categories: string[];
  organizations: string[];
  keywords: string[];
  maxAgeDays: number;
}

const schema = z.object({
  // Serving
  /** HTTP port; 0 picks a free one. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Address to listen on. */
  HOST: z.string().default('0.0.0.0'),
  /** A SQLite path or file: URL, or postgres://… */
  DATABASE_URL: z.string().default('./data/paperboy.db'),
  /** Load the bundled demo cut into an empty database on start. */
  PAPERBOY_DEMO: flag.default('1'),
  /** Base of absolute links (feeds, emails); default http://localhost:PORT. */
  PUBLIC_URL: z.string().url().optional(),
  /** pino level; logs are JSON lines on stderr. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // Search
  /** Where trained and pulled embedding models live; default models/ beside the SQLite file. */
  MODEL_DIR: z.string().optional(),
  /** 0 keeps search lexical: no model is trained or loaded. */
  SEMANTIC_SEARCH: flag.default('1'),
  /** "learned" or "onnx:PATH"; wins over the choice `paperboy model use` records. Read when the embedder loads. */
  EMBEDDER: z.string().optional(),
  /** Hub (or mirror) that `paperboy model pull` downloads from. */
  HF_ENDPOINT: z.string().default(DEFAULT_HUB_ENDPOINT),
  /** Bearer token for gated or private repositories on the hub. */
  HF_TOKEN: z.string().optional(),

  // Mail
  /** smtp(s)://user:pass@host:port; without it, messages are written to the outbox folder. */
  SMTP_URL: z.string().url().optional(),
  /** Sender of sign-in links and digests. */
  MAIL_FROM: z.string().default('Paperboy <paperboy@localhost>'),
  MAIL_REPLY_TO: z.string().optional(),
  /** Where .eml files go without SMTP (shown at /dev/outbox); default outbox/ beside the SQLite file. */
  OUTBOX_DIR: z.string().optional(),

  // Community
  /** How many reverse proxies stand in front (0: none): the client address is that many entries from the right
   *  of X-Forwarded-For. */
  TRUST_PROXY: z.coerce.number().int().min(0).max(32).default(0),
  /** Multiplies every rate limit (benchmarks raise it). */
  PAPERBOY_RATE_LIMIT_FACTOR: z.coerce.number().positive().default(1),
  /** A paper may be submitted up to this many days after its first arXiv version. */
  PAPERBOY_SUBMIT_WINDOW_DAYS: z.coerce.number().int().min(0).default(14),
  /** How long a sign-in lasts. */
  PAPERBOY_SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** `paperboy mcp` acts as the member of this personal access token; unset, it is anonymous (read tools only). */
  PAPERBOY_TOKEN: z.string().optional(),
  /** /metrics answers only requests with `Authorization: Bearer METRICS_TOKEN`; unset, it is a 404. */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must have at least 16 characters').optional(),

  // Who may join and who may read (docs/community.md#who-may-join)
  /** open: any address gets an account; domains: addresses at PAPERBOY_SIGNUP_DOMAINS; invite: invitation links only. */
  PAPERBOY_SIGNUP: z.enum(['open', 'domains', 'invite']).default('open'),
  /** Comma-separated email domains that may join when PAPERBOY_SIGNUP=domains (exact: subdomains are not implied). */
  PAPERBOY_SIGNUP_DOMAINS: z.string().optional(),
  /** public: anyone reads; members: every page, feed, API route and digest preview needs a member (or a feed key). */
  PAPERBOY_READ: z.enum(['public', 'members']).default('public'),

  // Email digests (SMTP_URL, MAIL_FROM, MAIL_REPLY_TO and OUTBOX_DIR above are shared with sign-in mail)
  /** In-process schedule in `serve` (0 leaves sending to cron and `paperboy digest send`). */
  DIGEST_SCHEDULE: flag.default('1'),
  /** Local time of the daily (and weekly) run, HH:MM in DIGEST_TIMEZONE. */
  DIGEST_AT: clockTime('DIGEST_AT', '').default('07:00'),
  /** IANA time zone of DIGEST_AT and of the digests' "today". */
  DIGEST_TIMEZONE: z
    .string()
    .default('UTC')
    .refine(validTimeZone, 'DIGEST_TIMEZONE must be an IANA time zone such as Europe/Paris'),
  /** Day of the weekly digest (it covers the ISO week before). */
  DIGEST_WEEKLY_DAY: z.enum(WEEKDAYS).default('mon'),
  /** Papers per digest. */
  DIGEST_TOP: z.coerce.number().int().min(1).max(100).default(10),
  /** Messages in flight at once (SMTP connections). */
  DIGEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Messages per second at most; 0 means no limit. */
  DIGEST_RATE: z.coerce.number().min(0).default(0),
  /** Attempts per message on transient failures (4xx, connection refused), with exponential back-off. */
  DIGEST_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  /** First back-off step between attempts. */
  DIGEST_BACKOFF_MS: z.coerce.number().int().min(0).default(2000),
  /** Hard bounces (5xx) in a row after which a subscription is suspended. */
  DIGEST_MAX_BOUNCES: z.coerce.number().int().min(1).default(3),
  /** The mailto: of List-Unsubscribe; defaults to the MAIL_REPLY_TO or MAIL_FROM address. */
  DIGEST_UNSUBSCRIBE_MAILTO: z.email().optional(),
  /** How long a run's claim on a delivery lasts without being renewed: a run that dies leaves its claims for
   *  this long before another run takes them over (a live run renews them a few times per lease). */
  DIGEST_LEASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),

  // Ingestion: the arXiv harvest, arXiv look-ups of submissions, the Daily Papers mirror (docs/ingestion.md)
  /** Email address put in the User-Agent; required to talk to arXiv. */
  PAPERBOY_CONTACT: z.email('PAPERBOY_CONTACT must be an email address').optional(),
  /** OAI-PMH base URL of the harvest. */
  PAPERBOY_OAI_URL: z.url().default(DEFAULT_OAI_URL),
  /** arXiv API (Atom) base URL: submissions' look-ups by id, the harvest's category fallback. */
  PAPERBOY_ARXIV_API_URL: z.url().default(DEFAULT_ARXIV_API_URL),
  /** arXiv asks for no more than one request every 3 seconds; tests lower it. */
  PAPERBOY_ARXIV_INTERVAL_MS: z.coerce.number().int().min(0).default(3000),
  /** Tries per request to arXiv. */
  PAPERBOY_ARXIV_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  /** First back-off step; doubles per failed try. */
  PAPERBOY_ARXIV_BACKOFF_MS: z.coerce.number().int().min(0).default(5000),
  /** Whole-request timeout. */
  PAPERBOY_ARXIV_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  /** 0 turns the daily arXiv harvest off. */
  PAPERBOY_HARVEST: flag.default('1'),
  /** Comma-separated OAI-PMH sets, e.g. "cs,stat"; a list of no set (",") harvests everything. */
  PAPERBOY_HARVEST_SETS: z.string().default('cs'),
  /** arXiv (structured authors with affiliations) or arXivRaw (every version with its date). */
  PAPERBOY_HARVEST_FORMAT: z.enum(['arXiv', 'arXivRaw']).default('arXiv'),
  /** UTC time of the daily run. arXiv announces around 00:00-01:00 UTC; its OAI-PMH data follows within hours. */
  PAPERBOY_HARVEST_AT: clockTime('PAPERBOY_HARVEST_AT', ' (UTC)').default('04:30'),
  /** Base URL of a Daily Papers site to mirror; unset, the mirror is off. */
  PAPERBOY_MIRROR_UPSTREAM: z.url().optional(),
  /** Gap between two requests to the mirror upstream. */
  PAPERBOY_MIRROR_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  /** Rules (JSON) that put harvested papers on the feed, e.g. {"categories":["cs.CL"]}; unset, none. */
  PAPERBOY_AUTO_FEATURE: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (!text) return null;
      try {
        return parseAutoFeatureRules(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),

  // Job queue on PostgreSQL (pg-boss; docs/deployment.md)
  /** Schema of pg-boss's tables, in the store's database. */
  PAPERBOY_JOBS_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'PAPERBOY_JOBS_SCHEMA must be a plain lower-case identifier')
    .default('pgboss'),
  /** How often an idle worker looks for jobs. */
  PAPERBOY_JOBS_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  /** A worker that holds a job proves it is alive this often (half of it); silence this long fails the attempt. */
  PAPERBOY_JOBS_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).default(30),
  /** How often workers look for attempts whose worker died. */
  PAPERBOY_JOBS_SUPERVISE_SECONDS: z.coerce.number().int().min(1).default(30),
  /** First wait before a failed attempt is retried (doubling each time). */
  PAPERBOY_JOBS_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0).default(30),

  // Image cache (docs/images.md): pages show images from the instance only
  /** 0: avatars are not fetched (pages show initials); 1: a background job fetches them into the cache. */
  PAPERBOY_IMAGES: flag.default('1'),
  /** Where the cache keeps image files on SQLite; default images/ beside the SQLite file (PostgreSQL keeps them in the database). */
  IMAGE_DIR: z.string().optional(),
  /** 0: no first-page thumbnails (cards show a placeholder); 1: a background job makes them (needs PAPERBOY_IMAGES=1). */
  PAPERBOY_THUMBNAILS: flag.default('1'),
  /** Where a paper's PDF is fetched: this base followed by the arXiv id. */
  PAPERBOY_ARXIV_PDF_URL: z.url().default(DEFAULT_ARXIV_PDF_URL),
  /** Papers given a thumbnail per run of the job (every 10 minutes): arXiv is asked for one PDF every 3 seconds at most. */
  PAPERBOY_THUMBNAILS_PER_RUN: z.coerce.number().int().min(1).max(1000).default(20),
  /** PDFs larger than this are not rendered. */
  PAPERBOY_PDF_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(30 * 1024 * 1024),
  /** poppler's pdftoppm (Debian: poppler-utils), by name on PATH or as a path. */
  PDFTOPPM: z.string().default('pdftoppm'),

  // Generated summaries (docs/ingestion.md): off unless LLM_URL and LLM_MODEL are set
  /** An OpenAI-compatible chat-completions endpoint: a base URL (…/v1) or the full …/chat/completions URL. */
  LLM_URL: z.url().optional(),
  /** The model to ask, as the endpoint names it; recorded with each summary. */
  LLM_MODEL: z.string().max(200).optional(),
  /** Sent as a Bearer token; unset for endpoints that need none (a local server). */
  LLM_API_KEY: z.string().optional(),
  /** Papers asked about per run of the job (every 10 minutes). */
  LLM_SUMMARIES_PER_RUN: z.coerce.number().int().min(1).max(1000).default(10),
  /** Summaries generated per UTC day at most (the budget); 0 pauses generation. */
  LLM_SUMMARIES_PER_DAY: z.coerce.number().int().min(0).default(100),
  /** Smallest gap between two requests to the endpoint (the rate limit). */
  LLM_INTERVAL_MS: z.coerce.number().int().min(0).default(2000),
  /** Whole-request timeout. */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
});

type Settings = z.output<typeof schema>;
export type SettingName = keyof typeof schema.shape;
/** Environment variables, or any record of them (tests). An empty value counts as unset. */
export type Environment = Record<string, string | undefined>;
/** Values a command's flags give, under the setting each stands for; undefined leaves the setting as the environment has it. */
export type ConfigFlags = Partial<Record<SettingName, string | undefined>>;
/** How a command gets its configuration (src/cli/main.ts): `--database-url` and any other flags over the environment. */
export type ConfigFrom = (options: { databaseUrl?: string }, flags?: ConfigFlags) => Config;

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** Load the bundled demo cut into an empty database on start. */
  demo: boolean;
  /** Base of absolute links (feeds, emails); defaults to http://localhost:PORT. */
  publicUrl: string;
  logLevel: Settings['LOG_LEVEL'];
  /** Where trained embedding models are kept. */
  modelDir: string;
  /** Train and use the instance's own embedding model (SEMANTIC_SEARCH=0 keeps search lexical). */
  semanticSearch: boolean;
  /** /metrics answers only requests bearing this token (Authorization: Bearer …); without one it is a 404. */
  metricsToken: string | null;
  /** The member's personal access token `paperboy mcp` acts with (PAPERBOY_TOKEN); null: anonymous. */
  mcpToken: string | null;
  /** EMBEDDER as given ("learned" or "onnx:PATH"); src/search/onnx/configured-embedder.ts resolves it. */
  embedder: string | null;
  modelHub: ModelHubConfig;
  mail: MailConfig;
  community: CommunityConfig;
  access: AccessConfig;
  digest: DigestConfig;
  ingest: IngestConfig;
  jobs: JobsConfig;
  images: ImagesConfig;
  /** Generated summaries; null when no endpoint is configured (nothing is generated). */
  llm: LlmConfig | null;
}

export interface ModelHubConfig {
  endpoint: string;
  token: string | null;
}

export interface CommunityConfig {
  /** Trusted reverse proxies in front (0: none): the client address is this many entries from the right of
   *  X-Forwarded-For. */
  trustProxy: number;
  /** Multiplies every rate limit (benchmarks raise it; 1 is the documented default). */
  rateLimitFactor: number;
  /** A paper may be submitted up to this many days after its first arXiv version. */
  submitWindowDays: number;
  sessionDays: number;
}

export type SignupPolicy = Settings['PAPERBOY_SIGNUP'];

/** Who may join the instance and who may read it (src/community/join-policy.ts, src/web/auth/read-access.ts). */
export interface AccessConfig {
  signup: SignupPolicy;
  /** Lower-case email domains that may join under the `domains` policy; matched exactly. */
  signupDomains: string[];
  /** `members`: nothing but signing in, static files and links with their own token is open to strangers. */
  read: Settings['PAPERBOY_READ'];
}

export interface MailConfig {
  /** smtp(s)://user:pass@host:port; without it, messages are written to the outbox folder. */
  smtpUrl: string | null;
  from: string;
  replyTo: string | null;
  /** Where .eml files go when there is no SMTP server (shown at /dev/outbox). */
  outboxDir: string;
}

export interface DigestConfig {
  schedule: boolean;
  at: { hour: number; minute: number };
  timeZone: string;
  weeklyDay: Weekday;
  top: number;
  concurrency: number;
  /** Messages per second; 0 = unlimited. */
  rate: number;
  attempts: number;
  backoffMs: number;
  maxHardBounces: number;
  unsubscribeMailto: string | null;
  /** Length of a run's claim on a delivery, renewed while the run lives. */
  leaseSeconds: number;
}

export interface IngestConfig {
  /** Email address put in the User-Agent; required to talk to arXiv. */
  contact: string | null;
  oaiUrl: string;
  arxivApiUrl: string;
  politeness: { minIntervalMs: number; maxAttempts: number; backoffBaseMs: number; timeoutMs: number };
  harvest: {
    enabled: boolean;
    sets: (string | null)[];
    metadataPrefix: 'arXiv' | 'arXivRaw';
    at: { hour: number; minute: number };
  };
  /** Base URL of a Daily Papers site to mirror (off when null). */
  mirror: { upstream: string | null; minIntervalMs: number };
  autoFeature: AutoFeatureRules | null;
}

export interface JobsConfig {
  schema: string;
  pollSeconds: number;
  heartbeatSeconds: number;
  superviseSeconds: number;
  retryDelaySeconds: number;
}

export interface ImagesConfig {
  /** Fetch remote images (avatars) in the background; off, pages show initials where no image was kept. */
  fetch: boolean;
  /** Where image files are kept on SQLite (on PostgreSQL they are kept in the database). */
  dir: string;
  thumbnails: ThumbnailsConfig;
}

export interface LlmConfig {
  url: string;
  model: string;
  apiKey: string | null;
  perRun: number;
  perDay: number;
  intervalMs: number;
  timeoutMs: number;
}

export interface ThumbnailsConfig {
  /** Make first-page thumbnails of the papers on the daily feed (only where images are fetched at all). */
  enabled: boolean;
  /** Base URL of PDFs; the arXiv id is appended. */
  pdfUrl: string;
  perRun: number;
  maxPdfBytes: number;
  pdftoppm: string;
}

export class ConfigError extends Error {}

/**
 * The configuration from `env`, with `flags` over it. What derives from a setting (the public URL from the
 * port, the model and outbox folders from the database) follows the flag too.
 */
export function loadConfig(env: Environment, flags: ConfigFlags = {}): Config {
  const settings = checked(schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''))));
  for (const [name, value] of Object.entries(flags) as [SettingName, string | undefined][]) {
    if (value === undefined) continue;
    // Parsed alone by its variable's rule; an empty flag, like an empty variable, means the default.
    const parsed = checked<unknown>(schema.shape[name].safeParse(value === '' ? undefined : value), name);
    Object.assign(settings, { [name]: parsed });
  }
  return fromSettings(settings);
}

/** This process's configuration: its environment (read here and nowhere else), with the command's flags over it. */
export function loadProcessConfig(flags: ConfigFlags = {}): Config {
  return loadConfig(process.env, flags);
}

function checked<T>(result: z.ZodSafeParseResult<T>, name?: SettingName): T {
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ConfigError(
    `configuration: ${[name, ...issue.path].filter((p) => p !== undefined).join('.')}: ${issue.message}`,
  );
}

function fromSettings(e: Settings): Config {
  const sets = e.PAPERBOY_HARVEST_SETS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    demo: e.PAPERBOY_DEMO === '1',
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    modelDir: e.MODEL_DIR ? resolve(e.MODEL_DIR) : besideDatabase(e.DATABASE_URL, 'models'),
    semanticSearch: e.SEMANTIC_SEARCH === '1',
    metricsToken: e.METRICS_TOKEN ?? null,
    mcpToken: e.PAPERBOY_TOKEN ?? null,
    embedder: e.EMBEDDER ?? null,
    modelHub: { endpoint: e.HF_ENDPOINT, token: e.HF_TOKEN ?? null },
    mail: {
      smtpUrl: e.SMTP_URL ?? null,
      from: e.MAIL_FROM,
      replyTo: e.MAIL_REPLY_TO ?? null,
      outboxDir: e.OUTBOX_DIR ? resolve(e.OUTBOX_DIR) : besideDatabase(e.DATABASE_URL, 'outbox'),
    },
    community: {
      trustProxy: e.TRUST_PROXY,
      rateLimitFactor: e.PAPERBOY_RATE_LIMIT_FACTOR,
      submitWindowDays: e.PAPERBOY_SUBMIT_WINDOW_DAYS,
      sessionDays: e.PAPERBOY_SESSION_DAYS,
    },
    access: accessConfig(e),
    digest: {
      schedule: e.DIGEST_SCHEDULE === '1',
      at: clock(e.DIGEST_AT),
      timeZone: e.DIGEST_TIMEZONE,
      weeklyDay: e.DIGEST_WEEKLY_DAY,
      top: e.DIGEST_TOP,
      concurrency: e.DIGEST_CONCURRENCY,
      rate: e.DIGEST_RATE,
      attempts: e.DIGEST_ATTEMPTS,
      backoffMs: e.DIGEST_BACKOFF_MS,
      maxHardBounces: e.DIGEST_MAX_BOUNCES,
      unsubscribeMailto: e.DIGEST_UNSUBSCRIBE_MAILTO ?? null,
      leaseSeconds: e.DIGEST_LEASE_SECONDS,
    },
    ingest: {
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
        at: clock(e.PAPERBOY_HARVEST_AT),
      },
      mirror: { upstream: e.PAPERBOY_MIRROR_UPSTREAM ?? null, minIntervalMs: e.PAPERBOY_MIRROR_INTERVAL_MS },
      autoFeature: e.PAPERBOY_AUTO_FEATURE,
    },
    jobs: {
      schema: e.PAPERBOY_JOBS_SCHEMA,
      pollSeconds: e.PAPERBOY_JOBS_POLL_SECONDS,
      heartbeatSeconds: e.PAPERBOY_JOBS_HEARTBEAT_SECONDS,
      superviseSeconds: e.PAPERBOY_JOBS_SUPERVISE_SECONDS,
      retryDelaySeconds: e.PAPERBOY_JOBS_RETRY_DELAY_SECONDS,
    },
    images: {
      fetch: e.PAPERBOY_IMAGES === '1',
      dir: e.IMAGE_DIR ? resolve(e.IMAGE_DIR) : besideDatabase(e.DATABASE_URL, 'images'),
      thumbnails: {
        enabled: e.PAPERBOY_IMAGES === '1' && e.PAPERBOY_THUMBNAILS === '1',
        pdfUrl: e.PAPERBOY_ARXIV_PDF_URL,
        perRun: e.PAPERBOY_THUMBNAILS_PER_RUN,
        maxPdfBytes: e.PAPERBOY_PDF_MAX_BYTES,
        pdftoppm: e.PDFTOPPM,
      },
    },
    llm: llmConfig(e),
  };
}

function llmConfig(e: Settings): LlmConfig | null {
  if (!e.LLM_URL && !e.LLM_MODEL) return null;
  if (!e.LLM_URL || !e.LLM_MODEL) throw new ConfigError('set both LLM_URL and LLM_MODEL to generate summaries');
  return {
    url: e.LLM_URL,
    model: e.LLM_MODEL,
    apiKey: e.LLM_API_KEY ?? null,
    perRun: e.LLM_SUMMARIES_PER_RUN,
    perDay: e.LLM_SUMMARIES_PER_DAY,
    intervalMs: e.LLM_INTERVAL_MS,
    timeoutMs: e.LLM_TIMEOUT_MS,
  };
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/**
 * The sign-up and reading policy. The two sign-up settings are checked together here (a flag may have set
 * either): a list without the `domains` policy, or the policy without a list, is a mistake the operator hears of.
 */
function accessConfig(e: Settings): AccessConfig {
  const domains = (e.PAPERBOY_SIGNUP_DOMAINS ?? '')
    .split(',')
    .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
    .filter(Boolean);
  const wrong = domains.find((d) => !DOMAIN.test(d));
  if (wrong !== undefined)
    throw new ConfigError(
      `configuration: PAPERBOY_SIGNUP_DOMAINS: "${wrong}" is not an email domain (e.g. lab.example)`,
    );
  if (e.PAPERBOY_SIGNUP === 'domains' && domains.length === 0) {
    throw new ConfigError(
      'configuration: PAPERBOY_SIGNUP_DOMAINS: PAPERBOY_SIGNUP=domains needs the email domains that may join, e.g. PAPERBOY_SIGNUP_DOMAINS=lab.example,uni.example',
    );
  }
  if (e.PAPERBOY_SIGNUP !== 'domains' && domains.length > 0) {
    throw new ConfigError(
      `configuration: PAPERBOY_SIGNUP_DOMAINS: the list is used only with PAPERBOY_SIGNUP=domains (it is ${e.PAPERBOY_SIGNUP})`,
    );
  }
  return { signup: e.PAPERBOY_SIGNUP, signupDomains: [...new Set(domains)], read: e.PAPERBOY_READ };
}

/** PAPERBOY_AUTO_FEATURE's JSON, checked; the error names the offending rule. */
export function parseAutoFeatureRules(json: string): AutoFeatureRules {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`not valid JSON (${(error as Error).message})`);
  }
  const parsed = autoFeatureRulesSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || '(rules)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** A plain path or file: URL means SQLite; postgres:// means PostgreSQL. */
export function describeDatabase(
  url: string,
): { backend: 'sqlite'; path: string } | { backend: 'postgres'; url: string } {
  if (/^postgres(ql)?:\/\//i.test(url)) return { backend: 'postgres', url };
  if (url.startsWith('file:'))
    return { backend: 'sqlite', path: decodeURIComponent(new URL(url, 'file:///').pathname) };
  return { backend: 'sqlite', path: url === ':memory:' ? url : resolve(url) };
}

/** A folder beside the SQLite file (./data/NAME for PostgreSQL or an in-memory database): models, outbox, images. */
function besideDatabase(databaseUrl: string, name: string): string {
  const db = describeDatabase(databaseUrl);
  return db.backend === 'sqlite' && db.path !== ':memory:' ? join(dirname(db.path), name) : resolve('data', name);
}

function clock(text: string): { hour: number; minute: number } {
  const [hour, minute] = text.split(':').map(Number) as [number, number];
  return { hour, minute };
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
