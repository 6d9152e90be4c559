/**
 * Notification emails. A run sends what is due: under 'immediate', one email per notification (the jobs run it
 * every minute); under 'daily', one email per member with everything due under that choice (once a day, at
 * DIGEST_AT). Members choose per kind; off is the default, and only notifications made after the choice are
 * mailed.
 *
 * Exactly once across processes, as for digests (digest/send.ts): before an email goes out, the run claims its
 * notifications in one atomic statement, under a lease it renews while it lives; only the winner sends. A run
 * that dies leaves its claims to expire, and the next run sends them. A crash between the server's 250 and the
 * "sent" write sends that one email again, with the same Message-ID.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';
import type { Store } from '../store/store.ts';
import type { PendingEmail } from '../store/notification-store.ts';
import { classifySendError, hostOf, sleep } from '../digest/send.ts';
import { describeNotification, KIND_LABELS } from './describe.ts';
import { listIdName, mailSubject, readInstanceIdentity } from '../instance/identity.ts';
import { notificationUnsubscribeToken, type UnsubscribeScope } from './tokens.ts';

export type EmailRunMode = 'immediate' | 'daily';

export interface NotificationRunOptions {
  store: Store;
  mailer: Mailer;
  logger: Logger;
  config: Pick<Config, 'publicUrl' | 'digest'>;
  mode: EmailRunMode;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface NotificationRunSummary {
  mode: EmailRunMode;
  /** Emails this run sent. */
  sent: number;
  /** Notifications those emails carried. */
  notifications: number;
  deferred: number;
  failed: number;
  seconds: number;
}

const PAGE = 200;
/** Notifications in one daily email at most (more wait for the next day's). */
const BATCH_MAX = 100;

/** A run as the jobs and `paperboy notifications send` make it: the configured mailer, opened for the run. */
export async function sendNotificationEmails(
  options: Omit<NotificationRunOptions, 'mailer' | 'config'> & { config: Config },
): Promise<NotificationRunSummary> {
  const mailer = createMailer(options.config.mail, { pool: options.config.digest.concurrency });
  try {
    return await runNotificationEmails({ ...options, mailer });
  } finally {
    mailer.close();
  }
}

export async function runNotificationEmails(options: NotificationRunOptions): Promise<NotificationRunSummary> {
  const { store, logger, config, mode } = options;
  const started = performance.now();
  const now = options.now ?? (() => new Date());
  const summary: NotificationRunSummary = { mode, sent: 0, notifications: 0, deferred: 0, failed: 0, seconds: 0 };
  const runId = randomUUID();
  const leaseMs = config.digest.leaseSeconds * 1000;
  const leaseEnd = () => new Date(now().getTime() + leaseMs);
  const secret = await store.subscriptions.signingSecret();
  // Read once for the run, as a digest run does.
  const siteName = (await readInstanceIdentity(store)).name;
  const timer = setInterval(() => {
    store.notifications
      .renewEmailClaims(runId, leaseEnd())
      .catch((error: unknown) => logger.warn({ err: error }, 'could not renew the claims of this notification run'));
  }, leaseMs / 3);
  /** Claims the group's emails and sends what this run won (nothing when another run holds them). */
  const send = async (group: readonly PendingEmail[]) => {
    const won = new Set(
      await store.notifications.claimEmails(
        group.map((n) => n.id),
        runId,
        leaseEnd(),
        now(),
      ),
    );
    const mine = group.filter((n) => won.has(n.id));
    if (mine.length === 0) return;
    const outcome = await deliver(options, runId, secret, siteName, mine);
    await store.notifications.finishEmails(
      mine.map((n) => n.id),
      runId,
      outcome,
      now(),
    );
    if (outcome === 'sent') {
      summary.sent++;
      summary.notifications += mine.length;
    } else summary[outcome]++;
  };
  try {
    const before = now();
    if (mode === 'immediate') {
      // One email per notification, in the order they were made.
      for (let afterId = 0; ; ) {
        const page = await store.notifications.pendingEmails(mode, before, afterId, PAGE, now());
        for (const n of page) await send([n]);
        if (page.length < PAGE) break;
        afterId = page[page.length - 1]!.id;
      }
    } else {
      // One email per member with everything of theirs that is due (the oldest BATCH_MAX; any more go the next day).
      for (let afterMember = 0; ; ) {
        const members = await store.notifications.pendingEmailMembers(mode, before, afterMember, PAGE, now());
        for (const memberId of members)
          await send(await store.notifications.pendingEmails(mode, before, 0, BATCH_MAX, now(), memberId));
        if (members.length < PAGE) break;
        afterMember = members[members.length - 1]!;
      }
    }
  } finally {
    clearInterval(timer);
  }
  summary.seconds = (performance.now() - started) / 1000;
  if (summary.sent + summary.deferred + summary.failed > 0)
    logger.info({ ...summary, runId }, 'notification emails sent');
  return summary;
}

