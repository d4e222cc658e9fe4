/**
 * What a subscription's `resource` string may name, and what follows from it (graph-api.md §5.1–5.6): the
 * permission it needs, its maximum lifetime, whether it is a Teams resource (lifecycle URL rule), its quota
 * key, and which changes it matches.
 *
 * Resource strings are matched case-insensitively with or without a leading slash, as Graph does. Outlook
 * event resources may carry `?$select=` (required with includeResourceData).
 */
import type { Permissions, SimContext } from '../context.ts';
import { badRequest, GraphError } from '../graph-error.ts';
import type { Principal } from '../state.ts';
import type { ResourceChange } from './notifier.ts';

export type ResourceKind = 'outlook' | 'teams' | 'presence';

export interface ResourceSpec {
  kind: ResourceKind;
  permissions: Permissions;
  /** Max lifetime in minutes, without and with resource data. */
  maxMinutes: number;
  maxMinutesWithData: number;
  /**
   * Active-subscription quota on a key: Teams 1 per app per chat/channel, Outlook 1,000 per mailbox across all
   * apps (graph-api.md §5.6); null = no quota modelled.
   */
  quota: { key: string; limit: number; perApp: boolean } | null;
  /** Outlook rich subscriptions need `$select`. */
  select: string[] | null;
  matches(change: ResourceChange): boolean;
  /** `missed` lifecycle events exist only for Outlook; `subscriptionRemoved` for Outlook and Teams messages. */
  lifecycleEvents: string[];
}

const perms = (delegated: string[] | null, application: string[] | null): Permissions => ({
  delegated,
  application,
});
const CHAT_READ = perms(['Chat.Read', 'Chat.ReadWrite'], ['Chat.Read.All', 'Chat.ReadWrite.All']);
const CHANNEL_READ = perms(['ChannelMessage.Read.All'], ['ChannelMessage.Read.All']);

