/**
 * The Teams message store (graph-api.md §4.4–4.6): post (with mentions, hosted contents and attachments
 * checked against the HTML body), edit, soft delete / undo, reactions. Chat and channel messages share the
 * rules; the container decides URLs and notification resources.
 *
 * Semantics: an edit sets `lastEditedDateTime` and `lastModifiedDateTime`; a reaction only
 * `lastModifiedDateTime` (plus messageHistory); a soft delete sets `deletedDateTime`, empties the body and
 * notifies `deleted` (assumption, graph-api.md §11: Graph may send `updated` instead; clients must handle both).
 */
import type {
  ChatMessage,
  ChatMessageAttachment,
  ChatMessageMention,
  ChatMessageReaction,
  TeamworkUserIdentity,
} from '@microsoft/microsoft-graph-types';
import { graphInstant } from '../calendar/time-zones.ts';
import type { SimContext } from '../context.ts';
import { badRequest, GraphError } from '../graph-error.ts';
import { opaqueId } from '../ids.ts';
import type { HostedContentRecord, StoredMessage, UserRecord } from '../state.ts';
import { messageKey } from './message-json.ts';

type Container = StoredMessage['container'];

/** Teams' documented message size ceiling ("approximately 28 KB"). */
export const MAX_BODY_BYTES = 28 * 1024;
type Json = Record<string, unknown>;

/** Where a message lives in Graph's URL space (no version prefix). */
export function messagePath(container: Container, id: string, replyToId: string | null): string {
  if (container.kind === 'chat') return `chats/${container.chatId}/messages/${id}`;
  const root = `teams/${container.teamId}/channels/${container.channelId}/messages`;
  return replyToId ? `${root}/${replyToId}/replies/${id}` : `${root}/${id}`;
}

function emit(ctx: SimContext, m: StoredMessage, changeType: 'created' | 'updated' | 'deleted'): void {
  m.seq = ++ctx.state.messageSeq;
  const c = m.container;
  if (c.kind === 'chat') {
    const chat = ctx.state.chats.get(c.chatId);
    if (chat) chat.lastUpdatedAt = ctx.clock.now();
    ctx.notifier.emit({ kind: 'chatMessage', changeType, chatId: c.chatId, messageId: m.message.id ?? '' });
  } else {
    ctx.notifier.emit({
      kind: 'channelMessage',
      changeType,
      teamId: c.teamId,
      channelId: c.channelId,
      messageId: m.message.id ?? '',
      replyToId: m.message.replyToId ?? null,
    });
  }
}

/** Message ids are epoch-ms strings, strictly increasing within the sim (two posts in one ms get ms+1). */
function nextMessageId(ctx: SimContext, now: number): string {
  ctx.state.lastMessageId = Math.max(ctx.state.lastMessageId + 1, now);
  return String(ctx.state.lastMessageId);
}

/** `from.user` is a teamworkUserIdentity on the wire (it carries userIdentityType, which IdentitySet's type lacks). */
function sender(u: UserRecord): ChatMessage['from'] {
  const user: TeamworkUserIdentity & { '@odata.type': string } = {
    '@odata.type': '#microsoft.graph.teamworkUserIdentity',
    id: u.id,
    displayName: u.displayName,
    userIdentityType: 'aadUser',
  };
  return { application: null, device: null, user };
}

interface ParsedContent {
  body: { contentType: 'text' | 'html'; content: string };
  mentions: ChatMessageMention[];
  attachments: ChatMessageAttachment[];
  subject: string | null;
  importance: 'normal' | 'high' | 'urgent';
  hosted: { temporaryId: string; contentType: string; bytes: Buffer }[];
  /** System events only (never from a client): the eventDetail; makes messageType systemEventMessage. */
  system: ChatMessage['eventDetail'];
}