async function deliver(
  options: NotificationRunOptions,
  runId: string,
  secret: string,
  siteName: string,
  items: readonly PendingEmail[],
): Promise<'sent' | 'deferred' | 'failed'> {
  const { mailer, logger, config } = options;
  const first = items[0]!;
  const scope: UnsubscribeScope = items.length === 1 && options.mode === 'immediate' ? first.kind : 'all';
  const base = config.publicUrl;
  const unsubscribeUrl = `${base}/unsubscribe/notifications/${notificationUnsubscribeToken(secret, first.memberId, scope, first.email)}`;
  const message = composeEmail(base, siteName, items, scope, unsubscribeUrl, options.mode);
  const host = hostOf(base);
  const tag = createHash('sha256')
    .update(`${items.map((n) => n.id).join(',')}/${base}`)
    .digest('hex')
    .slice(0, 12);
  for (let attempt = 1; ; attempt++) {
    try {
      await mailer.send({
        to: first.email,
        subject: message.subject,
        text: message.text,
        messageId: `<notify.${options.mode}.${first.memberId}.${first.id}.${tag}@${host.replace(/:\d+$/, '')}>`,
        headers: {
          'List-Unsubscribe': `<${unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'List-Id': `${listIdName(siteName)} notifications <notifications.${host}>`,
          'Auto-Submitted': 'auto-generated',
        },
      });
      return 'sent';
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (classifySendError(error) === 'permanent') {
        logger.warn({ member: first.memberId, reason, runId }, 'notification email refused permanently');
        return 'failed';
      }
      if (attempt >= config.digest.attempts) {
        logger.warn({ member: first.memberId, reason, runId }, 'notification email deferred to the next run');
        return 'deferred';
      }
      await (options.sleep ?? sleep)(config.digest.backoffMs * 2 ** (attempt - 1));
    }
  }
}

/** The email's subject (led by the instance's name) and plain text. */
export function composeEmail(
  publicUrl: string,
  siteName: string,
  items: readonly PendingEmail[],
  scope: UnsubscribeScope,
  unsubscribeUrl: string,
  mode: EmailRunMode,
): { subject: string; text: string } {
  const described = items.map(describeNotification);
  const subject = mailSubject(
    siteName,
    mode === 'immediate' && described.length === 1
      ? described[0]!.headline
      : `${described.length} new notification${described.length === 1 ? '' : 's'}`,
  );
  const blocks = described.map(
    (d) => `${d.headline}\n${d.detail ? `  ${d.detail.replace(/\n/g, ' ')}\n` : ''}  ${publicUrl}${d.href}`,
  );
  const what = scope === 'all' ? 'notification emails' : `emails about: ${KIND_LABELS[scope].toLowerCase()}`;
  const text = `${blocks.join('\n\n')}

All your notifications: ${publicUrl}/notifications

Stop ${what}: ${unsubscribeUrl}
Choose what is emailed: ${publicUrl}/notifications#email
`;
  return { subject, text };
}