/** Parses and authorizes a resource for the caller; throws Graph's 400 for unsupported resources. */
export function resolveResource(ctx: SimContext, resource: string, principal: Principal): ResourceSpec {
  const [rawPath = '', rawQuery = ''] = resource.replace(/^\//, '').split('?');
  const path = rawPath.replace(/\/$/, '');
  const query = new URLSearchParams(rawQuery);
  const select =
    query
      .get('$select')
      ?.split(',')
      .map((s) => s.trim()) ?? null;
  const lower = path.toLowerCase();
  const userFor = (ref: string) => ctx.state.findUser(ref);
  const userEvents = /^users\/([^/]+)\/events$/i.exec(path);
  const chatMessages = /^chats\/([^/]+)\/messages$/i.exec(path);
  const userChats = /^users\/([^/]+)\/chats\/getallmessages$/i.exec(path);
  const channelMessages = /^teams\/([^/]+)\/channels\/([^/]+)\/messages$/i.exec(path);
  const onePresence = /^communications\/presences\/([^/]+)$/i.exec(path);

  if (lower === 'me/events' || userEvents) {
    const userId = userEvents ? (userFor(userEvents[1] ?? '')?.id ?? missing(resource)) : meId(principal);
    if (principal.kind === 'delegated' && principal.userId !== userId) {
      throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    return {
      kind: 'outlook',
      permissions: perms(
        ['Calendars.Read', 'Calendars.ReadWrite'],
        ['Calendars.Read', 'Calendars.ReadWrite'],
      ),
      maxMinutes: 10_080,
      maxMinutesWithData: 1_440,
      quota: { key: `mailbox:${userId}`, limit: 1_000, perApp: false },
      select,
      matches: (c) => c.kind === 'event' && c.mailboxId === userId,
      lifecycleEvents: ['reauthorizationRequired', 'subscriptionRemoved', 'missed'],
    };
  }
  if (chatMessages) {
    const chatId = decodeURIComponent(chatMessages[1] ?? '').replace(/^\('?|'?\)$/g, '');
    if (!ctx.state.chats.has(chatId)) missing(resource);
    return teamsSpec(CHAT_READ, `chat:${chatId}`, (c) => c.kind === 'chatMessage' && c.chatId === chatId);
  }
  if (lower === 'chats/getallmessages') {
    return teamsSpec(
      perms(null, ['Chat.Read.All', 'Chat.ReadWrite.All']),
      null,
      (c) => c.kind === 'chatMessage',
    );
  }
  if (userChats) {
    const userId = userFor(userChats[1] ?? '')?.id ?? missing(resource);
    return teamsSpec(
      perms(['Chat.Read', 'Chat.ReadWrite'], ['Chat.Read.All', 'Chat.ReadWrite.All']),
      null,
      (c) =>
        c.kind === 'chatMessage' &&
        (ctx.state.chats.get(c.chatId)?.members.some((x) => x.userId === userId) ?? false),
    );
  }
  if (channelMessages) {
    const teamId = decodeURIComponent(channelMessages[1] ?? '');
    const channelId = decodeURIComponent(channelMessages[2] ?? '');
    if (!ctx.state.channels.get(channelId) || ctx.state.channels.get(channelId)?.teamId !== teamId)
      missing(resource);
    return teamsSpec(
      CHANNEL_READ,
      `channel:${channelId}`,
      (c) => c.kind === 'channelMessage' && c.teamId === teamId && c.channelId === channelId,
    );
  }
  if (lower === 'teams/getallmessages') {
    return teamsSpec(perms(null, ['ChannelMessage.Read.All']), null, (c) => c.kind === 'channelMessage');
  }
  if (lower === 'communications/presences' || onePresence) {
    let ids: string[];
    if (onePresence) ids = [onePresence[1] ?? ''];
    else {
      const filter = query.get('$filter') ?? '';
      const f = /^id in \((.*)\)$/i.exec(filter.trim());
      if (!f) throw badRequest("Presence subscriptions need $filter=id in ('…').");
      ids = [...(f[1] ?? '').matchAll(/'([^']+)'/g)].map((x) => x[1] ?? '');
      if (ids.length === 0 || ids.length > 650)
        throw badRequest('The number of ids must be between 1 and 650.');
    }
    return {
      kind: 'presence',
      permissions: perms(['Presence.Read', 'Presence.Read.All'], ['Presence.Read.All']),
      maxMinutes: 60,
      maxMinutesWithData: 60,
      quota: null,
      select: null,
      matches: (c) => c.kind === 'presence' && ids.includes(c.userId),
      lifecycleEvents: ['reauthorizationRequired'],
    };
  }
  throw badRequest(`Resource '${resource}' is not supported for change notifications.`, 'InvalidRequest');
}

/** The principal a stored subscription acts as: its creating user (delegated) or its app. */
export function subscriptionPrincipal(
  ctx: SimContext,
  sub: { creatorId: string; applicationId: string },
): Principal {
  const creator = ctx.state.users.get(sub.creatorId);
  return creator
    ? { kind: 'delegated', appId: sub.applicationId, userId: creator.id, scopes: new Set(), tokenId: '' }
    : { kind: 'app', appId: sub.applicationId, roles: new Set(), tokenId: '' };
}

function teamsSpec(
  permissions: Permissions,
  quotaKey: string | null,
  matches: ResourceSpec['matches'],
): ResourceSpec {
  return {
    kind: 'teams',
    permissions,
    maxMinutes: 4_320,
    maxMinutesWithData: 4_320,
    quota: quotaKey ? { key: quotaKey, limit: 1, perApp: true } : null,
    select: null,
    matches,
    lifecycleEvents: ['reauthorizationRequired', 'subscriptionRemoved'],
  };
}

function meId(p: Principal): string {
  if (p.kind !== 'delegated')
    throw badRequest('/me request is only valid with delegated authentication flow.');
  return p.userId;
}

function missing(resource: string): never {
  throw badRequest(`Resource '${resource}' does not exist or is not accessible.`, 'InvalidRequest');
}
