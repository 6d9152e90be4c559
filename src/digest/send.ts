/**
 * A digest run: compose the period's digest once, then deliver it to every active subscriber of that frequency
 * who has no final ledger row for the period. The ledger makes runs resumable: a run killed after k of n
 * messages sends the remaining n − k when run again, and a period is never sent twice to anyone it reached.
 *
 * Runs may overlap (a cron job and the in-process schedule, a button pressed twice, two processes): before a
 * message goes out, the run claims its ledger row in one atomic statement, and only the winner sends. A claim
 * is a lease that the live run keeps renewing; a run that dies leaves its claims to expire, and whichever run
 * is still going (or comes next) takes them over then. A run that met deliveries another run was sending does
 * not end before they are final: it waits for that run, or for its leases to end, and sends them itself.
 *
 * After the server's 250 the ledger says "sent". A crash between the 250 and that write (a window of a few
 * milliseconds per connection) leaves "sending", which a later run sends again once the lease ends, with the
 * same Message-ID: at most one duplicate per connection in flight at the crash, which receivers can recognise.
 *
 * Transient failures (SMTP 4xx, connection refused, time-outs) are retried with exponential back-off and left
 * "deferred" for the next run when they persist; permanent ones (5xx) are recorded as hard bounces, and a
 * subscription with too many in a row is suspended. Messages in flight and messages per second are bounded.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Store } from '../store/store.ts';
import type { Subscription } from '../store/subscription-store.ts';
import type { DigestConfig } from '../config.ts';
import type { DigestPeriod } from './digest-period.ts';
import { listIdName, readInstanceIdentity } from '../instance/identity.ts';
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
  /** Subscribers this run claimed and tried (those already final for the period are not counted). */
  attempted: number;
  /** Subscribers another run was sending to when this one reached them, and that it finished. */
  elsewhere: number;
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
  const summary: DigestRunSummary = {
    periodKey: period.key,
    papers: 0,
    attempted: 0,
    elsewhere: 0,
    sent: 0,
    deferred: 0,
    failed: 0,
    suspended: 0,
    seconds: 0,
    skipped: null,
  };
  const digest = await loadDigest(store, period, config.top);
  summary.papers = digest.papers.length;
  if (digest.papers.length === 0) {
    summary.skipped = `no papers for ${period.frequency} ${period.label}`;
    logger.info({ period: period.key }, 'digest skipped: no papers in the period');
    return summary;
  }
  const site = await readInstanceIdentity(store);
  const composed = composeDigest(digest, options.publicUrl, site);
  const secret = await store.subscriptions.signingSecret();
  const limiter = rateLimiter(config.rate, options.sleep ?? sleep);
  const now = options.now ?? (() => new Date());
  const runId = randomUUID();
  const leaseMs = config.leaseSeconds * 1000;
  const leaseEnd = () => new Date(now().getTime() + leaseMs);
  /** Claimed by this run, whatever the outcome: not tried again by a later pass. */
  const claimed = new Set<number>();
  const metElsewhere = new Set<number>();
  let waitingFor = 0;
  const stopRenewing = renewWhileRunning(options, runId, leaseEnd, leaseMs / 3);
  try {
    for (;;) {
      const heldElsewhere = new Set<number>();
      const next = recipientQueue(store, period, claimed);
      const worker = async () => {
        for (let subscription = await next(); subscription; subscription = await next()) {
          const messageId = digestMessageId(period, subscription.id, options.publicUrl);
          if (
            !(await store.subscriptions.claimDelivery(subscription.id, period.key, runId, messageId, leaseEnd(), now()))
          ) {
            heldElsewhere.add(subscription.id);
            continue;
          }
          claimed.add(subscription.id);
          summary.attempted++;
          const outcome = await deliver(options, runId, digest, composed, secret, subscription, messageId, limiter);
          summary[outcome]++;
          if (outcome === 'suspended') summary.failed++;
          options.onResult?.(outcome, subscription);
        }
      };
      await Promise.all(Array.from({ length: config.concurrency }, worker));
      if (heldElsewhere.size === 0) break;
      if (heldElsewhere.size !== waitingFor) {
        logger.info(
          { period: period.key, runId, deliveries: heldElsewhere.size },
          'waiting for deliveries another run has claimed',
        );
        waitingFor = heldElsewhere.size;
      }
      for (const id of heldElsewhere) metElsewhere.add(id);
      // A few looks per lease, at most every 5 s: another run's sends take a moment, a dead run's lease longer.
      await (options.sleep ?? sleep)(Math.min(5_000, Math.max(100, leaseMs / 4)));
    }
  } finally {
    stopRenewing();
  }
  summary.elsewhere = [...metElsewhere].filter((id) => !claimed.has(id)).length;
  summary.seconds = (performance.now() - started) / 1000;
  logger.info({ ...summary, runId }, 'digest run finished');
  return summary;
}

