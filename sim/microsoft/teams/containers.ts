/**
 * Teams, channels, chats and chat members (graph-api.md §4.1–4.2), plus the membership checks every message
 * route applies: a delegated caller must be a member of the chat or team; app-only callers pass (their
 * permission was checked by the route table).
 */

import { graphInstant } from '../calendar/time-zones.ts';
import type { SimContext, SimRequest } from '../context.ts';
import { principalOf } from '../graph/auth.ts';
import { badRequest, GraphError } from '../graph-error.ts';
import { channelId, groupChatId, guid, oneOnOneChatId, opaqueId } from '../ids.ts';
import type { ChannelRecord, ChatMemberRecord, ChatRecord, TeamRecord, UserRecord } from '../state.ts';

const iso = (ms: number) => graphInstant(ms).replace(/0000Z$/, 'Z');

export function createTeam(
  ctx: SimContext,
  displayName: string,
  description: string,
  owners: UserRecord[],
  members: UserRecord[],
): TeamRecord {
  const team: TeamRecord = {
    id: guid(),
    displayName,
    description,
    ownerIds: owners.map((u) => u.id),
    memberIds: [...new Set([...owners, ...members].map((u) => u.id))],
    createdAt: ctx.clock.now(),
  };
  ctx.state.teams.set(team.id, team);
  return team;
}

export function createChannel(
  ctx: SimContext,
  team: TeamRecord,
  displayName: string,
  description: string,
): ChannelRecord {
  const ch: ChannelRecord = {
    id: channelId(),
    teamId: team.id,
    displayName,
    description,
    membershipType: 'standard',
    createdAt: ctx.clock.now(),
  };
  ctx.state.channels.set(ch.id, ch);
  return ch;
}

function member(_ctx: SimContext, u: UserRecord, roles: string[]): ChatMemberRecord {
  return { id: opaqueId(40), userId: u.id, roles, visibleHistoryStartDateTime: '0001-01-01T00:00:00Z' };
}

/** Creates a chat; a oneOnOne chat between the same two users is returned instead of duplicated. */
export function createChat(
  ctx: SimContext,
  chatType: 'oneOnOne' | 'group',
  users: UserRecord[],
  topic: string | null,
): { chat: ChatRecord; created: boolean } {
  if (chatType === 'oneOnOne') {
    if (users.length !== 2 || users[0]?.id === users[1]?.id)
      throw badRequest('A oneOnOne chat needs exactly two different members.');
    if (topic) throw badRequest('A oneOnOne chat cannot have a topic.');
    const id = oneOnOneChatId(users[0]?.id ?? '', users[1]?.id ?? '');
    const existing = ctx.state.chats.get(id);
    if (existing) return { chat: existing, created: false };
    const chat: ChatRecord = {
      id,
      chatType,
      topic: null,
      createdAt: ctx.clock.now(),
      lastUpdatedAt: ctx.clock.now(),
      members: users.map((u) => member(ctx, u, ['owner'])),
    };
    ctx.state.chats.set(id, chat);
    return { chat, created: true };
  }
  if (users.length < 3) throw badRequest('A group chat needs at least three members.');
  const chat: ChatRecord = {
    id: groupChatId(),
    chatType,
    topic,
    createdAt: ctx.clock.now(),
    lastUpdatedAt: ctx.clock.now(),
    members: users.map((u) => member(ctx, u, ['owner'])),
  };
  ctx.state.chats.set(chat.id, chat);
  return { chat, created: true };
}

export function chatJson(ctx: SimContext, c: ChatRecord): Record<string, unknown> {
  return {
    id: c.id,
    topic: c.topic,
    createdDateTime: iso(c.createdAt),
    lastUpdatedDateTime: iso(c.lastUpdatedAt),
    chatType: c.chatType,
    webUrl: `https://teams.microsoft.com/l/chat/${encodeURIComponent(c.id)}/0?tenantId=${ctx.state.tenant.id}`,
    tenantId: ctx.state.tenant.id,
    isHiddenForAllMembers: false,
    onlineMeetingInfo: null,
    viewpoint: { isHidden: false, lastMessageReadDateTime: iso(c.lastUpdatedAt) },
  };
}

