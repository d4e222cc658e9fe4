import { invalidParam, invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isId, newId } from '../ids.ts';
import { isAdmin } from '../permissions.ts';
import type { SimState, TeamMemberRecord, TeamRecord } from '../state.ts';
import { postTeamJoin } from '../system-posts.ts';
import { teamView } from '../views.ts';
import { insertChannel } from './channels.ts';
import { resolveUserId } from './users.ts';

/**
 * Teams and team membership. A new team gets `town-square` and `off-topic`, and joining a team joins both, as on
 * a real server. Adding someone else needs team admin or system admin; anyone may join an open team themselves.
 */
export const TEAM_NOT_FOUND = (): SimError =>
  new SimError(404, 'app.team.get.find.app_error', 'Unable to find the existing team.');

export function insertTeam(
  state: SimState,
  input: { name: string; display_name: string; type?: 'O' | 'I'; creator_id: string },
): TeamRecord {
  if (!/^[a-z0-9][a-z0-9-]{1,63}$/.test(input.name))
    throw new SimError(400, 'model.team.is_valid.url.app_error', 'Invalid URL Identifier.');
  for (const t of state.teams.values()) {
    if (t.name === input.name)
      throw new SimError(400, 'app.team.save.existing.app_error', 'A team with that name already exists.');
  }
  const now = state.now();
  const team: TeamRecord = {
    id: newId(),
    name: input.name,
    display_name: input.display_name,
    type: input.type ?? 'O',
    create_at: now,
    update_at: now,
    delete_at: 0,
  };
  state.teams.set(team.id, team);
  insertChannel(state, {
    team_id: team.id,
    type: 'O',
    name: 'town-square',
    display_name: 'Town Square',
    creator_id: input.creator_id,
  });
  insertChannel(state, {
    team_id: team.id,
    type: 'O',
    name: 'off-topic',
    display_name: 'Off-Topic',
    creator_id: input.creator_id,
  });
  return team;
}

/** Adds a team member and joins them to the default channels; idempotent. */
export function insertTeamMember(
  state: SimState,
  teamId: string,
  userId: string,
  roles = 'team_user',
): TeamMemberRecord {
  let member = state.teamMembers.find((m) => m.team_id === teamId && m.user_id === userId);
  if (member) member.delete_at = 0;
  else {
    member = { team_id: teamId, user_id: userId, roles, delete_at: 0 };
    state.teamMembers.push(member);
  }
  // Joining a team joins its default channels (town-square and off-topic), as JoinDefaultChannels does.
  for (const c of state.channels.values()) {
    if (c.team_id !== teamId || (c.name !== 'town-square' && c.name !== 'off-topic')) continue;
    if (!state.channelMember(c.id, userId)) {
      state.channelMembers.push({
        channel_id: c.id,
        user_id: userId,
        roles: 'channel_user',
        last_viewed_at: 0,
        msg_count: 0,
      });
    }
  }
  return member;
}

export function teamFromParam(ctx: RequestContext, name = 'team_id'): TeamRecord {
  const id = ctx.params[name];
  if (!isId(id)) throw invalidUrlParam(name);
  const team = ctx.world.state.teams.get(id);
  if (!team) throw TEAM_NOT_FOUND();
  return team;
}

function memberView(m: TeamMemberRecord): Record<string, unknown> {
  return {
    team_id: m.team_id,
    user_id: m.user_id,
    roles: m.roles,
    delete_at: m.delete_at,
    scheme_user: true,
    scheme_admin: m.roles.includes('team_admin'),
    explicit_roles: '',
  };
}

export function createTeam(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const b = (ctx.body ?? {}) as { name?: unknown; display_name?: unknown; type?: unknown };
  if (typeof b.name !== 'string') throw invalidParam('name');
  if (typeof b.display_name !== 'string') throw invalidParam('display_name');
  const team = insertTeam(state, {
    name: b.name,
    display_name: b.display_name,
    type: b.type === 'I' ? 'I' : 'O',
    creator_id: session.user_id,
  });
  insertTeamMember(state, team.id, session.user_id, 'team_user team_admin');
  return ok(teamView(team), 201);
}

