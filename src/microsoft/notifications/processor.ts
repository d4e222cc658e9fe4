import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { NotificationCertificates } from '../subscriptions/certificates.ts';
import type { SubscriptionStore } from '../subscriptions/ports.ts';
import type { SubscriptionManager } from '../subscriptions/subscription-manager.ts';
import { decryptResource } from './decrypt.ts';
import {
  changeNotificationSchema,
  type GraphNotification,
  type LifecycleEvent,
} from './notification-schema.ts';
import '../errors.ts'; // registers this folder's MM365_* codes, so AppError knows their HTTP status

/** A recorded notification as the store returns it. */
export interface StoredNotification {
  id: string;
  kind: 'change' | 'lifecycle';
  subscriptionId: string;
  body: string;
  processedAt: Date | null;
}

export interface NotificationStore {
  get(id: string): Promise<StoredNotification | undefined>;
  markProcessed(id: string, at: Date): Promise<void>;
  /** Marks rows pending since before `receivedBefore` processed (their job gave up). */
  abandonPending(receivedBefore: Date, at: Date): Promise<number>;
  purgeProcessed(before: Date): Promise<number>;
}

/**
 * What a feature provides for each subscription kind it creates. Both run inside a job: at least once (so
 * idempotent), one at a time per subscription, in arrival order; throwing makes the job retry.
 */
export interface SubscriptionHandler {
  /** A verified change notification (rich content already decrypted into `content`). */
  onChange(notification: GraphNotification): Promise<void>;
  /**
   * Graph may have dropped notifications (`missed`, or the subscription was removed and recreated): catch up
   * from the feature's stored delta cursor.
   */
  onCatchUp(
    subscription: GraphNotification['subscription'],
    reason: 'missed' | 'subscriptionRemoved',
  ): Promise<void>;
}

export interface NotificationProcessorDeps {
  notifications: NotificationStore;
  subscriptions: SubscriptionStore;
  manager: SubscriptionManager;
  certificates: NotificationCertificates;
  clock: Clock;
  log: Logger;
}

/**
 * The job side of the webhook (house style rule 5: the route recorded and acked; this does the work).
 * `process(id)` is the handler of the notification queue: it dispatches a change to its kind's handler,
 * and acts on lifecycle events (reauthorizationRequired → reauthorize; subscriptionRemoved → recreate, then
 * catch up; missed → catch up). A processed row is skipped, so a job that runs twice does the work once.
 */
export class NotificationProcessor {
  readonly #deps: NotificationProcessorDeps;
  readonly #handlers = new Map<string, SubscriptionHandler>();

  constructor(deps: NotificationProcessorDeps) {
    this.#deps = deps;
  }

  /** Registers the handler for a subscription kind; call at start-up, once per kind. */
  register(kind: string, handler: SubscriptionHandler): void {
    if (this.#handlers.has(kind)) throw new Error(`subscription kind ${kind} already has a handler`);
    this.#handlers.set(kind, handler);
  }

  /** Runs the kind's catch-up for a subscription that may have missed notifications (no job: the caller's context). */
  async catchUp(
    sub: { id: string; kind: string; ownerKey: string; resource: string },
    reason: 'missed' | 'subscriptionRemoved',
  ): Promise<void> {
    const { id, kind, ownerKey, resource } = sub;
    await this.#handlers.get(kind)?.onCatchUp({ id, kind, ownerKey, resource }, reason);
  }

  /**
   * Daily housekeeping: rows pending for over a day are abandoned (logged; their job exhausted its retries,
   * and a pending key would swallow later deliveries of the same content), processed rows older than a
   * week are deleted.
   */
  async housekeeping(): Promise<{ abandoned: number; purged: number }> {
    const now = this.#deps.clock.now();
    const abandoned = await this.#deps.notifications.abandonPending(
      new Date(now - 86_400_000),
      new Date(now),
    );
    if (abandoned > 0)
      this.#deps.log.warn({ abandoned }, 'Graph notifications abandoned after their retries');
    const purged = await this.#deps.notifications.purgeProcessed(new Date(now - 7 * 86_400_000));
    return { abandoned, purged };
  }

  async process(id: string): Promise<'processed' | 'skipped'> {
    const { notifications, subscriptions, manager, clock, log } = this.#deps;
    const row = await notifications.get(id);
    if (!row || row.processedAt) return 'skipped';
    const sub = await subscriptions.get(row.subscriptionId);
    if (!sub) {
      // Disconnected since: nothing to do for it.
      await notifications.markProcessed(id, new Date(clock.now()));
      return 'skipped';
    }
    const subscription = { id: sub.id, kind: sub.kind, ownerKey: sub.ownerKey, resource: sub.resource };
    const handler = this.#handlers.get(sub.kind);
    const n = changeNotificationSchema.parse(JSON.parse(row.body));
    if (row.kind === 'lifecycle') {
      const event = n.lifecycleEvent as LifecycleEvent | undefined;
      if (event === 'reauthorizationRequired') await manager.reauthorize(sub.id);
      else if (event === 'subscriptionRemoved') {
        await manager.recreate(sub.id);
        await handler?.onCatchUp(subscription, 'subscriptionRemoved');
      } else if (event === 'missed') await handler?.onCatchUp(subscription, 'missed');
      else log.warn({ event, subscription: sub.id }, 'unknown lifecycle event ignored');
    } else if (handler) {
      const notification: GraphNotification = {
        subscription,
        changeType: n.changeType ?? 'updated',
        resource: n.resource ?? '',
        resourceData: n.resourceData ?? {},
        tenantId: n.tenantId,
      };
      if (n.encryptedContent) {
        const cert = await this.#deps.certificates.get(n.encryptedContent.encryptionCertificateId);
        if (!cert) {
          throw new AppError(
            'MM365_NOTIFICATION_DECRYPT_FAILED',
            `No certificate ${n.encryptedContent.encryptionCertificateId} to decrypt a rich notification.`,
          );
        }
        notification.content = decryptResource(n.encryptedContent, cert.privateKeyPem);
      }
      await handler.onChange(notification);
    } else {
      log.warn({ kind: sub.kind }, 'no handler registered for this subscription kind; notification dropped');
    }
    await notifications.markProcessed(id, new Date(clock.now()));
    return 'processed';
  }
}