/** Validates a post/patch body the way Graph does; throws 400 with the reason. */
export function parseMessageInput(
  ctx: SimContext,
  input: unknown,
  requireBody: boolean,
): Partial<ParsedContent> {
  if (!input || typeof input !== 'object') throw badRequest('Missing message body.');
  const b = input as Json;
  const out: Partial<ParsedContent> = {};
  if (b.body !== undefined || requireBody) {
    const body = b.body as Json | undefined;
    if (!body || typeof body.content !== 'string') throw badRequest('Missing required body.content.');
    const ct = String(body.contentType ?? 'text').toLowerCase();
    if (ct !== 'text' && ct !== 'html') throw badRequest(`Invalid body.contentType '${ct}'.`);
    out.body = { contentType: ct, content: body.content };
    // Teams caps a message at about 28 KB (HTML included); the exact status and wording are [inf].
    if (Buffer.byteLength(body.content, 'utf8') > MAX_BODY_BYTES) {
      throw new GraphError(
        413,
        'RequestEntityTooLarge',
        'The message body exceeds the maximum size of 28 KB.',
      );
    }
  }
  const content = out.body?.content ?? '';
  if (b.mentions !== undefined) {
    if (!Array.isArray(b.mentions)) throw badRequest("'mentions' must be an array.");
    out.mentions = (b.mentions as Json[]).map((m) => {
      const mentioned = (m.mentioned ?? {}) as Json;
      const user = mentioned.user as Json | undefined;
      if (user && !ctx.state.users.has(String(user.id)))
        throw badRequest(`Mentioned user '${String(user.id)}' was not found.`);
      return {
        id: Number(m.id),
        mentionText: String(m.mentionText ?? ''),
        mentioned: mentioned as ChatMessageMention['mentioned'],
      };
    });
  }
  if (out.body) {
    const atIds = [...content.matchAll(/<at\s+id="(\d+)"[^>]*>/gi)].map((x) => Number(x[1]));
    const declared = (out.mentions ?? []).map((m) => m.id);
    for (const id of atIds)
      if (!declared.includes(id))
        throw badRequest(`The mention with id '${id}' in the body has no entry in 'mentions'.`);
    for (const id of declared)
      if (!atIds.includes(id ?? -1))
        throw badRequest(`The mention with id '${id}' is not referenced in the body.`);
    if (out.body.contentType === 'text' && atIds.length > 0)
      throw badRequest('Mentions require an html body.');
  }
  if (b.attachments !== undefined) {
    if (!Array.isArray(b.attachments)) throw badRequest("'attachments' must be an array.");
    out.attachments = (b.attachments as Json[]).map((a) => {
      const id = String(a.id ?? '');
      if (!id) throw badRequest('Every attachment needs an id.');
      if (
        out.body &&
        !new RegExp(`<attachment\\s+id="${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`, 'i').test(content)
      ) {
        throw badRequest(`Attachment '${id}' is not referenced in the message body.`);
      }
      if (a.contentType === 'reference') {
        const ext = (s: string) => (/\.([A-Za-z0-9]+)$/.exec(s.split('?')[0] ?? '')?.[1] ?? '').toLowerCase();
        if (ext(String(a.contentUrl ?? '')) !== ext(String(a.name ?? ''))) {
          throw badRequest('contentUrl extension and name extension do not match');
        }
      }
      return {
        id,
        contentType: String(a.contentType ?? ''),
        contentUrl: (a.contentUrl as string) ?? null,
        content: (a.content as string) ?? null,
        name: (a.name as string) ?? null,
        thumbnailUrl: (a.thumbnailUrl as string) ?? null,
        teamsAppId: null,
      };
    });
  }
  if (b.hostedContents !== undefined) {
    if (!Array.isArray(b.hostedContents)) throw badRequest("'hostedContents' must be an array.");
    out.hosted = (b.hostedContents as Json[]).map((h) => {
      const temporaryId = String(h['@microsoft.graph.temporaryId'] ?? '');
      if (!temporaryId || typeof h.contentBytes !== 'string')
        throw badRequest('hostedContents need @microsoft.graph.temporaryId and contentBytes.');
      const bytes = Buffer.from(h.contentBytes, 'base64');
      if (bytes.length > 4 * 1024 * 1024)
        throw badRequest('Hosted content exceeds the maximum size of 4 MB.');
      if (out.body && !content.includes(`../hostedContents/${temporaryId}/$value`)) {
        throw badRequest(`Hosted content '${temporaryId}' is not referenced in the message body.`);
      }
      return { temporaryId, contentType: String(h.contentType ?? 'image/png'), bytes };
    });
  }
  if (b.subject !== undefined) out.subject = b.subject === null ? null : String(b.subject);
  if (b.importance !== undefined) {
    if (!['normal', 'high', 'urgent'].includes(String(b.importance)))
      throw badRequest(`Invalid importance '${String(b.importance)}'.`);
    out.importance = b.importance as ParsedContent['importance'];
  }
  return out;
}