export function chatMemberJson(ctx: SimContext, m: ChatMemberRecord): Record<string, unknown> {
  const u = ctx.state.users.get(m.userId);
  return {
    '@odata.type': '#microsoft.graph.aadUserConversationMember',
    id: m.id,
    roles: m.roles,
    displayName: u?.displayName ?? null,
    visibleHistoryStartDateTime: m.visibleHistoryStartDateTime,
    userId: m.userId,
    email: u?.mail ?? null,
    tenantId: ctx.state.tenant.id,
  };
}

export function teamJson(ctx: SimContext, t: TeamRecord): Record<string, unknown> {
  return {
    id: t.id,
    createdDateTime: iso(t.createdAt),
    displayName: t.displayName,
    description: t.description,
    internalId: `19:${t.id.replace(/-/g, '')}@thread.tacv2`,
    classification: null,
    specialization: 'none',
    visibility: 'private',
    webUrl: `https://teams.microsoft.com/l/team/${encodeURIComponent(`19:${t.id.replace(/-/g, '')}@thread.tacv2`)}/conversations?groupId=${t.id}&tenantId=${ctx.state.tenant.id}`,
    isArchived: false,
    tenantId: ctx.state.tenant.id,
    isMembershipLimitedToOwners: false,
  };
}

export function channelJson(ctx: SimContext, c: ChannelRecord): Record<string, unknown> {
  return {
    id: c.id,
    createdDateTime: iso(c.createdAt),
    displayName: c.displayName,
    description: c.description,
    isFavoriteByDefault: null,
    email: '',
    tenantId: ctx.state.tenant.id,
    webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(c.id)}/${encodeURIComponent(c.displayName)}?groupId=${c.teamId}&tenantId=${ctx.state.tenant.id}`,
    membershipType: c.membershipType,
    isArchived: false,
  };
}

/** The chat in `:chatId`, after checking a delegated caller is a member (404 for non-members, as Graph hides them). */
export function chatFor(req: SimRequest, ctx: SimContext): ChatRecord {
  const chat = ctx.state.chats.get(req.params.chatId ?? '');
  const p = principalOf(req);
  if (!chat || (p.kind === 'delegated' && !chat.members.some((m) => m.userId === p.userId))) {
    throw new GraphError(404, 'NotFound', `Chat '${req.params.chatId ?? ''}' was not found.`);
  }
  return chat;
}

export function teamFor(req: SimRequest, ctx: SimContext): TeamRecord {
  const team = ctx.state.teams.get(req.params.teamId ?? '');
  const p = principalOf(req);
  if (!team) throw new GraphError(404, 'NotFound', `No team found with Group Id ${req.params.teamId ?? ''}`);
  if (p.kind === 'delegated' && !team.memberIds.includes(p.userId)) {
    throw new GraphError(403, 'Forbidden', 'The user is not a member of the team.');
  }
  return team;
}

export function channelFor(req: SimRequest, ctx: SimContext): { team: TeamRecord; channel: ChannelRecord } {
  const team = teamFor(req, ctx);
  const channel = ctx.state.channels.get(req.params.channelId ?? '');
  if (!channel || channel.teamId !== team.id) throw new GraphError(404, 'NotFound', 'Channel not found.');
  return { team, channel };
}

/** Parses `user@odata.bind` (`https://graph.microsoft.com/v1.0/users('id')` or `…/users/id`) to a user. */
export function boundUser(ctx: SimContext, bind: unknown): UserRecord {
  const m = /users(?:\('([^']+)'\)|\/([^/?]+))\s*$/i.exec(String(bind ?? ''));
  const ref = m?.[1] ?? m?.[2];
  const u = ref ? ctx.state.findUser(decodeURIComponent(ref)) : undefined;
  if (!u || (u.key === ref && u.id !== ref))
    throw badRequest(`Invalid user@odata.bind '${String(bind ?? '')}'.`);
  return u;
}