export function getTeam(ctx: RequestContext): Result {
  const session = sessionOf(ctx);
  const team = teamFromParam(ctx);
  if (
    team.type !== 'O' &&
    !ctx.world.state.teamMember(team.id, session.user_id) &&
    !isAdmin(ctx.world.state, session)
  ) {
    throw permissionDenied('view_team');
  }
  return ok(teamView(team));
}

export function getTeamByName(ctx: RequestContext): Result {
  const session = sessionOf(ctx);
  const state = ctx.world.state;
  const team = [...state.teams.values()].find((t) => t.name === ctx.params.name);
  if (!team) throw TEAM_NOT_FOUND();
  if (team.type !== 'O' && !state.teamMember(team.id, session.user_id) && !isAdmin(state, session))
    throw permissionDenied('view_team');
  return ok(teamView(team));
}

export function listTeams(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const admin = isAdmin(state, session);
  return ok(
    [...state.teams.values()]
      .filter((t) => admin || t.type === 'O' || state.teamMember(t.id, session.user_id))
      .map(teamView),
  );
}

export function getTeamsForUser(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  if (userId !== session.user_id && !isAdmin(state, session)) throw permissionDenied('edit_other_users');
  return ok([...state.teams.values()].filter((t) => state.teamMember(t.id, userId)).map(teamView));
}

export function addTeamMember(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const team = teamFromParam(ctx);
  const b = (ctx.body ?? {}) as { team_id?: unknown; user_id?: unknown };
  if (b.team_id !== team.id) throw invalidParam('team_id');
  if (!isId(b.user_id) || !state.users.has(b.user_id)) throw invalidParam('user_id');
  const self = b.user_id === session.user_id;
  const teamAdmin = state.teamMember(team.id, session.user_id)?.roles.includes('team_admin') ?? false;
  if (!isAdmin(state, session) && !teamAdmin && !(self && team.type === 'O'))
    throw permissionDenied('add_user_to_team');
  const wasMember = state.teamMember(team.id, b.user_id) !== undefined;
  const member = insertTeamMember(state, team.id, b.user_id);
  if (!wasMember) {
    ctx.world.hub.publish('added_to_team', { team_id: team.id, user_id: b.user_id }, { user_id: b.user_id });
    postTeamJoin(ctx.world, team.id, session.user_id, b.user_id);
  }
  return ok(memberView(member), 201);
}

export function getTeamMembers(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const team = teamFromParam(ctx);
  if (!state.teamMember(team.id, session.user_id) && !isAdmin(state, session))
    throw permissionDenied('view_team');
  return ok(state.teamMembers.filter((m) => m.team_id === team.id && m.delete_at === 0).map(memberView));
}

export function getTeamMember(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const team = teamFromParam(ctx);
  if (!state.teamMember(team.id, session.user_id) && !isAdmin(state, session))
    throw permissionDenied('view_team');
  const userId = resolveUserId(ctx, ctx.params.user_id);
  const member = state.teamMember(team.id, userId);
  if (!member)
    throw new SimError(
      404,
      'app.team.get_member.missing.app_error',
      'No team member found for that user ID and team ID.',
    );
  return ok(memberView(member));
}

export function removeTeamMember(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const team = teamFromParam(ctx);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  const teamAdmin = state.teamMember(team.id, session.user_id)?.roles.includes('team_admin') ?? false;
  if (userId !== session.user_id && !teamAdmin && !isAdmin(state, session))
    throw permissionDenied('remove_user_from_team');
  const member = state.teamMember(team.id, userId);
  if (member) member.delete_at = state.now();
  const teamChannels = new Set(
    [...state.channels.values()].filter((c) => c.team_id === team.id).map((c) => c.id),
  );
  state.channelMembers = state.channelMembers.filter(
    (m) => !(m.user_id === userId && teamChannels.has(m.channel_id)),
  );
  ctx.world.hub.publish('leave_team', { team_id: team.id, user_id: userId }, { user_id: userId });
  return STATUS_OK;
}
