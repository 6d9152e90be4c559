/**
 * A digest run: compose the period's digest once, then deliver it to every active subscriber of that frequency
 * who has no final ledger row for the period. The ledger makes runs resumable: a run killed after k of n
 * messages sends the remaining n − k when run again, and a period is never sent twice to anyone it reached.
 *
 * Before each message the ledger says "sending"; after the server's 250 it says "sent". A crash between the
 * two (a window of a few milliseconds per connection) leaves "sending", which the next run sends again with the
 * same Message-ID: at most one duplicate per connection in flight at the crash, which receivers can recognise.
 *
 * Transient failures (SMTP 4xx, connection refused, time-outs) are retried with exponential back-off and left
 * "deferred" for the next run when they persist; permanent ones (5xx) are recorded as hard bounces, and a
 * subscription with too many in a row is suspended. Messages in flight and messages per second are bounded.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Store } from '../store/store.ts';
import type { Subscription } from '../store/subscription-store.ts';
import type { DigestConfig } from '../config.ts';
import type { DigestPeriod } from './digest-period.ts';
import { composeDigest, loadDigest, type ComposedDigest, type DigestContent, type ForYouProvider } from './compose.ts';
import { unsubscribeToken } from './tokens.ts';

export interface DigestRunOptions {
  store: Store;
  mailer: Mailer;
  logger: Logger;
  config: DigestConfig;
  publicUrl: string;
  /** MAIL_FROM / MAIL_REPLY_TO address for the mailto: of List-Unsubscribe when none is configured. */
  mailFrom: string;
  period: DigestPeriod;
  forYou?: ForYouProvider | undefined;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Called after each message with its outcome (the CLI prints progress). */
  onResult?: (outcome: Outcome, subscription: Subscription) => void;
}

export type Outcome = 'sent' | 'deferred' | 'failed' | 'suspended';

export interface DigestRunSummary {
  periodKey: string;
  papers: number;
  /** Subscribers this run tried (those already sent or failed for the period are not counted). */
  attempted: number;
  sent: number;
  deferred: number;
  failed: number;
  suspended: number;
  seconds: number;
  /** Set when nothing was sent because the period has no papers. */
  skipped: string | null;
}

const PAGE = 500;

export async function runDigest(options: DigestRunOptions): Promise<DigestRunSummary> {
  const { store, logger, config, period } = options;
  const started = performance.now();
  const summary: DigestRunSummary = { periodKey: period.key, papers: 0, attempted: 0, sent: 0, deferred: 0, failed: 0, suspended: 0, seconds: 0, skipped: null };
  const digest = await loadDigest(store, period, config.top);
  summary.papers = digest.papers.length;
  if (digest.papers.length === 0) {
    summary.skipped = `no papers for ${period.frequency} ${period.label}`;
    logger.info({ period: period.key }, 'digest skipped: no papers in the period');
    return summary;
  }
  const composed = composeDigest(digest, options.publicUrl);
  const secret = await store.subscriptions.signingSecret();
  const next = recipientQueue(store, period);
  const limiter = rateLimiter(config.rate, options.sleep ?? sleep);
  const worker = async () => {
    for (let subscription = await next(); subscription; subscription = await next()) {
      summary.attempted++;
      const outcome = await deliver(options, digest, composed, secret, subscription, limiter);
      summary[outcome]++;
      if (outcome === 'suspended') summary.failed++;
      options.onResult?.(outcome, subscription);
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, worker));
  summary.seconds = (performance.now() - started) / 1000;
  logger.info({ ...summary }, 'digest run finished');
  return summary;
}

/** Pages through pending recipients by id; safe to call from several workers at once. */
function recipientQueue(store: Store, period: DigestPeriod): () => Promise<Subscription | null> {
  let buffer: Subscription[] = [];
  let afterId = 0;
  let done = false;
  let refill: Promise<void> | null = null;
  return async function next(): Promise<Subscription | null> {
    for (;;) {
      const item = buffer.shift();
      if (item) return item;
      if (done) return null;
      refill ??= store.subscriptions.pendingRecipients(period.frequency, period.key, afterId, PAGE).then((page) => {
        buffer = page;
        if (page.length < PAGE) done = true;
        if (page.length > 0) afterId = page[page.length - 1]!.id;
        refill = null;
      });
      await refill;
    }
  };
}

