import { createSession } from '../auth.ts';
import { disabled, invalidParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { newId } from '../ids.ts';
import { canCreateAccessToken, isAdmin } from '../permissions.ts';
import type { AccessTokenRecord } from '../state.ts';
import { resolveUserId, USER_NOT_FOUND } from './users.ts';

/**
 * Personal access tokens and bot access tokens (server api4/user.go, app `CreateUserAccessToken`).
 *
 * Contract: the token string is returned only by create. Creating needs `create_user_access_token` (admin or the
 * `system_user_access_token` role) for everyone, bots included, plus: the user themself, the bot's owner, or
 * `edit_other_users`. Humans also need `EnableUserAccessTokens` (else 501 `app.user_access_token.disabled`); bots
 * ignore the switch. OAuth sessions may not create tokens (403); an empty description is 400. Revoking deletes the
 * token's session at once.
 */
function tokenView(t: AccessTokenRecord): Omit<AccessTokenRecord, 'token'> {
  return {
    id: t.id,
    user_id: t.user_id,
    description: t.description,
    is_active: t.is_active,
    expires_at: t.expires_at,
  };
}

export function createAccessToken(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  const target = state.users.get(userId);
  if (!target) throw USER_NOT_FOUND();
  // Order as api4 createUserAccessToken: OAuth session, description, create_user_access_token, user-or-bot,
  // then the config switch (which bots ignore).
  if (session.kind === 'oauth') throw permissionDenied('create_user_access_token');
  const b = (ctx.body ?? {}) as { description?: unknown; expires_at?: unknown };
  if (typeof b.description !== 'string' || b.description === '') throw invalidParam('description');
  if (!canCreateAccessToken(state, session)) throw permissionDenied('create_user_access_token');
  const ownsBot = target.is_bot && state.bots.get(target.id)?.owner_id === session.user_id;
  if (userId !== session.user_id && !ownsBot && !isAdmin(state, session))
    throw permissionDenied('edit_other_users');
  if (!target.is_bot && !state.config.ServiceSettings.EnableUserAccessTokens) {
    throw disabled(
      'app.user_access_token.disabled',
      'Personal access tokens are disabled on this server. Please contact your system administrator for details.',
    );
  }
  const expiresAt = typeof b.expires_at === 'number' ? b.expires_at : 0;
  const pat: AccessTokenRecord = {
    id: newId(),
    token: newId(),
    user_id: userId,
    description: b.description,
    is_active: true,
    expires_at: expiresAt,
  };
  state.accessTokens.set(pat.id, pat);
  const s = createSession(state, userId, 'pat', { token: pat.token, pat_id: pat.id });
  if (expiresAt > 0) s.expires_at = expiresAt;
  return ok({ ...tokenView(pat), token: pat.token });
}

export function listAccessTokens(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  const bot = state.bots.get(userId);
  if (userId !== session.user_id && !isAdmin(state, session) && bot?.owner_id !== session.user_id)
    throw permissionDenied('read_user_access_token');
  return ok([...state.accessTokens.values()].filter((t) => t.user_id === userId).map(tokenView));
}

function tokenForChange(ctx: RequestContext): AccessTokenRecord {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const id = (ctx.body as { token_id?: unknown } | undefined)?.token_id;
  if (typeof id !== 'string') throw invalidParam('token_id');
  const pat = state.accessTokens.get(id);
  if (!pat)
    throw new SimError(
      404,
      'app.user_access_token.get_by_token.app_error',
      'Unable to get user access token.',
    );
  const bot = state.bots.get(pat.user_id);
  if (pat.user_id !== session.user_id && !isAdmin(state, session) && bot?.owner_id !== session.user_id)
    throw permissionDenied('revoke_user_access_token');
  return pat;
}

export function revokeAccessToken(ctx: RequestContext): Result {
  const pat = tokenForChange(ctx);
  ctx.world.state.accessTokens.delete(pat.id);
  ctx.world.state.sessions.delete(pat.token);
  return STATUS_OK;
}

export function disableAccessToken(ctx: RequestContext): Result {
  tokenForChange(ctx).is_active = false;
  return STATUS_OK;
}

export function enableAccessToken(ctx: RequestContext): Result {
  tokenForChange(ctx).is_active = true;
  return STATUS_OK;
}
