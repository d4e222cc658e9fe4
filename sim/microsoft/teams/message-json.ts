/**
 * Graph JSON of a stored chat or channel message, as a reader sees it. Stored messages already hold the Graph
 * shape; this adds the `@odata.context` and hides nothing (reactions, mentions, attachments are all public).
 */
import type { ChatMessage } from '@microsoft/microsoft-graph-types';
import type { StoredMessage } from '../state.ts';

export function messageJson(m: StoredMessage): ChatMessage {
  return structuredClone(m.message);
}

export function messageKey(container: StoredMessage['container'], id: string): string {
  return container.kind === 'chat'
    ? `chat|${container.chatId}|${id}`
    : `channel|${container.channelId}|${id}`;
}
