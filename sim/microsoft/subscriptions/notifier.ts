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

export interface Notifier {
  /** Called after the state changed; must not throw into the caller and must not block it. */
  emit(change: ResourceChange): void;
  /** Cancels timers (sim close / reset). */
  dispose(): void;
}
