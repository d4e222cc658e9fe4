/**
 * Handlers for teams, channels, chats and chat members. Message handlers live in message-routes.ts.
 */
import type { Handler, SimContext, SimRequest } from '../context.ts';
import { directoryUser, principalOf } from '../graph/auth.ts';
import { collection, entity } from '../graph/odata.ts';
import { badRequest } from '../graph-error.ts';
import type { UserRecord } from '../state.ts';
import {
  boundUser,
  channelFor,
  channelJson,
  chatFor,
  chatJson,
  chatMemberJson,
  createChat,
  teamFor,
  teamJson,
} from './containers.ts';
import { postSystemEvent } from './messages.ts';

/** The acting user of a delegated call (system events name an initiator); app-only calls have none. */
function callerUser(req: SimRequest, ctx: SimContext): UserRecord | null {
  const p = principalOf(req);
  return p.kind === 'delegated' ? (ctx.state.users.get(p.userId) ?? null) : null;
}

const TEAMS_PAGE = { defaultSize: 50, maxTop: 50, rejectOverMax: true };

export const joinedTeams: Handler = (req, ctx) => {
  const u = directoryUser(req, ctx);
  const teams = [...ctx.state.teams.values()]
    .filter((t) => t.memberIds.includes(u.id))
    .map((t) => teamJson(ctx, t));
  return collection(ctx, req, 'teams', teams, { defaultSize: 100, maxTop: 999 });
};

export const getTeam: Handler = (req, ctx) =>
  entity(ctx, req, 'teams/$entity', teamJson(ctx, teamFor(req, ctx)));

export const listChannels: Handler = (req, ctx) => {
  const team = teamFor(req, ctx);
  const channels = [...ctx.state.channels.values()]
    .filter((c) => c.teamId === team.id)
    .map((c) => channelJson(ctx, c));
  return collection(ctx, req, `teams('${team.id}')/channels`, channels, { defaultSize: 100, maxTop: 999 });
};

export const getChannel: Handler = (req, ctx) => {
  const { team, channel } = channelFor(req, ctx);
  return entity(ctx, req, `teams('${team.id}')/channels/$entity`, channelJson(ctx, channel));
};

export const listTeamMembers: Handler = (req, ctx) => {
  const team = teamFor(req, ctx);
  const members = team.memberIds.map((id) => {
    const u = ctx.state.users.get(id);
    return {
      '@odata.type': '#microsoft.graph.aadUserConversationMember',
      id: Buffer.from(`${team.id}|${id}`).toString('base64url'),
      roles: team.ownerIds.includes(id) ? ['owner'] : [],
      displayName: u?.displayName ?? null,
      userId: id,
      email: u?.mail ?? null,
      tenantId: ctx.state.tenant.id,
    };
  });
  return collection(ctx, req, `teams('${team.id}')/members`, members, { defaultSize: 100, maxTop: 999 });
};

/** GET /me/chats, /users/{id}/chats: `$filter` on chatType/topic eq, `$expand=members|lastMessagePreview`. */
export const listChats: Handler = (req, ctx) => {
  const u = directoryUser(req, ctx);
  const p = principalOf(req);
  if (p.kind === 'delegated' && p.userId !== u.id)
    throw badRequest('Requested API is not supported in delegated context for another user.');
  let chats = [...ctx.state.chats.values()].filter((c) => c.members.some((m) => m.userId === u.id));
  const filter = req.query.$filter?.trim();
  if (filter) {
    const m = /^(chatType|topic)\s+eq\s+'([^']*)'$/i.exec(filter);
    if (!m) throw badRequest(`Unsupported $filter '${filter}'.`);
    chats = chats.filter((c) => (m[1]?.toLowerCase() === 'chattype' ? c.chatType : c.topic) === m[2]);
  }
  chats.sort((a, b) => b.lastUpdatedAt - a.lastUpdatedAt);
  const expand = new Set(
    (req.query.$expand ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const e of expand)
    if (e !== 'members' && e !== 'lastMessagePreview') throw badRequest(`Unsupported $expand '${e}'.`);
  const rendered = chats.map((c) => {
    const j = chatJson(ctx, c);
    if (expand.has('members')) j.members = c.members.map((m) => chatMemberJson(ctx, m));
    if (expand.has('lastMessagePreview')) {
      const last = [...ctx.state.messages.values()]
        .filter((m) => m.container.kind === 'chat' && m.container.chatId === c.id)
        .sort((a, b) => Number(b.message.id) - Number(a.message.id))[0];
      j.lastMessagePreview = last
        ? {
            id: last.message.id,
            createdDateTime: last.message.createdDateTime,
            isDeleted: !!last.message.deletedDateTime,
            messageType: 'message',
            body: last.message.body,
            from: last.message.from,
          }
        : null;
    }
    return j;
  });
  return collection(ctx, req, 'chats', rendered, TEAMS_PAGE);
};

