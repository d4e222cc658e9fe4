import { createSession } from '../auth.ts';
import { invalidParam, invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isId, newId } from '../ids.ts';
import { isAdmin } from '../permissions.ts';
import type { SimState, UserRecord } from '../state.ts';
import { userView } from '../views.ts';

/**
 * Users, login sessions, roles and deactivation (server api4/user.go); access tokens live in access-tokens.ts.
 *
 * Refusals reproduced: e-mail lookup 403 `api.user.get_user_by_email.permissions.app_error` unless
 * ShowEmailAddress or admin; login 401 `api.user.login.invalid_credentials_email_username`, inactive users
 * (`api.user.login.inactive.app_error`) and bots (`api.user.login.bot_login_forbidden.app_error`) refused;
 * deactivation kills the user's sessions at once.
 */
export const USER_NOT_FOUND = (): SimError =>
  new SimError(404, 'app.user.missing_account.const', 'Unable to find the user.');

/** `me` or an id → an existing user id; 400 for a malformed id, 404 for an unknown one. */
export function resolveUserId(ctx: RequestContext, param: string | undefined): string {
  if (param === 'me') return sessionOf(ctx).user_id;
  if (!isId(param)) throw invalidUrlParam('user_id');
  if (!ctx.world.state.users.has(param)) throw USER_NOT_FOUND();
  return param;
}

const USERNAME = /^[a-z][a-z0-9.\-_]{2,21}$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** Creates a user record (shared by the seed, bots and `POST /users`); refuses duplicates like the store does. */
export function insertUser(
  state: SimState,
  input: Partial<UserRecord> & { username: string; email: string },
): UserRecord {
  const username = input.username.toLowerCase();
  if (!USERNAME.test(username))
    throw new SimError(400, 'model.user.is_valid.username.app_error', 'Invalid username.');
  const email = input.email.toLowerCase();
  if (!EMAIL.test(email)) throw new SimError(400, 'model.user.is_valid.email.app_error', 'Invalid email.');
  if (state.userByUsername(username))
    throw new SimError(
      400,
      'app.user.save.username_exists.app_error',
      'An account with that username already exists.',
    );
  if (state.userByEmail(email))
    throw new SimError(
      400,
      'app.user.save.email_exists.app_error',
      'An account with that email already exists.',
    );
  const now = state.now();
  const user: UserRecord = {
    id: input.id ?? newId(),
    username,
    email,
    password: input.password ?? '',
    first_name: input.first_name ?? '',
    last_name: input.last_name ?? '',
    nickname: input.nickname ?? '',
    position: input.position ?? '',
    roles: input.roles ?? 'system_user',
    is_bot: input.is_bot ?? false,
    bot_description: input.bot_description ?? '',
    auth_service: input.auth_service ?? '',
    locale: 'en',
    props: { ...(input.props ?? {}) },
    create_at: now,
    update_at: now,
    delete_at: 0,
  };
  state.users.set(user.id, user);
  return user;
}

export function createUser(ctx: RequestContext): Result {
  const state = ctx.world.state;
  if (!ctx.session || !isAdmin(state, ctx.session)) {
    throw new SimError(
      403,
      'api.user.create_user.no_open_server',
      'This server does not allow open signups.',
    );
  }
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  if (typeof b.username !== 'string') throw invalidParam('username');
  if (typeof b.email !== 'string') throw invalidParam('email');
  if (typeof b.password !== 'string' || b.password.length < 8) {
    throw new SimError(
      400,
      'model.user.is_valid.pwd_length.app_error',
      'Your password must contain at least 8 characters.',
    );
  }
  const user = insertUser(state, {
    username: b.username,
    email: b.email,
    password: b.password,
    first_name: typeof b.first_name === 'string' ? b.first_name : '',
    last_name: typeof b.last_name === 'string' ? b.last_name : '',
    nickname: typeof b.nickname === 'string' ? b.nickname : '',
    auth_service: typeof b.auth_service === 'string' ? b.auth_service : '',
  });
  return ok(userView(state, user, ctx.session), 201);
}

export function getUser(ctx: RequestContext): Result {
  const id = resolveUserId(ctx, ctx.params.user_id);
  const user = ctx.world.state.users.get(id);
  if (!user) throw USER_NOT_FOUND();
  return ok(userView(ctx.world.state, user, ctx.session));
}

