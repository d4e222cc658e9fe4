import { permissionDenied } from './errors.ts';
import type { ChannelRecord, SessionRecord, SimState } from './state.ts';

/**
 * The default role scheme of a fresh server, reduced to the checks the simulator makes.
 *
 * Assumptions (documented in docs/simulators/mattermost.md): a `system_admin` holds every permission; a
 * `system_user` holds none of the system-scoped ones (`manage_system`, `edit_other_users`, `create_bot`,
 * `create_post_ephemeral`, `manage_oauth`, `create_user_access_token` unless it also has the
 * `system_user_access_token` role); team admins hold `manage_slash_commands` for their team. Channel-scoped
 * permissions come from membership: members may read and post, and anyone on a team may read its public channels.
 */
export function hasRole(state: SimState, userId: string, role: string): boolean {
  return state.users.get(userId)?.roles.split(' ').includes(role) ?? false;
}

export function isAdmin(state: SimState, session: SessionRecord): boolean {
  return hasRole(state, session.user_id, 'system_admin');
}

/** Throws 403 `api.context.permissions.app_error` unless the session is a system admin. */
export function requireSystemPermission(state: SimState, session: SessionRecord, permission: string): void {
  if (!isAdmin(state, session)) throw permissionDenied(permission);
}

export function canCreateAccessToken(state: SimState, session: SessionRecord): boolean {
  return isAdmin(state, session) || hasRole(state, session.user_id, 'system_user_access_token');
}

export function canManageSlashCommands(state: SimState, session: SessionRecord, teamId: string): boolean {
  if (isAdmin(state, session)) return true;
  return state.teamMember(teamId, session.user_id)?.roles.split(' ').includes('team_admin') ?? false;
}

/** read_channel: members always; public channels also to members of their team; admins everywhere. */
export function canReadChannel(state: SimState, session: SessionRecord, channel: ChannelRecord): boolean {
  if (state.channelMember(channel.id, session.user_id)) return true;
  if (isAdmin(state, session)) return true;
  return channel.type === 'O' && state.teamMember(channel.team_id, session.user_id) !== undefined;
}

/** create_post: members of the channel (admins too, as the server's system_admin holds it everywhere). */
export function canPostInChannel(state: SimState, session: SessionRecord, channel: ChannelRecord): boolean {
  return state.channelMember(channel.id, session.user_id) !== undefined || isAdmin(state, session);
}