/** The live run's heartbeat: its claims never end while it runs, however slow a message is. */
function renewWhileRunning(
  options: DigestRunOptions,
  runId: string,
  leaseEnd: () => Date,
  everyMs: number,
): () => void {
  const { store, logger, period } = options;
  const timer = setInterval(() => {
    store.subscriptions
      .renewClaims(period.key, runId, leaseEnd())
      .catch((error: unknown) =>
        logger.warn({ err: error, period: period.key }, 'could not renew the claims of this digest run'),
      );
  }, everyMs);
  return () => clearInterval(timer);
}

/** Pages through pending recipients by id, leaving out those in `skip`; safe to call from several workers at once. */
function recipientQueue(
  store: Store,
  period: DigestPeriod,
  skip: ReadonlySet<number>,
): () => Promise<Subscription | null> {
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
        buffer = page.filter((subscription) => !skip.has(subscription.id));
        if (page.length < PAGE) done = true;
        if (page.length > 0) afterId = page[page.length - 1]!.id;
        refill = null;
      });
      await refill;
    }
  };
}

/** Sends one claimed delivery and records its outcome. */
async function deliver(
  options: DigestRunOptions,
  runId: string,
  digest: DigestContent,
  composed: ComposedDigest,
  secret: string,
  subscription: Subscription,
  messageId: string,
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
      logger.warn(
        { err: error, subscription: subscription.id },
        'for-you papers failed; sending the digest without them',
      );
    }
  }
  const parts = { unsubscribeUrl, forYou };
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
          'List-Id': `${listIdName(composed.siteName)} ${period.frequency} digest <${period.frequency}.digest.${hostOf(options.publicUrl)}>`,
          'Auto-Submitted': 'auto-generated',
        },
      });
      await store.subscriptions.markSent(subscription.id, period.key, now());
      return 'sent';
    } catch (error) {
      const reason = describeError(error);
      if (classifySendError(error) === 'permanent') {
        const { suspended } = await store.subscriptions.markFailed(
          subscription.id,
          period.key,
          reason,
          config.maxHardBounces,
          now(),
        );
        logger.warn(
          { subscription: subscription.id, period: period.key, reason, suspended },
          'digest refused permanently',
        );
        return suspended ? 'suspended' : 'failed';
      }
      if (attempt >= config.attempts) {
        await store.subscriptions.markDeferred(subscription.id, period.key, runId, reason, now());
        logger.warn(
          { subscription: subscription.id, period: period.key, reason, attempts: attempt },
          'digest deferred to the next run',
        );
        return 'deferred';
      }
      const wait = config.backoffMs * 2 ** (attempt - 1);
      logger.info(
        { subscription: subscription.id, reason, attempt, retryInMs: wait },
        'transient send failure; retrying',
      );
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

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The host (and port) of a URL, for Message-IDs and List-Id; localhost when it is no URL. */
export function hostOf(url: string): string {
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
