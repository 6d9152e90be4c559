/**
 * The digest facet on PostgreSQL: subscriptions, the send ledger and the signing secret. Its tables have no
 * data-version trigger: they appear on no cached page.
 */
import { randomBytes } from 'node:crypto';
import {
  emailKey,
  type Delivery,
  type DeliveryCounts,
  type DeliveryStatus,
  type DigestFrequency,
  type Subscription,
  type SubscriptionStore,
} from '../subscription-store.ts';
import type { Queryable, Runner } from './runner.ts';
import { rowToDelivery, rowToSubscription } from '../rows.ts';

const SUBSCRIPTION_COLUMNS = `id, email, frequency, status, created_at, confirmed_at, unsubscribed_at, hard_bounces, last_confirmation_at`;

export class PostgresSubscriptionStore implements SubscriptionStore {
  readonly #db: Runner;

  constructor(db: Runner) {
    this.#db = db;
  }

  async requestSubscription(
    email: string,
    frequency: DigestFrequency,
    now: Date,
  ): Promise<{ subscription: Subscription; created: boolean }> {
    const [inserted] = await this.#db.query(
      `
      INSERT INTO digest_subscriptions (email, email_key, frequency, status, created_at) VALUES ($1, $2, $3, 'pending', $4)
      ON CONFLICT (email_key) DO NOTHING RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [email.trim(), emailKey(email), frequency, now.toISOString()],
    );
    if (inserted) return { subscription: rowToSubscription(inserted), created: true };
    return { subscription: (await this.getSubscriptionByEmail(email))!, created: false };
  }

  async getSubscription(id: number): Promise<Subscription | null> {
    const [row] = await this.#db.query(`SELECT ${SUBSCRIPTION_COLUMNS} FROM digest_subscriptions WHERE id = $1`, [id]);
    return row ? rowToSubscription(row) : null;
  }

  async getSubscriptionByEmail(email: string): Promise<Subscription | null> {
    const [row] = await this.#db.query(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM digest_subscriptions WHERE email_key = $1`,
      [emailKey(email)],
    );
    return row ? rowToSubscription(row) : null;
  }

  async claimConfirmationSlot(id: number, minIntervalSeconds: number, now: Date): Promise<boolean> {
    const before = new Date(now.getTime() - minIntervalSeconds * 1000).toISOString();
    const rows = await this.#db.query(
      `UPDATE digest_subscriptions SET last_confirmation_at = $1
      WHERE id = $2 AND (last_confirmation_at IS NULL OR last_confirmation_at <= $3) RETURNING id`,
      [now.toISOString(), id, before],
    );
    return rows.length > 0;
  }

  async activate(id: number, frequency: DigestFrequency, now: Date): Promise<Subscription | null> {
    const [row] = await this.#db.query(
      `
      UPDATE digest_subscriptions SET status = 'active', frequency = $1, confirmed_at = coalesce(confirmed_at, $2),
        unsubscribed_at = NULL, hard_bounces = 0
      WHERE id = $3 RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [frequency, now.toISOString(), id],
    );
    return row ? rowToSubscription(row) : null;
  }

  async unsubscribe(id: number, now: Date): Promise<Subscription | null> {
    const [row] = await this.#db.query(
      `
      UPDATE digest_subscriptions SET status = 'unsubscribed', unsubscribed_at = coalesce(unsubscribed_at, $1)
      WHERE id = $2 RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [now.toISOString(), id],
    );
    return row ? rowToSubscription(row) : null;
  }

  async pendingRecipients(
    frequency: DigestFrequency,
    periodKey: string,
    afterId: number,
    limit: number,
  ): Promise<Subscription[]> {
    return (
      await this.#db.query(
        `
      SELECT ${SUBSCRIPTION_COLUMNS.split(', ')
        .map((c) => `s.${c}`)
        .join(', ')} FROM digest_subscriptions s
      WHERE s.frequency = $1 AND s.status = 'active' AND s.id > $2
        AND NOT EXISTS (SELECT 1 FROM digest_deliveries d
          WHERE d.subscription_id = s.id AND d.period_key = $3 AND d.status IN ('sent', 'failed'))
      ORDER BY s.id LIMIT $4`,
        [frequency, afterId, periodKey, limit],
      )
    ).map(rowToSubscription);
  }

  async countActive(frequency: DigestFrequency): Promise<number> {
    const [row] = await this.#db.query(
      `SELECT count(*) AS n FROM digest_subscriptions WHERE frequency = $1 AND status = 'active'`,
      [frequency],
    );
    return Number(row!.n);
  }

  async claimDelivery(
    subscriptionId: number,
    periodKey: string,
    runId: string,
    messageId: string,
    leaseUntil: Date,
    now: Date,
  ): Promise<boolean> {
    // ON CONFLICT DO UPDATE locks the existing row and evaluates WHERE on its latest version: of runs asking at
    // once, one inserts or updates, every other one waits for it and then finds the row taken.
    const won = await this.#db.query(
      `
      INSERT INTO digest_deliveries (subscription_id, period_key, status, attempts, message_id, claimed_by, lease_until, updated_at)
      VALUES ($1, $2, 'sending', 1, $3, $4, $5, $6)
      ON CONFLICT (subscription_id, period_key) DO UPDATE SET status = 'sending', attempts = digest_deliveries.attempts + 1,
        message_id = coalesce(digest_deliveries.message_id, excluded.message_id), claimed_by = excluded.claimed_by,
        lease_until = excluded.lease_until, updated_at = excluded.updated_at
      WHERE digest_deliveries.status = 'deferred'
        OR (digest_deliveries.status = 'sending' AND (digest_deliveries.lease_until IS NULL OR digest_deliveries.lease_until <= $6))
      RETURNING 1 AS won`,
      [subscriptionId, periodKey, messageId, runId, leaseUntil.toISOString(), now.toISOString()],
    );
    return won.length > 0;
  }

  async renewClaims(periodKey: string, runId: string, leaseUntil: Date): Promise<void> {
    await this.#db.query(
      `UPDATE digest_deliveries SET lease_until = $1 WHERE period_key = $2 AND status = 'sending' AND claimed_by = $3`,
      [leaseUntil.toISOString(), periodKey, runId],
    );
  }

  async markSent(subscriptionId: number, periodKey: string, now: Date): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await setFinal(tx, subscriptionId, periodKey, 'sent', null, now);
      await tx.query('UPDATE digest_subscriptions SET hard_bounces = 0 WHERE id = $1 AND hard_bounces <> 0', [
        subscriptionId,
      ]);
    });
  }

  async markDeferred(
    subscriptionId: number,
    periodKey: string,
    runId: string,
    error: string,
    now: Date,
  ): Promise<void> {
    await this.#db.query(
      `
      UPDATE digest_deliveries SET status = 'deferred', last_error = $1, lease_until = NULL, updated_at = $2
      WHERE subscription_id = $3 AND period_key = $4 AND status = 'sending' AND claimed_by = $5`,
      [error, now.toISOString(), subscriptionId, periodKey, runId],
    );
  }

  async markFailed(
    subscriptionId: number,
    periodKey: string,
    error: string,
    maxHardBounces: number,
    now: Date,
  ): Promise<{ suspended: boolean }> {
    return this.#db.transaction(async (tx) => {
      await setFinal(tx, subscriptionId, periodKey, 'failed', error, now);
      const [row] = await tx.query(
        'UPDATE digest_subscriptions SET hard_bounces = hard_bounces + 1 WHERE id = $1 RETURNING hard_bounces, status',
        [subscriptionId],
      );
      if (!row || Number(row.hard_bounces) < maxHardBounces || row.status !== 'active') return { suspended: false };
      await tx.query(`UPDATE digest_subscriptions SET status = 'suspended' WHERE id = $1`, [subscriptionId]);
      return { suspended: true };
    });
  }

  async getDelivery(subscriptionId: number, periodKey: string): Promise<Delivery | null> {
    const [row] = await this.#db.query(
      'SELECT * FROM digest_deliveries WHERE subscription_id = $1 AND period_key = $2',
      [subscriptionId, periodKey],
    );
    return row ? rowToDelivery(row) : null;
  }

  async deliveryCounts(periodKey: string): Promise<DeliveryCounts> {
    const counts: DeliveryCounts = { sending: 0, deferred: 0, sent: 0, failed: 0 };
    for (const row of await this.#db.query(
      'SELECT status, count(*) AS n FROM digest_deliveries WHERE period_key = $1 GROUP BY status',
      [periodKey],
    )) {
      counts[String(row.status) as DeliveryStatus] = Number(row.n);
    }
    return counts;
  }

  async signingSecret(): Promise<string> {
    // Whichever process inserts first wins; every other one reads the same value.
    await this.#db.query('INSERT INTO digest_secret (id, value) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
      randomBytes(32).toString('base64url'),
    ]);
    const [row] = await this.#db.query('SELECT value FROM digest_secret WHERE id = 1');
    return String(row!.value);
  }
}

/** What the SMTP server said is final whichever run asked it: the lease ends with it. */
async function setFinal(
  q: Queryable,
  subscriptionId: number,
  periodKey: string,
  status: 'sent' | 'failed',
  error: string | null,
  now: Date,
): Promise<void> {
  await q.query(
    `
    INSERT INTO digest_deliveries (subscription_id, period_key, status, attempts, last_error, updated_at) VALUES ($1, $2, $3, 1, $4, $5)
    ON CONFLICT (subscription_id, period_key) DO UPDATE SET status = excluded.status, lease_until = NULL,
      last_error = coalesce(excluded.last_error, digest_deliveries.last_error), updated_at = excluded.updated_at`,
    [subscriptionId, periodKey, status, error, now.toISOString()],
  );
}
