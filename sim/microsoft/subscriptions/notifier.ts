/**
 * Change fan-out: resource modules report what changed (`ResourceChange`); the notifier matches subscriptions
 * and delivers. Modules never talk to subscriptions directly.
 */
export type ChangeType = 'created' | 'updated' | 'deleted';

export type ResourceChange =
  | { kind: 'event'; changeType: ChangeType; mailboxId: string; eventId: string; etag: string }
  | { kind: 'chatMessage'; changeType: ChangeType; chatId: string; messageId: string }
  | {
      kind: 'channelMessage';
      changeType: ChangeType;
      teamId: string;
      channelId: string;
      messageId: string;
      replyToId: string | null;
    }
  | { kind: 'presence'; changeType: 'updated'; userId: string };

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface DeliveryLogEntry {
  at: string;
  kind: 'validation' | 'notification' | 'lifecycle';
  url: string;
  attempt: number;
  /** HTTP status, 'timeout' / 'error' when no answer came, or the slow-endpoint policy's decision. */
  outcome: number | 'timeout' | 'error' | 'dropped-slow' | 'delayed-slow';
  subscriptionIds: string[];
  body: unknown;
}

export interface Notifier {
  /** Called after the state changed; must not throw into the caller and must not block it. */
  emit(change: ResourceChange): void;
  /**
   * The validation handshake of a subscription create (graph-api.md §5.1): POST `url?validationToken=…`,
   * expects 200 text/plain echoing the decoded token within the validation timeout. Throws Graph's 400s.
   */
  validate(url: string): Promise<void>;
  /** Sends a lifecycle notification for a subscription now (control API / expiry). */
  lifecycle(subscriptionId: string, event: LifecycleEvent): Promise<void>;
  /** Arms (or re-arms) the expiry timer of a subscription on the sim clock. */
  armExpiry(subscriptionId: string): void;
  /** The last deliveries, newest last (control API). */
  log(): DeliveryLogEntry[];
  /** Cancels timers (sim close / reset). */
  dispose(): void;
}

/** A notifier that does nothing: the placeholder while the sim context is being assembled. */
export const inertNotifier: Notifier = {
  emit() {},
  async validate() {},
  async lifecycle() {},
  armExpiry() {},
  log: () => [],
  dispose() {},
};
