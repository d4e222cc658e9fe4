/**
 * Handlers for chat and channel messages: list/get (with Graph's `$top` ≤ 50, desc-only `$orderby` and the
 * lastModified/created `$filter` forms), post, replies, PATCH (204), softDelete/undoSoftDelete (204),
 * set/unsetReaction (204), hostedContents and `$value`, channel delta, getAllMessages (+delta, `model`, the
 * 402 evaluation-mode knob).
 */
import type { Handler, SimContext, SimRequest, SimResponse } from '../context.ts';
import { directoryUser, meOf, principalOf } from '../graph/auth.ts';
import { collection, linkWith, parsePrefer } from '../graph/odata.ts';
import { badRequest, GraphError } from '../graph-error.ts';
import type { StoredMessage, UserRecord } from '../state.ts';
import { channelFor, chatFor, teamFor } from './containers.ts';
import { messageJson, wantsUnknownEnums } from './message-json.ts';
import {
  editMessage,
  findMessage,
  parseMessageInput,
  postMessage,
  setReaction,
  softDelete,
  undoSoftDelete,
} from './messages.ts';

const MSG_PAGE = { defaultSize: 20, maxTop: 50, rejectOverMax: true };
type Container = StoredMessage['container'];

function containerOf(req: SimRequest, ctx: SimContext): Container {
  if (req.params.chatId !== undefined) {
    if (req.params.userId !== undefined || req.path.toLowerCase().includes('/me/chats/')) {
      const u = directoryUser(req, ctx);
      const p = principalOf(req);
      if (p.kind === 'delegated' && p.userId !== u.id) throw new GraphError(403, 'Forbidden', 'Forbidden');
    }
    return { kind: 'chat', chatId: chatFor(req, ctx).id };
  }
  const { team, channel } = channelFor(req, ctx);
  return { kind: 'channel', teamId: team.id, channelId: channel.id };
}

function messagesIn(ctx: SimContext, c: Container): StoredMessage[] {
  return [...ctx.state.messages.values()].filter((m) =>
    c.kind === 'chat'
      ? m.container.kind === 'chat' && m.container.chatId === c.chatId
      : m.container.kind === 'channel' && m.container.channelId === c.channelId,
  );
}

/** `$filter` clauses Graph honours on message lists: lastModifiedDateTime gt/lt, createdDateTime lt. */
function applyFilter(req: SimRequest, items: StoredMessage[], allowCreated = true): StoredMessage[] {
  const f = req.query.$filter?.trim();
  if (!f) return items;
  const clauses = f.split(/\s+and\s+/i).map((c) => {
    const m = /^(lastModifiedDateTime|createdDateTime)\s+(gt|lt)\s+(\S+)$/i.exec(c.trim());
    if (!m?.[1] || !m[2] || !m[3] || (m[1] === 'createdDateTime' && (m[2] !== 'lt' || !allowCreated))) {
      throw badRequest(`Unsupported $filter clause '${c}'.`);
    }
    const at = Date.parse(m[3].replace(/^'|'$/g, ''));
    if (Number.isNaN(at)) throw badRequest(`Invalid date in $filter clause '${c}'.`);
    return { field: m[1] as 'lastModifiedDateTime' | 'createdDateTime', op: m[2], at };
  });
  return items.filter((i) =>
    clauses.every((c) => {
      const v = Date.parse(String(i.message[c.field] ?? ''));
      return c.op === 'gt' ? v > c.at : v < c.at;
    }),
  );
}

function applyOrder(req: SimRequest, items: StoredMessage[]): StoredMessage[] {
  const o = (req.query.$orderby ?? 'lastModifiedDateTime desc').trim();
  const m = /^(lastModifiedDateTime|createdDateTime)(?:\s+(desc|asc))?$/i.exec(o);
  if (!m?.[1] || m[2]?.toLowerCase() !== 'desc')
    throw badRequest(
      `$orderby '${o}' is not supported; only lastModifiedDateTime desc or createdDateTime desc.`,
    );
  const field = m[1] as 'lastModifiedDateTime' | 'createdDateTime';
  return items.sort(
    (a, b) =>
      Date.parse(String(b.message[field])) - Date.parse(String(a.message[field])) ||
      Number(b.message.id) - Number(a.message.id),
  );
}

function render(req: SimRequest, ctx: SimContext, m: StoredMessage): Record<string, unknown> {
  const j = messageJson(m, wantsUnknownEnums(req.headers.prefer)) as Record<string, unknown>;
  if ((req.query.$expand ?? '') === 'replies' && !m.message.replyToId && m.container.kind === 'channel') {
    j.replies = messagesIn(ctx, m.container)
      .filter((r) => r.message.replyToId === m.message.id)
      .sort((a, b) => Number(a.message.id) - Number(b.message.id))
      .map((r) => messageJson(r, wantsUnknownEnums(req.headers.prefer)));
  }
  return j;
}