/** Posts a message (or a channel reply when `replyToId` is set) as `author`. */
export function postMessage(
  ctx: SimContext,
  container: Container,
  author: UserRecord | null,
  input: Partial<ParsedContent>,
  replyToId: string | null = null,
): StoredMessage {
  const now = ctx.clock.now();
  const id = nextMessageId(ctx, now);
  const path = messagePath(container, id, replyToId);
  const hostedContents: HostedContentRecord[] = [];
  let content = input.body?.content ?? '';
  for (const h of input.hosted ?? []) {
    const hc: HostedContentRecord = { id: opaqueId(60), contentType: h.contentType, bytes: h.bytes };
    hostedContents.push(hc);
    content = content
      .split(`../hostedContents/${h.temporaryId}/$value`)
      .join(`${ctx.urls.graph}/${path}/hostedContents/${hc.id}/$value`);
  }
  const tenantId = ctx.state.tenant.id;
  const message: ChatMessage = {
    id,
    replyToId,
    etag: String(now),
    messageType: input.system ? 'systemEventMessage' : 'message',
    createdDateTime: graphInstant(now).replace(/0000Z$/, 'Z'),
    lastModifiedDateTime: graphInstant(now).replace(/0000Z$/, 'Z'),
    lastEditedDateTime: null,
    deletedDateTime: null,
    subject: input.subject ?? null,
    summary: null,
    chatId: container.kind === 'chat' ? container.chatId : null,
    importance: input.importance ?? 'normal',
    locale: 'en-us',
    webUrl:
      container.kind === 'chat'
        ? `https://teams.microsoft.com/l/message/${encodeURIComponent(container.chatId)}/${id}?tenantId=${tenantId}&context=%7B%22contextType%22%3A%22chat%22%7D`
        : `https://teams.microsoft.com/l/message/${encodeURIComponent(container.channelId)}/${id}?groupId=${container.teamId}&tenantId=${tenantId}&parentMessageId=${replyToId ?? id}`,
    channelIdentity:
      container.kind === 'channel' ? { teamId: container.teamId, channelId: container.channelId } : null,
    policyViolation: null,
    eventDetail: input.system ?? null,
    from: author ? sender(author) : null,
    body: { contentType: input.body?.contentType ?? 'text', content },
    attachments: input.attachments ?? [],
    mentions: input.mentions ?? [],
    reactions: [],
    messageHistory: [],
  };
  const stored: StoredMessage = {
    key: messageKey(container, id),
    container,
    message,
    hostedContents,
    seq: 0,
    deletedBody: null,
  };
  ctx.state.messages.set(stored.key, stored);
  emit(ctx, stored, 'created');
  return stored;
}

export function findMessage(
  ctx: SimContext,
  container: Container,
  id: string,
  replyToId: string | null = null,
): StoredMessage {
  const m = ctx.state.messages.get(messageKey(container, id));
  if (!m || (m.message.replyToId ?? null) !== replyToId) {
    throw new GraphError(404, 'NotFound', `Message '${id}' was not found.`);
  }
  return m;
}

function requireAuthor(m: StoredMessage, user: UserRecord): void {
  if (m.message.from?.user?.id !== user.id) {
    throw new GraphError(403, 'Forbidden', 'Only the sender can modify this message.');
  }
}

function touch(ctx: SimContext, m: StoredMessage): string {
  const at = graphInstant(ctx.clock.now()).replace(/0000Z$/, 'Z');
  m.message.lastModifiedDateTime = at;
  m.message.etag = String(ctx.clock.now());
  return at;
}