export function getUserByUsername(ctx: RequestContext): Result {
  const user = ctx.world.state.userByUsername(ctx.params.username ?? '');
  if (!user)
    throw new SimError(
      404,
      'app.user.get_by_username.app_error',
      'Unable to find an existing account matching your username for this team.',
    );
  return ok(userView(ctx.world.state, user, ctx.session));
}

/** As api4 getUserByEmail: malformed address 400, then the ShowEmailAddress gate (before any lookup), then 404. */
export function getUserByEmail(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const email = decodeURIComponent(ctx.params.email ?? '').toLowerCase();
  if (!EMAIL.test(email)) throw invalidUrlParam('email');
  if (!state.config.PrivacySettings.ShowEmailAddress && !isAdmin(state, session)) {
    throw new SimError(
      403,
      'api.user.get_user_by_email.permissions.app_error',
      'Unable to get user by email.',
    );
  }
  const user = state.userByEmail(email);
  if (!user) throw USER_NOT_FOUND();
  return ok(userView(state, user, session));
}

export function getUsersByIds(ctx: RequestContext): Result {
  const ids = ctx.body;
  if (!Array.isArray(ids) || ids.length === 0) throw invalidParam('user_ids');
  const state = ctx.world.state;
  const out = ids
    .map((id) => (typeof id === 'string' ? state.users.get(id) : undefined))
    .filter((u) => u !== undefined)
    .map((u) => userView(state, u, ctx.session));
  return ok(out);
}

export function getUsersByUsernames(ctx: RequestContext): Result {
  const names = ctx.body;
  if (!Array.isArray(names) || names.length === 0) throw invalidParam('usernames');
  const state = ctx.world.state;
  const out = names
    .map((n) => (typeof n === 'string' ? state.userByUsername(n) : undefined))
    .filter((u) => u !== undefined)
    .map((u) => userView(state, u, ctx.session));
  return ok(out);
}

export function searchUsers(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const b = (ctx.body ?? {}) as {
    term?: unknown;
    team_id?: unknown;
    in_channel_id?: unknown;
    allow_inactive?: unknown;
    limit?: unknown;
  };
  if (typeof b.term !== 'string') throw invalidParam('term');
  const term = b.term.toLowerCase().replace(/^@/, '');
  const showEmail = state.config.PrivacySettings.ShowEmailAddress || isAdmin(state, session);
  const limit = typeof b.limit === 'number' ? Math.min(b.limit, 1000) : 100;
  const out = [...state.users.values()]
    .filter((u) => b.allow_inactive === true || u.delete_at === 0)
    .filter((u) => typeof b.team_id !== 'string' || b.team_id === '' || state.teamMember(b.team_id, u.id))
    .filter(
      (u) =>
        typeof b.in_channel_id !== 'string' ||
        b.in_channel_id === '' ||
        state.channelMember(b.in_channel_id, u.id),
    )
    .filter((u) => {
      const fields = [
        u.username,
        u.first_name.toLowerCase(),
        u.last_name.toLowerCase(),
        u.nickname.toLowerCase(),
      ];
      if (showEmail) fields.push(u.email);
      return fields.some((f) => f.startsWith(term));
    })
    .slice(0, limit)
    .map((u) => userView(state, u, session));
  return ok(out);
}

export function listUsers(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const page = Number(ctx.query.page ?? 0);
  const perPage = Math.min(Number(ctx.query.per_page ?? 60), 200);
  const inTeam = ctx.query.in_team;
  const inChannel = ctx.query.in_channel;
  // `role` filters by a system role, as GET /api/v4/users?role=system_admin does on the real server.
  const role = ctx.query.role;
  const users = [...state.users.values()]
    .filter((u) => u.delete_at === 0 || ctx.query.inactive === 'true')
    .filter((u) => !role || u.roles.split(/\s+/).includes(role))
    .filter((u) => !inTeam || state.teamMember(inTeam, u.id))
    .filter((u) => !inChannel || state.channelMember(inChannel, u.id))
    .sort((a, b) => a.username.localeCompare(b.username))
    .slice(page * perPage, (page + 1) * perPage)
    .map((u) => userView(state, u, ctx.session));
  return ok(users);
}