export const listMessages: Handler = (req, ctx) => {
  const c = containerOf(req, ctx);
  const replyTo = req.params.messageId ?? null;
  if (replyTo) findMessage(ctx, c, replyTo);
  let items = messagesIn(ctx, c).filter((m) => (m.message.replyToId ?? null) === replyTo);
  if (c.kind === 'chat') items = applyOrder(req, applyFilter(req, items));
  else items.sort((a, b) => Number(b.message.id) - Number(a.message.id));
  const frag =
    c.kind === 'chat'
      ? `chats('${c.chatId}')/messages`
      : `teams('${c.teamId}')/channels('${c.channelId}')/messages`;
  return collection(
    ctx,
    req,
    frag,
    items.map((m) => render(req, ctx, m)),
    MSG_PAGE,
  );
};

function target(req: SimRequest, ctx: SimContext): StoredMessage {
  const c = containerOf(req, ctx);
  if (req.params.replyId !== undefined) {
    findMessage(ctx, c, req.params.messageId ?? '');
    return findMessage(ctx, c, req.params.replyId, req.params.messageId ?? null);
  }
  return findMessage(ctx, c, req.params.messageId ?? '');
}

export const getMessage: Handler = (req, ctx) => ({
  status: 200,
  body: {
    '@odata.context': `${ctx.urls.graph}/$metadata#chatMessage/$entity`,
    ...render(req, ctx, target(req, ctx)),
  },
});

export const postMessageRoute: Handler = (req, ctx) => {
  const c = containerOf(req, ctx);
  const author = meOf(req, ctx);
  const replyTo = req.params.messageId ?? null;
  if (replyTo) {
    if (c.kind !== 'channel') throw badRequest('Replies exist only in channels.');
    const root = findMessage(ctx, c, replyTo);
    if (root.message.deletedDateTime) throw badRequest('Cannot reply to a deleted message.');
  }
  const input = parseMessageInput(ctx, req.body, true);
  const m = postMessage(ctx, c, author, input, replyTo);
  return {
    status: 201,
    body: {
      '@odata.context': `${ctx.urls.graph}/$metadata#chatMessage/$entity`,
      ...messageJson(m, wantsUnknownEnums(req.headers.prefer)),
    },
  };
};

export const patchMessage: Handler = (req, ctx) => {
  const m = target(req, ctx);
  editMessage(ctx, m, meOf(req, ctx), parseMessageInput(ctx, req.body, false));
  return { status: 204 };
};

const asAuthor =
  (fn: (ctx: SimContext, m: StoredMessage, u: UserRecord) => void): Handler =>
  (req, ctx) => {
    fn(ctx, target(req, ctx), meOf(req, ctx));
    return { status: 204 };
  };
export const softDeleteRoute = asAuthor(softDelete);
export const undoSoftDeleteRoute = asAuthor(undoSoftDelete);

export const reaction =
  (on: boolean): Handler =>
  (req, ctx) => {
    const m = target(req, ctx);
    setReaction(
      ctx,
      m,
      meOf(req, ctx),
      (req.body as { reactionType?: unknown } | undefined)?.reactionType,
      on,
    );
    return { status: 204 };
  };

export const listHostedContents: Handler = (req, ctx) => {
  const m = target(req, ctx);
  return collection(
    ctx,
    req,
    'hostedContents',
    m.hostedContents.map((h) => ({ id: h.id })),
    { defaultSize: 100, maxTop: 100 },
  );
};

export const getHostedContent: Handler = (req, ctx) => {
  const h = target(req, ctx).hostedContents.find((x) => x.id === req.params.hostedContentId);
  if (!h) throw new GraphError(404, 'NotFound', 'Hosted content not found.');
  return { status: 200, body: { id: h.id, contentBytes: null, contentType: null } };
};

export const hostedContentValue: Handler = (req, ctx) => {
  const h = target(req, ctx).hostedContents.find((x) => x.id === req.params.hostedContentId);
  if (!h) throw new GraphError(404, 'NotFound', 'Hosted content not found.');
  return { status: 200, body: h.bytes, headers: { 'Content-Type': h.contentType } };
};

/** Delta/skip token: change-sequence position, page offset, page size and the first round's `$filter`. */
interface SeqToken {
  q: number;
  k?: number;
  p?: number;
  f?: string;
}
const enc = (t: SeqToken) => Buffer.from(JSON.stringify(t)).toString('base64url');
function dec(raw: string): SeqToken {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as SeqToken;
    if (typeof t.q === 'number') return t;
  } catch {
    // fall through
  }
  throw new GraphError(410, 'SyncStateNotFound', 'The sync state generation is not valid.');
}

/**
 * Shared delta paging: the first round lists `all()` as of its start (optionally `$filter`ed; the filter and page
 * size travel in the skip token), later rounds return what changed after the token's position in the message
 * change sequence. Deleted messages come back with `deletedDateTime` set.
 */