export function editMessage(
  ctx: SimContext,
  m: StoredMessage,
  user: UserRecord,
  input: Partial<ParsedContent>,
): void {
  requireAuthor(m, user);
  if (m.message.deletedDateTime) throw badRequest('A deleted message cannot be edited.');
  if (input.hosted?.length) throw badRequest('hostedContents cannot be added by an update.');
  if (input.body) m.message.body = input.body;
  if (input.mentions) m.message.mentions = input.mentions;
  if (input.attachments) m.message.attachments = input.attachments;
  if (input.subject !== undefined) m.message.subject = input.subject;
  if (input.importance) m.message.importance = input.importance;
  m.message.lastEditedDateTime = touch(ctx, m);
  emit(ctx, m, 'updated');
}

export function softDelete(ctx: SimContext, m: StoredMessage, user: UserRecord): void {
  requireAuthor(m, user);
  if (m.message.deletedDateTime) return;
  m.deletedBody = m.message.body ?? null;
  m.message.deletedDateTime = touch(ctx, m);
  m.message.body = { contentType: 'html', content: '' };
  emit(ctx, m, 'deleted');
}

export function undoSoftDelete(ctx: SimContext, m: StoredMessage, user: UserRecord): void {
  requireAuthor(m, user);
  if (!m.message.deletedDateTime) return;
  m.message.body = m.deletedBody ?? { contentType: 'html', content: '' };
  m.deletedBody = null;
  m.message.deletedDateTime = null;
  touch(ctx, m);
  emit(ctx, m, 'updated');
}

const LEGACY_NAMES: Record<string, string> = {
  like: 'Like',
  heart: 'Heart',
  laugh: 'Laugh',
  surprised: 'Surprised',
  sad: 'Sad',
  angry: 'Angry',
  '👍': 'Like',
  '❤️': 'Heart',
  '😆': 'Laugh',
  '😮': 'Surprised',
  '😢': 'Sad',
  '😡': 'Angry',
};

export function setReaction(
  ctx: SimContext,
  m: StoredMessage,
  user: UserRecord,
  reactionType: unknown,
  on: boolean,
): void {
  if (typeof reactionType !== 'string' || reactionType === '') throw badRequest('reactionType is required.');
  if (m.message.deletedDateTime) throw badRequest('Cannot react to a deleted message.');
  const reactions = m.message.reactions ?? [];
  const mine = reactions.findIndex((r) => r.reactionType === reactionType && r.user?.user?.id === user.id);
  if (on === mine >= 0) return;
  const at = touch(ctx, m);
  const identity: TeamworkUserIdentity = { id: user.id, displayName: null, userIdentityType: 'aadUser' };
  const reaction: ChatMessageReaction = {
    reactionType,
    displayName: LEGACY_NAMES[reactionType] ?? reactionType,
    reactionContentUrl: null,
    createdDateTime: at,
    user: { application: null, device: null, user: identity },
  };
  if (on) reactions.push(reaction);
  else reactions.splice(mine, 1);
  m.message.reactions = reactions;
  m.message.messageHistory = [
    ...(m.message.messageHistory ?? []),
    { modifiedDateTime: at, actions: on ? 'reactionAdded' : 'reactionRemoved', reaction },
  ];
  emit(ctx, m, 'updated');
}

/**
 * A system event in a chat (members added/removed): messageType `systemEventMessage`, `from` null, an
 * `eventDetail` naming what happened, body `<systemEventMessage/>`. Readers without
 * `Prefer: include-unknown-enum-members` see messageType `unknownFutureValue` (message-json.ts).
 */
export function postSystemEvent(
  ctx: SimContext,
  container: Container,
  initiator: UserRecord | null,
  eventDetail: Record<string, unknown>,
): StoredMessage {
  const system = {
    ...eventDetail,
    initiator: initiator
      ? {
          application: null,
          device: null,
          user: { id: initiator.id, displayName: null, userIdentityType: 'aadUser' },
        }
      : null,
  } as ChatMessage['eventDetail'];
  const stored = postMessage(ctx, container, null, {
    body: { contentType: 'html', content: '<systemEventMessage/>' },
    system,
  });
  return stored;
}