/** Password login → a session token in the `Token` header (Client4 picks it up from there). */
export function login(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const b = (ctx.body ?? {}) as { login_id?: unknown; password?: unknown; id?: unknown };
  const loginId = typeof b.login_id === 'string' ? b.login_id : '';
  const user =
    typeof b.id === 'string'
      ? state.users.get(b.id)
      : (state.userByUsername(loginId) ?? state.userByEmail(loginId));
  if (!user || user.password === '' || user.password !== b.password) {
    throw new SimError(
      401,
      'api.user.login.invalid_credentials_email_username',
      'Enter a valid email or username and/or password.',
    );
  }
  if (user.is_bot)
    throw new SimError(401, 'api.user.login.bot_login_forbidden.app_error', 'Bot login is forbidden.');
  if (user.delete_at !== 0)
    throw new SimError(
      401,
      'api.user.login.inactive.app_error',
      'Login failed because your account has been deactivated.',
    );
  const session = createSession(state, user.id, 'login', {
    lifetimeMs: state.config.ServiceSettings.SessionLengthWebInHours * 3600_000,
  });
  return {
    status: 200,
    json: userView(state, user, session),
    headers: {
      Token: session.token,
      'Set-Cookie': `MMAUTHTOKEN=${session.token}; Path=/; HttpOnly; SameSite=Lax`,
    },
  };
}

export function logout(ctx: RequestContext): Result {
  const session = sessionOf(ctx);
  ctx.world.state.sessions.delete(session.token);
  return { ...STATUS_OK, headers: { 'Set-Cookie': 'MMAUTHTOKEN=; Path=/; Max-Age=0' } };
}

const KNOWN_ROLES = new Set([
  'system_user',
  'system_admin',
  'system_user_access_token',
  'system_post_all',
  'system_post_all_public',
]);

export function updateRoles(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  if (!isAdmin(state, session)) throw permissionDenied('manage_roles');
  const userId = resolveUserId(ctx, ctx.params.user_id);
  const roles = (ctx.body as { roles?: unknown } | undefined)?.roles;
  if (typeof roles !== 'string') throw invalidParam('roles');
  const list = roles.split(' ').filter((r) => r !== '');
  if (!list.every((r) => KNOWN_ROLES.has(r)))
    throw new SimError(400, 'api.user.update_user_roles.bad_parameter.app_error', 'Invalid roles.');
  const user = state.users.get(userId);
  if (!user) throw USER_NOT_FOUND();
  user.roles = list.join(' ');
  user.update_at = state.now();
  return STATUS_OK;
}

/** Soft-deactivates: the user's sessions and tokens stop working at once. */
export function deactivateUser(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  if (userId !== session.user_id && !isAdmin(state, session)) throw permissionDenied('edit_other_users');
  setActive(state, userId, false);
  return STATUS_OK;
}

export function updateActive(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  const active = (ctx.body as { active?: unknown } | undefined)?.active;
  if (typeof active !== 'boolean') throw invalidParam('active');
  if (!isAdmin(state, session) && !(userId === session.user_id && !active))
    throw permissionDenied('manage_system');
  setActive(state, userId, active);
  return STATUS_OK;
}

function setActive(state: SimState, userId: string, active: boolean): void {
  const user = state.users.get(userId);
  if (!user) throw USER_NOT_FOUND();
  user.delete_at = active ? 0 : state.now();
  user.update_at = state.now();
  if (!active)
    for (const [token, s] of state.sessions) if (s.user_id === userId) state.sessions.delete(token);
}

export function patchUser(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  if (userId !== session.user_id && !isAdmin(state, session)) throw permissionDenied('edit_other_users');
  const user = state.users.get(userId);
  if (!user) throw USER_NOT_FOUND();
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  for (const key of ['first_name', 'last_name', 'nickname', 'position'] as const) {
    const v = b[key];
    if (typeof v === 'string') user[key] = v;
  }
  user.update_at = state.now();
  ctx.world.hub.publish('user_updated', { user: userView(state, user, undefined) }, {});
  return ok(userView(state, user, session));
}