function deltaResponse(
  req: SimRequest,
  ctx: SimContext,
  all: () => StoredMessage[],
  frag: string,
): SimResponse {
  const base = (t: Record<string, string>) => linkWith(ctx, { ...req, query: {} }, t);
  const unknownEnums = wantsUnknownEnums(req.headers.prefer);
  const render = (items: StoredMessage[]) => items.map((m) => messageJson(m, unknownEnums));
  const context = `${ctx.urls.graph}/$metadata#${frag}`;
  if (req.query.$deltatoken) {
    const token = dec(req.query.$deltatoken);
    const changed = all()
      .filter((m) => m.seq > token.q)
      .sort((a, b) => a.seq - b.seq);
    return {
      status: 200,
      body: {
        '@odata.context': context,
        value: render(changed),
        '@odata.deltaLink': base({ $deltatoken: enc({ q: ctx.state.messageSeq }) }),
      },
    };
  }
  let token: SeqToken;
  if (req.query.$skiptoken) token = dec(req.query.$skiptoken);
  else {
    const prefer = parsePrefer(req);
    const top = Number(req.query.$top ?? prefer.get('odata.maxpagesize') ?? 50);
    if (!Number.isInteger(top) || top < 1 || top > 50) {
      throw badRequest('Invalid page size requested. The page size must be between 1 and 50.');
    }
    token = { q: ctx.state.messageSeq, k: 0, p: top, ...(req.query.$filter ? { f: req.query.$filter } : {}) };
  }
  const size = token.p ?? 50;
  const filtered = token.f ? applyFilter({ ...req, query: { $filter: token.f } }, all(), false) : all();
  const items = filtered.filter((m) => m.seq <= token.q).sort((a, b) => a.seq - b.seq);
  const offset = token.k ?? 0;
  const body: Record<string, unknown> = {
    '@odata.context': context,
    value: render(items.slice(offset, offset + size)),
  };
  if (offset + size < items.length)
    body['@odata.nextLink'] = base({ $skiptoken: enc({ ...token, k: offset + size }) });
  else body['@odata.deltaLink'] = base({ $deltatoken: enc({ q: token.q }) });
  return { status: 200, body };
}

export const channelDelta: Handler = (req, ctx) => {
  const c = containerOf(req, ctx);
  return deltaResponse(
    req,
    ctx,
    () => messagesIn(ctx, c).filter((m) => !m.message.replyToId),
    'Collection(chatMessage)',
  );
};

function userChatMessages(ctx: SimContext, userId: string): StoredMessage[] {
  const chats = new Set(
    [...ctx.state.chats.values()].filter((c) => c.members.some((m) => m.userId === userId)).map((c) => c.id),
  );
  return [...ctx.state.messages.values()].filter(
    (m) => m.container.kind === 'chat' && chats.has(m.container.chatId),
  );
}

/** The `model` parameter and the evaluation-mode 402 (graph-api.md §4.7); off unless settings.metering says so. */
function meter(req: SimRequest, ctx: SimContext, count: number): void {
  const model = req.query.model;
  if (model !== undefined && model !== 'A' && model !== 'B') {
    throw badRequest(`The query parameter 'model' does not support value '${model}' for this API.`);
  }
  if (ctx.settings.metering !== 'evaluation' || model) return;
  const use = ctx.state.meteredMessages;
  const app = principalOf(req).appId;
  const total = (use.get(app) ?? 0) + Math.max(1, count);
  use.set(app, total);
  if (total > 500) {
    throw new GraphError(
      402,
      'PaymentRequired',
      'Evaluation mode capacity has been exceeded. Use a valid billing model. Visit https://docs.microsoft.com/en-us/graph/teams-licenses for more details.',
    );
  }
}

export const userGetAllMessages: Handler = (req, ctx) => {
  const u = directoryUser(req, ctx);
  const items = applyOrder(req, applyFilter(req, userChatMessages(ctx, u.id), false));
  const res = collection(
    ctx,
    req,
    'Collection(chatMessage)',
    items.map((m) => messageJson(m, wantsUnknownEnums(req.headers.prefer)) as Record<string, unknown>),
    MSG_PAGE,
  );
  meter(req, ctx, (res.body as { value: unknown[] }).value.length);
  return res;
};

export const userGetAllMessagesDelta: Handler = (req, ctx) => {
  const u = directoryUser(req, ctx);
  const res = deltaResponse(req, ctx, () => userChatMessages(ctx, u.id), 'Collection(chatMessage)');
  meter(req, ctx, (res.body as { value: unknown[] }).value.length);
  return res;
};

export const teamGetAllMessages: Handler = (req, ctx) => {
  const team = teamFor(req, ctx);
  const items = applyOrder(
    req,
    applyFilter(
      req,
      [...ctx.state.messages.values()].filter(
        (m) => m.container.kind === 'channel' && m.container.teamId === team.id,
      ),
      false,
    ),
  );
  const res = collection(
    ctx,
    req,
    'Collection(chatMessage)',
    items.map((m) => messageJson(m, wantsUnknownEnums(req.headers.prefer)) as Record<string, unknown>),
    MSG_PAGE,
  );
  meter(req, ctx, (res.body as { value: unknown[] }).value.length);
  return res;
};
