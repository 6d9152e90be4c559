/**
 * The digest facet of the store: email subscriptions (double opt-in), the send ledger that makes a digest run
 * resumable, bounce counts, and the secret that signs confirmation and unsubscribe links.
 *
 * Written for any backend: plain values in and out, every state change one atomic statement or transaction,
 * timestamps passed in by the caller (so tests and several processes agree on "now").
 */

export type DigestFrequency = 'daily' | 'weekly';

/**
 * pending: asked for, not confirmed (nothing is sent but the confirmation);
 * active: confirmed, receives digests; unsubscribed: stopped by the subscriber;
 * suspended: stopped after too many hard bounces.
 */
export type SubscriptionStatus = 'pending' | 'active' | 'unsubscribed' | 'suspended';

export interface Subscription {
  id: number;
  /** As typed, trimmed; matched case-insensitively (see emailKey). */
  email: string;
  frequency: DigestFrequency;
  status: SubscriptionStatus;
  createdAt: string;
  confirmedAt: string | null;
  unsubscribedAt: string | null;
  /** Hard bounces in a row (a successful delivery resets it). */
  hardBounces: number;
  /** When the last confirmation email went out (limits how often one address can be mailed). */
  lastConfirmationAt: string | null;
}

/** pending: no ledger row yet; sending: claimed by a run until its lease ends (a run that died leaves it to
 *  expire, then it is sent again); deferred: a transient failure — sent again by the next run; sent and failed
 *  (permanent) are final. */
export type DeliveryStatus = 'sending' | 'deferred' | 'sent' | 'failed';

export interface Delivery {
  subscriptionId: number;
  /** "daily:2026-07-24" or "weekly:2026-W30". */
  periodKey: string;
  status: DeliveryStatus;
  attempts: number;
  messageId: string | null;
  lastError: string | null;
  /** The run that claimed it last (a random id per run). */
  claimedBy: string | null;
  /** While `sending`: no other run may take it before this time (ISO). */
  leaseUntil: string | null;
  updatedAt: string;
}

export interface DeliveryCounts {
  sending: number;
  deferred: number;
  sent: number;
  failed: number;
}

export interface SubscriptionStore {
  /**
   * Finds the subscription of this address or creates a pending one. An existing subscription keeps its
   * status and frequency: only a confirmation link changes them.
   */
  requestSubscription(
    email: string,
    frequency: DigestFrequency,
    now: Date,
  ): Promise<{ subscription: Subscription; created: boolean }>;
  getSubscription(id: number): Promise<Subscription | null>;
  getSubscriptionByEmail(email: string): Promise<Subscription | null>;
  /**
   * Records that a confirmation email may go out now, unless one went out less than `minIntervalSeconds`
   * ago (then false). Atomic: two processes asked at once send one email.
   */
  claimConfirmationSlot(id: number, minIntervalSeconds: number, now: Date): Promise<boolean>;
  /** Makes the subscription active with this frequency (from pending, unsubscribed or suspended). */
  activate(id: number, frequency: DigestFrequency, now: Date): Promise<Subscription | null>;
  unsubscribe(id: number, now: Date): Promise<Subscription | null>;

  /** Active subscriptions of a frequency with id > afterId that have no final ledger row for the period, by id. */
  pendingRecipients(
    frequency: DigestFrequency,
    periodKey: string,
    afterId: number,
    limit: number,
  ): Promise<Subscription[]>;
  countActive(frequency: DigestFrequency): Promise<number>;

  /**
   * Claims the delivery for run `runId` until `leaseUntil`, in one atomic statement: it wins when there is no
   * ledger row yet, or the row is deferred, or it is sending under a lease that ended by `now` (its run died).
   * It loses when the delivery is final or another run's lease still holds; of any number of runs asking at
   * once, exactly one wins. A win sets status sending and attempts + 1, and keeps the first message id.
   */
  claimDelivery(
    subscriptionId: number,
    periodKey: string,
    runId: string,
    messageId: string,
    leaseUntil: Date,
    now: Date,
  ): Promise<boolean>;
  /** Extends to `leaseUntil` the lease of every delivery of the period that run `runId` is still sending (a live
   *  run's heartbeat, so that a slow message is never taken over). */
  renewClaims(periodKey: string, runId: string, leaseUntil: Date): Promise<void>;
  /** Final success: status sent, and the subscription's hard-bounce count back to 0. */
  markSent(subscriptionId: number, periodKey: string, now: Date): Promise<void>;
  /** A transient failure: the next run tries again. Only while run `runId` holds the claim (a run whose lease
   *  was taken over does not release the new holder's claim). */
  markDeferred(subscriptionId: number, periodKey: string, runId: string, error: string, now: Date): Promise<void>;
  /**
   * A permanent failure (hard bounce): status failed, hard bounces + 1, and the subscription suspended when
   * it reaches `maxHardBounces`. Returns whether it was suspended by this call.
   */
  markFailed(
    subscriptionId: number,
    periodKey: string,
    error: string,
    maxHardBounces: number,
    now: Date,
  ): Promise<{ suspended: boolean }>;
  getDelivery(subscriptionId: number, periodKey: string): Promise<Delivery | null>;
  deliveryCounts(periodKey: string): Promise<DeliveryCounts>;

  /** The HMAC key of signed links, created once and shared by every process on this store. */
  signingSecret(): Promise<string>;
}

/** The key an address is matched by: trimmed and lower-cased (local parts are case-insensitive in practice). */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}
