import { createHash } from 'node:crypto';
import { invalidParam, invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, sessionOf } from '../http/context.ts';
import { directChannelName, isId, newId } from '../ids.ts';
import { canReadChannel, isAdmin } from '../permissions.ts';
import type { ChannelMemberRecord, ChannelRecord, ChannelType, SessionRecord, SimState } from '../state.ts';
import { postChannelPropertyChange } from '../system-posts.ts';
import { channelView } from '../views.ts';
import { resolveUserId } from './users.ts';

/**
 * Channels: public/private team channels, direct (D) and group (G) channels; membership is in channel-members.ts.
 *
 * Contract: `POST /channels/direct` takes exactly two ids, one of them the caller's unless the caller has
 * `manage_system`; it is get-or-create and answers 201 either way. `POST /channels/group` takes the ids of the
 * other members (the caller is added) and needs 3–8 members in total. A channel the caller may not read is a 403,
 * not a 404, as `SessionHasPermissionToChannel` answers. A new D/G channel publishes `direct_added` /
 * `group_added` to its members; a new public/private channel `channel_created` to its creator.
 */
export const CHANNEL_NOT_FOUND = (): SimError =>
  new SimError(404, 'app.channel.get.existing.app_error', 'Unable to find the existing channel.');

export function insertChannel(
  state: SimState,
  input: {
    team_id: string;
    type: ChannelType;
    name: string;
    display_name: string;
    creator_id: string;
    purpose?: string;
    header?: string;
  },
): ChannelRecord {
  if (input.type === 'O' || input.type === 'P') {
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(input.name))
      throw new SimError(400, 'model.channel.is_valid.name.app_error', 'Invalid channel name.');
    if (input.display_name.trim() === '' || input.display_name.length > 64) {
      throw new SimError(400, 'model.channel.is_valid.display_name.app_error', 'Invalid display name.');
    }
    for (const c of state.channels.values()) {
      if (c.team_id === input.team_id && c.name === input.name) {
        throw new SimError(
          400,
          'store.sql_channel.save_channel.exists.app_error',
          'A channel with that name already exists on the same team.',
        );
      }
    }
  }
  const now = state.now();
  const channel: ChannelRecord = {
    id: newId(),
    team_id: input.team_id,
    type: input.type,
    name: input.name,
    display_name: input.display_name,
    header: input.header ?? '',
    purpose: input.purpose ?? '',
    creator_id: input.creator_id,
    create_at: now,
    update_at: now,
    delete_at: 0,
    last_post_at: now,
    total_msg_count: 0,
  };
  state.channels.set(channel.id, channel);
  return channel;
}

export function insertChannelMember(
  state: SimState,
  channelId: string,
  userId: string,
  roles = 'channel_user',
): ChannelMemberRecord {
  const existing = state.channelMember(channelId, userId);
  if (existing) return existing;
  const member: ChannelMemberRecord = {
    channel_id: channelId,
    user_id: userId,
    roles,
    last_viewed_at: 0,
    msg_count: 0,
  };
  state.channelMembers.push(member);
  return member;
}

/** The channel named by `channel_id`, readable by the session (403 otherwise, as the server answers). */
export function readableChannel(
  ctx: RequestContext,
  session: SessionRecord,
  param = 'channel_id',
): ChannelRecord {
  const id = ctx.params[param];
  if (!isId(id)) throw invalidUrlParam(param);
  const channel = ctx.world.state.channels.get(id);
  if (!channel || !canReadChannel(ctx.world.state, session, channel)) throw permissionDenied('read_channel');
  return channel;
}

export function createChannel(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  if (!isId(b.team_id)) throw invalidParam('team_id');
  const type = b.type === 'P' ? 'P' : b.type === 'O' ? 'O' : undefined;
  if (!type) throw invalidParam('type');
  if (!state.teamMember(b.team_id, session.user_id) && !isAdmin(state, session)) {
    throw permissionDenied(type === 'O' ? 'create_public_channel' : 'create_private_channel');
  }
  if (typeof b.name !== 'string') throw invalidParam('name');
  const channel = insertChannel(state, {
    team_id: b.team_id,
    type,
    name: b.name,
    display_name: typeof b.display_name === 'string' ? b.display_name : '',
    purpose: typeof b.purpose === 'string' ? b.purpose : '',
    header: typeof b.header === 'string' ? b.header : '',
    creator_id: session.user_id,
  });
  insertChannelMember(state, channel.id, session.user_id, 'channel_user channel_admin');
  ctx.world.hub.publish(
    'channel_created',
    { channel_id: channel.id, team_id: channel.team_id },
    { user_id: session.user_id },
  );
  return ok(channelView(channel), 201);
}

export function getChannel(ctx: RequestContext): Result {
  return ok(channelView(readableChannel(ctx, sessionOf(ctx))));
}

export function getChannelByName(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const channel = [...state.channels.values()].find(
    (c) => c.team_id === ctx.params.team_id && c.name === ctx.params.channel_name,
  );
  if (!channel) throw CHANNEL_NOT_FOUND();
  if (!canReadChannel(state, session, channel)) throw permissionDenied('read_channel');
  return ok(channelView(channel));
}

