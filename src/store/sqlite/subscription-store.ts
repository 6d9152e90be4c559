/** The digest facet on SQLite: subscriptions, the send ledger and the signing secret. */
import { randomBytes } from 'node:crypto';
import type { SqliteDatabase } from './database.ts';
import {
  emailKey,
  type Delivery,
  type DeliveryCounts,
  type DeliveryStatus,
  type DigestFrequency,
  type Subscription,
  type SubscriptionStore,
} from '../subscription-store.ts';
import { rowToDelivery, rowToSubscription } from '../rows.ts';

const FINAL: DeliveryStatus[] = ['sent', 'failed'];

export class SqliteSubscriptionStore implements SubscriptionStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /**
   * A write transaction that leaves the store's data version alone: subscriptions and the ledger appear on no
   * cached page, and a digest run of 10,000 messages must not empty the page caches 10,000 times.
   */
  #transaction<T>(work: () => T): T {
    this.#db.raw.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.raw.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.raw.exec('ROLLBACK');
      throw error;
    }
  }

  async requestSubscription(
    email: string,
    frequency: DigestFrequency,
    now: Date,
  ): Promise<{ subscription: Subscription; created: boolean }> {
    return this.#transaction(() => {
      const inserted = this.#db
        .sql(`
        INSERT INTO digest_subscriptions (email, email_key, frequency, status, created_at) VALUES (?, ?, ?, 'pending', ?)
        ON CONFLICT (email_key) DO NOTHING RETURNING *`)
        .get(email.trim(), emailKey(email), frequency, now.toISOString());
      if (inserted) return { subscription: rowToSubscription(inserted), created: true };
      const row = this.#db.sql('SELECT * FROM digest_subscriptions WHERE email_key = ?').get(emailKey(email));
      return { subscription: rowToSubscription(row!), created: false };
    });
  }

  async getSubscription(id: number): Promise<Subscription | null> {
    const row = this.#db.sql('SELECT * FROM digest_subscriptions WHERE id = ?').get(id);
    return row ? rowToSubscription(row) : null;
  }

  async getSubscriptionByEmail(email: string): Promise<Subscription | null> {
    const row = this.#db.sql('SELECT * FROM digest_subscriptions WHERE email_key = ?').get(emailKey(email));
    return row ? rowToSubscription(row) : null;
  }

  async claimConfirmationSlot(id: number, minIntervalSeconds: number, now: Date): Promise<boolean> {
    const before = new Date(now.getTime() - minIntervalSeconds * 1000).toISOString();
    const result = this.#db
      .sql(`
      UPDATE digest_subscriptions SET last_confirmation_at = ?
      WHERE id = ? AND (last_confirmation_at IS NULL OR last_confirmation_at <= ?)`)
      .run(now.toISOString(), id, before);
    return Number(result.changes) > 0;
  }

  async activate(id: number, frequency: DigestFrequency, now: Date): Promise<Subscription | null> {
    const row = this.#db
      .sql(`
      UPDATE digest_subscriptions SET status = 'active', frequency = ?, confirmed_at = coalesce(confirmed_at, ?),
        unsubscribed_at = NULL, hard_bounces = 0
      WHERE id = ? RETURNING *`)
      .get(frequency, now.toISOString(), id);
    return row ? rowToSubscription(row) : null;
  }

  async unsubscribe(id: number, now: Date): Promise<Subscription | null> {
    const row = this.#db
      .sql(`
      UPDATE digest_subscriptions SET status = 'unsubscribed', unsubscribed_at = coalesce(unsubscribed_at, ?)
      WHERE id = ? RETURNING *`)
      .get(now.toISOString(), id);
    return row ? rowToSubscription(row) : null;
  }

  async pendingRecipients(
    frequency: DigestFrequency,
    periodKey: string,
    afterId: number,
    limit: number,
  ): Promise<Subscription[]> {
    return this.#db
      .sql(`
      SELECT s.* FROM digest_subscriptions s
      WHERE s.frequency = ? AND s.status = 'active' AND s.id > ?
        AND NOT EXISTS (SELECT 1 FROM digest_deliveries d
          WHERE d.subscription_id = s.id AND d.period_key = ? AND d.status IN (?, ?))
      ORDER BY s.id LIMIT ?`)
      .all(frequency, afterId, periodKey, ...FINAL, limit)
      .map(rowToSubscription);
  }

  async countActive(frequency: DigestFrequency): Promise<number> {
    const row = this.#db
      .sql(`SELECT count(*) AS n FROM digest_subscriptions WHERE frequency = ? AND status = 'active'`)
      .get(frequency);
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
    // One statement, and SQLite has one writer at a time: of runs asking at once, the first one's row makes
    // every later one's WHERE false.
    const won = this.#db
      .sql(`
      INSERT INTO digest_deliveries (subscription_id, period_key, status, attempts, message_id, claimed_by, lease_until, updated_at)
      VALUES (?, ?, 'sending', 1, ?, ?, ?, ?)
      ON CONFLICT (subscription_id, period_key) DO UPDATE SET status = 'sending', attempts = attempts + 1,
        message_id = coalesce(digest_deliveries.message_id, excluded.message_id), claimed_by = excluded.claimed_by,
        lease_until = excluded.lease_until, updated_at = excluded.updated_at
      WHERE digest_deliveries.status = 'deferred'
        OR (digest_deliveries.status = 'sending' AND (digest_deliveries.lease_until IS NULL OR digest_deliveries.lease_until <= ?))
      RETURNING 1 AS won`)
      .get(subscriptionId, periodKey, messageId, runId, leaseUntil.toISOString(), now.toISOString(), now.toISOString());
    return won !== undefined;
  }

  async renewClaims(periodKey: string, runId: string, leaseUntil: Date): Promise<void> {
    this.#db
      .sql(
        `UPDATE digest_deliveries SET lease_until = ? WHERE period_key = ? AND status = 'sending' AND claimed_by = ?`,
      )
      .run(leaseUntil.toISOString(), periodKey, runId);
  }

  async markSent(subscriptionId: number, periodKey: string, now: Date): Promise<void> {
    this.#transaction(() => {
      this.#setFinal(subscriptionId, periodKey, 'sent', null, now);
      this.#db
        .sql('UPDATE digest_subscriptions SET hard_bounces = 0 WHERE id = ? AND hard_bounces <> 0')
        .run(subscriptionId);
    });
  }

  async markDeferred(
    subscriptionId: number,
    periodKey: string,
    runId: string,
    error: string,
    now: Date,
  ): Promise<void> {
    this.#db
      .sql(`
      UPDATE digest_deliveries SET status = 'deferred', last_error = ?, lease_until = NULL, updated_at = ?
      WHERE subscription_id = ? AND period_key = ? AND status = 'sending' AND claimed_by = ?`)
      .run(error, now.toISOString(), subscriptionId, periodKey, runId);
  }

  async markFailed(
    subscriptionId: number,
    periodKey: string,
    error: string,
    maxHardBounces: number,
    now: Date,
  ): Promise<{ suspended: boolean }> {
    return this.#transaction(() => {
      this.#setFinal(subscriptionId, periodKey, 'failed', error, now);
      const row = this.#db
        .sql(`
        UPDATE digest_subscriptions SET hard_bounces = hard_bounces + 1 WHERE id = ? RETURNING hard_bounces, status`)
        .get(subscriptionId);
      if (!row || Number(row.hard_bounces) < maxHardBounces || row.status !== 'active') return { suspended: false };
      this.#db.sql(`UPDATE digest_subscriptions SET status = 'suspended' WHERE id = ?`).run(subscriptionId);
      return { suspended: true };
    });
  }

  /** What the SMTP server said is final whichever run asked it: the lease ends with it. */
  #setFinal(
    subscriptionId: number,
    periodKey: string,
    status: 'sent' | 'failed',
    error: string | null,
    now: Date,
  ): void {
    this.#db
      .sql(`
      INSERT INTO digest_deliveries (subscription_id, period_key, status, attempts, last_error, updated_at) VALUES (?, ?, ?, 1, ?, ?)
      ON CONFLICT (subscription_id, period_key) DO UPDATE SET status = excluded.status, lease_until = NULL,
        last_error = coalesce(excluded.last_error, digest_deliveries.last_error), updated_at = excluded.updated_at`)
      .run(subscriptionId, periodKey, status, error, now.toISOString());
  }

  async getDelivery(subscriptionId: number, periodKey: string): Promise<Delivery | null> {
    const row = this.#db
      .sql('SELECT * FROM digest_deliveries WHERE subscription_id = ? AND period_key = ?')
      .get(subscriptionId, periodKey);
    return row ? rowToDelivery(row) : null;
  }

  async deliveryCounts(periodKey: string): Promise<DeliveryCounts> {
    const counts: DeliveryCounts = { sending: 0, deferred: 0, sent: 0, failed: 0 };
    for (const row of this.#db
      .sql('SELECT status, count(*) AS n FROM digest_deliveries WHERE period_key = ? GROUP BY status')
      .all(periodKey)) {
      counts[String(row.status) as DeliveryStatus] = Number(row.n);
    }
    return counts;
  }

  async signingSecret(): Promise<string> {
    // Whichever process inserts first wins; every other one reads the same value.
    this.#db
      .sql('INSERT INTO digest_secret (id, value) VALUES (1, ?) ON CONFLICT (id) DO NOTHING')
      .run(randomBytes(32).toString('base64url'));
    return String(this.#db.sql('SELECT value FROM digest_secret WHERE id = 1').get()!.value);
  }
}