async function deliver(
  options: DigestRunOptions, digest: DigestContent, composed: ComposedDigest, secret: string, subscription: Subscription,
  limiter: () => Promise<void>,
): Promise<Outcome> {
  const { store, mailer, logger, config, period } = options;
  const now = options.now ?? (() => new Date());
  const token = unsubscribeToken(secret, subscription.id, subscription.email);
  const unsubscribeUrl = `${options.publicUrl}/unsubscribe/${token}`;
  const mailto = config.unsubscribeMailto ?? addressOf(options.mailFrom);
  let forYou: DigestContent['papers'] = [];
  if (options.forYou) {
    try {
      const shown = new Set(digest.papers.map((p) => p.id));
      forYou = (await options.forYou(subscription, digest)).filter((p) => !shown.has(p.id)).slice(0, 5);
    } catch (error) {
      logger.warn({ err: error, subscription: subscription.id }, 'for-you papers failed; sending the digest without them');
    }
  }
  const parts = { unsubscribeUrl, forYou };
  const messageId = digestMessageId(period, subscription.id, options.publicUrl);
  await store.subscriptions.beginDelivery(subscription.id, period.key, messageId, now());
  for (let attempt = 1; ; attempt++) {
    await limiter();
    try {
      await mailer.send({
        to: subscription.email,
        subject: composed.subject,
        text: composed.text(parts),
        html: composed.html(parts),
        messageId,
        headers: {
          'List-Unsubscribe': `<${unsubscribeUrl}>${mailto ? `, <mailto:${mailto}?subject=${encodeURIComponent(`unsubscribe ${token}`)}>` : ''}`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'List-Id': `Paperboy ${period.frequency} digest <${period.frequency}.digest.${hostOf(options.publicUrl)}>`,
          'Auto-Submitted': 'auto-generated',
        },
      });
      await store.subscriptions.markSent(subscription.id, period.key, now());
      return 'sent';
    } catch (error) {
      const reason = describeError(error);
      if (classifySendError(error) === 'permanent') {
        const { suspended } = await store.subscriptions.markFailed(subscription.id, period.key, reason, config.maxHardBounces, now());
        logger.warn({ subscription: subscription.id, period: period.key, reason, suspended }, 'digest refused permanently');
        return suspended ? 'suspended' : 'failed';
      }
      if (attempt >= config.attempts) {
        await store.subscriptions.markDeferred(subscription.id, period.key, reason, now());
        logger.warn({ subscription: subscription.id, period: period.key, reason, attempts: attempt }, 'digest deferred to the next run');
        return 'deferred';
      }
      const wait = config.backoffMs * 2 ** (attempt - 1);
      logger.info({ subscription: subscription.id, reason, attempt, retryInMs: wait }, 'transient send failure; retrying');
      await (options.sleep ?? sleep)(wait);
    }
  }
}

/** SMTP 5xx (and an envelope the client itself refuses) is permanent; 4xx, refused connections and time-outs are not. */
export function classifySendError(error: unknown): 'transient' | 'permanent' {
  const e = error as { responseCode?: unknown; code?: unknown };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500 ? 'permanent' : 'transient';
  return e.code === 'EENVELOPE' ? 'permanent' : 'transient';
}

function describeError(error: unknown): string {
  const e = error as { responseCode?: unknown; response?: unknown; code?: unknown; message?: unknown };
  const text = typeof e.response === 'string' ? e.response : String(e.message ?? error);
  return `${typeof e.code === 'string' ? `${e.code}: ` : ''}${text}`.slice(0, 500);
}

/** The same for every attempt at one (period, subscriber), so that a message sent again is recognisably the same. */
export function digestMessageId(period: DigestPeriod, subscriptionId: number, publicUrl: string): string {
  const tag = createHash('sha256').update(`${period.key}/${subscriptionId}/${publicUrl}`).digest('hex').slice(0, 12);
  return `<digest.${period.frequency}.${period.label}.s${subscriptionId}.${tag}@${hostOf(publicUrl).replace(/:\d+$/, '')}>`;
}

function rateLimiter(perSecond: number, wait: (ms: number) => Promise<void>): () => Promise<void> {
  if (perSecond <= 0) return async () => {};
  const interval = 1000 / perSecond;
  let nextAt = 0;
  return async () => {
    const now = performance.now();
    const at = Math.max(now, nextAt);
    nextAt = at + interval;
    if (at > now) await wait(at - now);
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'localhost';
  }
}

/** "Paperboy <paperboy@example.org>" -> "paperboy@example.org". */
export function addressOf(from: string): string | null {
  const m = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(from);
  return m ? m[1]! : null;
}
