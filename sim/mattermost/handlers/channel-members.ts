import { invalidParam, invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isId } from '../ids.ts';
import { isAdmin } from '../permissions.ts';
import type { ChannelMemberRecord } from '../state.ts';
import { postChannelJoin, postChannelLeave } from '../system-posts.ts';
import { CHANNEL_NOT_FOUND, insertChannelMember, readableChannel } from './channels.ts';
import { resolveUserId } from './users.ts';

/**
 * Channel membership (server api4/channel.go, app `AddChannelMember`/`RemoveUserFromChannel`).
 *
 * Contract: D/G channels take no members this way (400). Adding to a public channel needs team membership (or
 * admin), to a private one channel membership (or admin); the added user must be on the team (404
 * `app.team.get_member.missing.app_error` if never, 400 `api.channel.add_user.to.channel.failed.deleted.app_error`
 * if they left). Adds publish `user_added` to the channel and post `system_add_to_channel` (or
 * `system_join_channel` for oneself); removals post `system_remove_from_channel` (or `system_leave_channel`) and
 * publish `user_removed` to the remaining members (with `user_id`) and to the removed user (with `channel_id`).
 */
export function memberView(m: ChannelMemberRecord): Record<string, unknown> {
  return {
    channel_id: m.channel_id,
    user_id: m.user_id,
    roles: m.roles,
    last_viewed_at: m.last_viewed_at,
    msg_count: m.msg_count,
    mention_count: 0,
    notify_props: {},
    last_update_at: 0,
    scheme_user: true,
    scheme_admin: m.roles.includes('channel_admin'),
  };
}

export function addChannelMember(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const id = ctx.params.channel_id;
  if (!isId(id)) throw invalidUrlParam('channel_id');
  const channel = state.channels.get(id);
  if (!channel) throw CHANNEL_NOT_FOUND();
  const userId = (ctx.body as { user_id?: unknown } | undefined)?.user_id;
  if (!isId(userId) || !state.users.has(userId)) throw invalidParam('user_id');
  if (channel.type === 'D' || channel.type === 'G') {
    throw new SimError(
      400,
      'api.channel.add_user_to_channel.type.app_error',
      'Can not add user to this channel type.',
    );
  }
  const admin = isAdmin(state, session);
  const member = state.channelMember(channel.id, session.user_id) !== undefined;
  const onTeam = state.teamMember(channel.team_id, session.user_id) !== undefined;
  if (channel.type === 'O' && !admin && !onTeam) throw permissionDenied('join_public_channels');
  if (channel.type === 'P' && !admin && !member) throw permissionDenied('manage_private_channel_members');
  // As app.AddUserToChannel: never on the team → 404; left the team → 400.
  const teamMember = state.teamMembers.find((m) => m.team_id === channel.team_id && m.user_id === userId);
  if (!teamMember) {
    throw new SimError(
      404,
      'app.team.get_member.missing.app_error',
      'No team member found for that user ID and team ID.',
    );
  }
  if (teamMember.delete_at !== 0) {
    throw new SimError(
      400,
      'api.channel.add_user.to.channel.failed.deleted.app_error',
      'Failed to add user to channel because they have been removed from the team.',
    );
  }
  const existed = state.channelMember(channel.id, userId) !== undefined;
  const m = insertChannelMember(state, channel.id, userId);
  if (!existed) {
    ctx.world.hub.publish(
      'user_added',
      { user_id: userId, team_id: channel.team_id },
      { channel_id: channel.id },
    );
    postChannelJoin(ctx.world, channel.id, session.user_id, userId);
  }
  return ok(memberView(m), 201);
}

export function getChannelMembers(ctx: RequestContext): Result {
  const channel = readableChannel(ctx, sessionOf(ctx));
  return ok(ctx.world.state.channelMembers.filter((m) => m.channel_id === channel.id).map(memberView));
}

export function getChannelMember(ctx: RequestContext): Result {
  const channel = readableChannel(ctx, sessionOf(ctx));
  const userId = resolveUserId(ctx, ctx.params.user_id);
  const m = ctx.world.state.channelMember(channel.id, userId);
  if (!m)
    throw new SimError(
      404,
      'app.channel.get_member.missing.app_error',
      'No channel member found for that user ID and channel ID.',
    );
  return ok(memberView(m));
}

export function removeChannelMember(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const channel = readableChannel(ctx, session);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  if (channel.type === 'D' || channel.type === 'G') {
    throw new SimError(
      400,
      'api.channel.remove_user_from_channel.app_error',
      'Cannot remove user from this channel type.',
    );
  }
  if (
    userId !== session.user_id &&
    !isAdmin(state, session) &&
    !state.channelMember(channel.id, session.user_id)
  ) {
    throw permissionDenied(
      channel.type === 'O' ? 'manage_public_channel_members' : 'manage_private_channel_members',
    );
  }
  const wasMember = state.channelMember(channel.id, userId) !== undefined;
  state.channelMembers = state.channelMembers.filter(
    (m) => !(m.channel_id === channel.id && m.user_id === userId),
  );
  if (wasMember) postChannelLeave(ctx.world, channel.id, session.user_id, userId);
  ctx.world.hub.publish(
    'user_removed',
    { user_id: userId, remover_id: session.user_id },
    { channel_id: channel.id },
  );
  ctx.world.hub.publish(
    'user_removed',
    { channel_id: channel.id, remover_id: session.user_id },
    { user_id: userId },
  );
  return STATUS_OK;
}
