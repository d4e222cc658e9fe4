/**
 * Graph JSON of a stored chat or channel message, as a reader sees it. Stored messages already hold the Graph
 * shape; nothing is hidden (reactions, mentions, attachments are all public) except the system-event enum.
 */
import type { ChatMessage } from '@microsoft/microsoft-graph-types';
import type { StoredMessage } from '../state.ts';

/**
 * `includeUnknownEnums`: the caller sent `Prefer: include-unknown-enum-members`. Without it Graph reports
 * system events as messageType `unknownFutureValue` (graph-api.md §4.4), and so does the sim.
 */
export function messageJson(m: StoredMessage, includeUnknownEnums = false): ChatMessage {
  const out = structuredClone(m.message);
  if (out.messageType === 'systemEventMessage' && !includeUnknownEnums)
    out.messageType = 'unknownFutureValue';
  return out;
}

export function wantsUnknownEnums(prefer: string | undefined): boolean {
  return /(^|,)\s*include-unknown-enum-members\s*(,|$)/i.test(prefer ?? '');
}

export function messageKey(container: StoredMessage['container'], id: string): string {
  return container.kind === 'chat'
    ? `chat|${container.chatId}|${id}`
    : `channel|${container.channelId}|${id}`;
}
