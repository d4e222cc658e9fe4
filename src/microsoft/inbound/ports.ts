/**
 * What the webhook receiver needs from the rest of the product. The composition root implements them over
 * src/store (microsoft-notification.ts, microsoft-subscription.ts) and src/jobs.
 */

/** A verified notification about to be recorded. */
export interface InboundNotificationRow {
  /** Same notification delivered again → same key (sha256 of the subscription and the body). */
  dedupeKey: string;
  kind: 'change' | 'lifecycle';
  /** Our subscription row id (stable when Graph's subscription is recreated). */
  subscriptionId: string;
  /** The notification JSON without its clientState. */
  body: string;
}

export interface NotificationInbox {
  /**
   * Durably records the rows and enqueues one processing job per new row in the same transaction, then
   * returns the rows that were new. A row whose key is still pending is skipped (redelivery). Must finish
   * well within Graph's 3 s: it only writes.
   */
  record(items: readonly InboundNotificationRow[]): Promise<readonly unknown[]>;
}

export interface SubscriptionLookup {
  getByGraphId(graphId: string): Promise<{ id: string; clientStateHash: string | null } | undefined>;
}
