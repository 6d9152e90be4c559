/**
 * Configuration of email digests, read from the environment like the rest of Paperboy. Kept apart from
 * src/config.ts (as ingestion's is) so that each feature owns its variables; `serve` and `paperboy digest`
 * read it. SMTP_URL, MAIL_FROM, MAIL_REPLY_TO and OUTBOX_DIR stay in src/config.ts (sign-in mails use them too).
 */
import { z } from 'zod';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const schema = z.object({
  /** In-process schedule in `serve` (0 leaves sending to cron and `paperboy digest send`). */
  DIGEST_SCHEDULE: z.enum(['0', '1']).default('1'),
  /** Local time of the daily (and weekly) run, HH:MM in DIGEST_TIMEZONE. */
  DIGEST_AT: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'DIGEST_AT must be HH:MM').default('07:00'),
  DIGEST_TIMEZONE: z.string().default('UTC').refine(validTimeZone, 'DIGEST_TIMEZONE must be an IANA time zone such as Europe/Paris'),
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
  DIGEST_BACKOFF_MS: z.coerce.number().int().min(0).default(2000),
  /** Hard bounces (5xx) in a row after which a subscription is suspended. */
  DIGEST_MAX_BOUNCES: z.coerce.number().int().min(1).default(3),
  /** The mailto: of List-Unsubscribe; defaults to the MAIL_REPLY_TO or MAIL_FROM address. */
  DIGEST_UNSUBSCRIBE_MAILTO: z.email().optional(),
  /** How long a run's claim on a delivery lasts without being renewed: a run that dies leaves its claims for
   *  this long before another run takes them over (a live run renews them a few times per lease). */
  DIGEST_LEASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
});

export type Weekday = (typeof WEEKDAYS)[number];

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

export class DigestConfigError extends Error {}

export function loadDigestConfig(env: Record<string, string | undefined> = process.env): DigestConfig {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '' && v !== undefined)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DigestConfigError(`configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const [hour, minute] = e.DIGEST_AT.split(':').map(Number) as [number, number];
  return {
    schedule: e.DIGEST_SCHEDULE === '1',
    at: { hour, minute },
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
  };
}

export function weekdayNumber(day: Weekday): number {
  return WEEKDAYS.indexOf(day);
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