export const getChat: Handler = (req, ctx) => {
  const chat = chatFor(req, ctx);
  const j = chatJson(ctx, chat);
  if ((req.query.$expand ?? '').split(',').includes('members'))
    j.members = chat.members.map((m) => chatMemberJson(ctx, m));
  return entity(ctx, req, 'chats/$entity', j);
};

/** POST /chats → 201; oneOnOne is idempotent (the existing chat comes back). A delegated caller must be a member. */
export const postChat: Handler = (req, ctx) => {
  const b = (req.body ?? {}) as { chatType?: unknown; topic?: unknown; members?: unknown };
  if (b.chatType !== 'oneOnOne' && b.chatType !== 'group')
    throw badRequest("chatType must be 'oneOnOne' or 'group'.");
  if (!Array.isArray(b.members)) throw badRequest('members is required.');
  const users: UserRecord[] = (b.members as Record<string, unknown>[]).map((m) => {
    if (m['@odata.type'] !== '#microsoft.graph.aadUserConversationMember') {
      throw badRequest("Each member needs '@odata.type': '#microsoft.graph.aadUserConversationMember'.");
    }
    return boundUser(ctx, m['user@odata.bind']);
  });
  const p = principalOf(req);
  if (p.kind === 'delegated' && !users.some((u) => u.id === p.userId)) {
    throw badRequest('The creator of the chat must be one of its members.');
  }
  const { chat } = createChat(ctx, b.chatType, users, typeof b.topic === 'string' ? b.topic : null);
  return {
    status: 201,
    body: { '@odata.context': `${ctx.urls.graph}/$metadata#chats/$entity`, ...chatJson(ctx, chat) },
  };
};

export const listChatMembers: Handler = (req, ctx) => {
  const chat = chatFor(req, ctx);
  return collection(
    ctx,
    req,
    `chats('${chat.id}')/members`,
    chat.members.map((m) => chatMemberJson(ctx, m)),
    { defaultSize: 100, maxTop: 999 },
  );
};

export const addChatMember: Handler = (req, ctx) => {
  const chat = chatFor(req, ctx);
  if (chat.chatType !== 'group') throw badRequest('Members can only be added to group chats.');
  const b = (req.body ?? {}) as Record<string, unknown>;
  const u = boundUser(ctx, b['user@odata.bind']);
  if (chat.members.some((m) => m.userId === u.id))
    throw badRequest('The user is already a member of the chat.');
  const m = {
    id: Buffer.from(`${chat.id}|${u.id}`).toString('base64url'),
    userId: u.id,
    roles: Array.isArray(b.roles) ? b.roles.map(String) : ['owner'],
    visibleHistoryStartDateTime:
      typeof b.visibleHistoryStartDateTime === 'string'
        ? b.visibleHistoryStartDateTime
        : '0001-01-01T00:00:00Z',
  };
  chat.members.push(m);
  postSystemEvent(ctx, { kind: 'chat', chatId: chat.id }, callerUser(req, ctx), {
    '@odata.type': '#microsoft.graph.membersAddedEventMessageDetail',
    visibleHistoryStartDateTime: m.visibleHistoryStartDateTime,
    members: [{ id: u.id, displayName: null, userIdentityType: 'aadUser', tenantId: ctx.state.tenant.id }],
  });
  return { status: 201, body: chatMemberJson(ctx, m) };
};

export const removeChatMember: Handler = (req, ctx) => {
  const chat = chatFor(req, ctx);
  const i = chat.members.findIndex((m) => m.id === req.params.membershipId);
  if (i < 0) throw badRequest('Membership not found.');
  const [gone] = chat.members.splice(i, 1);
  postSystemEvent(ctx, { kind: 'chat', chatId: chat.id }, callerUser(req, ctx), {
    '@odata.type': '#microsoft.graph.membersDeletedEventMessageDetail',
    members: [
      { id: gone?.userId, displayName: null, userIdentityType: 'aadUser', tenantId: ctx.state.tenant.id },
    ],
  });
  return { status: 204 };
};