export function getChannelsForUser(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  if (userId !== session.user_id && !isAdmin(state, session)) throw permissionDenied('edit_other_users');
  const teamId = ctx.params.team_id;
  const mine = new Set(state.channelMembers.filter((m) => m.user_id === userId).map((m) => m.channel_id));
  const out = [...state.channels.values()]
    .filter((c) => mine.has(c.id) && (c.team_id === teamId || c.team_id === ''))
    .map(channelView);
  return ok(out);
}

export function getPublicChannels(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const teamId = ctx.params.team_id;
  if (!state.teamMember(teamId ?? '', session.user_id) && !isAdmin(state, session))
    throw permissionDenied('list_team_channels');
  return ok(
    [...state.channels.values()]
      .filter((c) => c.team_id === teamId && c.type === 'O' && c.delete_at === 0)
      .map(channelView),
  );
}

export function createDirectChannel(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const ids = ctx.body;
  if (!Array.isArray(ids) || ids.length !== 2 || !ids.every(isId)) throw invalidParam('user_ids');
  const [a, b] = ids as [string, string];
  if (!ids.includes(session.user_id) && !isAdmin(state, session)) throw permissionDenied('manage_system');
  for (const id of ids) {
    const u = state.users.get(id);
    if (!u)
      throw new SimError(
        400,
        'api.channel.create_direct_channel.invalid_user.app_error',
        'Invalid user ID for direct channel creation.',
      );
  }
  const name = directChannelName(a, b);
  let channel = [...state.channels.values()].find((c) => c.type === 'D' && c.name === name);
  if (!channel) {
    channel = insertChannel(state, {
      team_id: '',
      type: 'D',
      name,
      display_name: '',
      creator_id: session.user_id,
    });
    insertChannelMember(state, channel.id, a);
    insertChannelMember(state, channel.id, b);
    ctx.world.hub.publish(
      'direct_added',
      { creator_id: session.user_id, teammate_id: b },
      { channel_id: channel.id },
    );
  }
  return ok(channelView(channel), 201);
}

export function createGroupChannel(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const body = ctx.body;
  if (!Array.isArray(body) || !body.every(isId)) throw invalidParam('user_ids');
  const ids = [...new Set([...(body as string[]), session.user_id])];
  if (ids.length < 3 || ids.length > 8) {
    throw new SimError(
      400,
      'api.channel.create_group.bad_size.app_error',
      'Group message channels must contain at least 3 and no more than 8 users.',
    );
  }
  for (const id of ids) {
    if (!state.users.has(id))
      throw new SimError(
        400,
        'api.channel.create_group.bad_user.app_error',
        'One of the provided users does not exist.',
      );
  }
  const name = createHash('sha1')
    .update([...ids].sort().join(''))
    .digest('hex');
  let channel = [...state.channels.values()].find((c) => c.type === 'G' && c.name === name);
  if (!channel) {
    const names = ids.map((id) => state.users.get(id)?.username ?? '').sort();
    channel = insertChannel(state, {
      team_id: '',
      type: 'G',
      name,
      display_name: names.join(', '),
      creator_id: session.user_id,
    });
    for (const id of ids) insertChannelMember(state, channel.id, id);
    ctx.world.hub.publish('group_added', { teammate_ids: JSON.stringify(ids) }, { channel_id: channel.id });
  }
  return ok(channelView(channel), 201);
}

/**
 * `PUT /channels/{id}/patch {display_name?, header?, purpose?}`: members (or admins) may change a channel's
 * properties (`manage_*_channel_properties` belong to channel_user by default); DMs and GMs take a header and
 * purpose but no new name. Publishes `channel_updated` to the members and posts `system_header_change` (or the
 * purpose/display-name equivalents) for each property that changed.
 */
export function patchChannel(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const channel = readableChannel(ctx, session);
  if (!state.channelMember(channel.id, session.user_id) && !isAdmin(state, session)) {
    throw permissionDenied(
      channel.type === 'P' ? 'manage_private_channel_properties' : 'manage_public_channel_properties',
    );
  }
  const b = (ctx.body ?? {}) as { display_name?: unknown; header?: unknown; purpose?: unknown };
  const before = { header: channel.header, purpose: channel.purpose, displayname: channel.display_name };
  if (typeof b.header === 'string') {
    if ([...b.header].length > 1024)
      throw new SimError(400, 'model.channel.is_valid.header.app_error', 'Invalid header.');
    channel.header = b.header;
  }
  if (typeof b.purpose === 'string') {
    if ([...b.purpose].length > 250)
      throw new SimError(400, 'model.channel.is_valid.purpose.app_error', 'Invalid purpose.');
    channel.purpose = b.purpose;
  }
  if (typeof b.display_name === 'string' && (channel.type === 'O' || channel.type === 'P')) {
    if (b.display_name.trim() === '' || b.display_name.length > 64) {
      throw new SimError(400, 'model.channel.is_valid.display_name.app_error', 'Invalid display name.');
    }
    channel.display_name = b.display_name;
  }
  channel.update_at = state.now();
  const after = { header: channel.header, purpose: channel.purpose, displayname: channel.display_name };
  for (const kind of ['header', 'purpose', 'displayname'] as const) {
    if (after[kind] !== before[kind]) {
      postChannelPropertyChange(ctx.world, channel.id, session.user_id, kind, before[kind], after[kind]);
    }
  }
  ctx.world.hub.publish(
    'channel_updated',
    { channel: JSON.stringify(channelView(channel)) },
    { channel_id: channel.id },
  );
  return ok(channelView(channel));
}
