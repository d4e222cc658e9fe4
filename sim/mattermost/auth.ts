import type { FastifyRequest } from 'fastify';
import { SimError, sessionExpired } from './errors.ts';
import { newId } from './ids.ts';
import type { SessionKind, SessionRecord, SimState } from './state.ts';

/**
 * Token → session, as the server's `ParseAuthTokenFromRequest` + `GetSession` do it.
 *
 * Contract: the token comes from `Authorization: Bearer|Token <t>` (scheme case-insensitive; Client4 sends
 * "BEARER"), else the `MMAUTHTOKEN` cookie, else `?access_token=`. A token that is unknown, expired, belongs to a
 * deactivated user, or is a PAT of a human while `EnableUserAccessTokens` is off gives 401
 * `api.context.session_expired.app_error`; the caller never learns which.
 */
export function tokenFromRequest(
  request: FastifyRequest,
): { token: string; via: 'header' | 'cookie' | 'query' } | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^(bearer|token)\s+(\S+)$/i.exec(header.trim());
    if (m?.[2]) return { token: m[2], via: 'header' };
  }
  const cookie = request.headers.cookie;
  if (typeof cookie === 'string') {
    for (const part of cookie.split(';')) {
      const [k, v] = part.trim().split('=');
      if (k === 'MMAUTHTOKEN' && v) return { token: decodeURIComponent(v), via: 'cookie' };
    }
  }
  const q = (request.query as Record<string, unknown> | undefined)?.access_token;
  if (typeof q === 'string' && q) return { token: q, via: 'query' };
  return undefined;
}

/** The live session for `token`, or a thrown 401. */
export function sessionForToken(state: SimState, token: string): SessionRecord {
  const session = state.sessions.get(token);
  if (!session) throw sessionExpired('token not found');
  if (session.expires_at !== 0 && session.expires_at <= state.now()) {
    state.sessions.delete(token);
    throw sessionExpired('session expired');
  }
  const user = state.users.get(session.user_id);
  if (user?.delete_at !== 0) throw sessionExpired('user deactivated');
  if (session.kind === 'pat') {
    const pat = session.pat_id ? state.accessTokens.get(session.pat_id) : undefined;
    if (!pat?.is_active) throw sessionExpired('access token disabled');
    if (!state.config.ServiceSettings.EnableUserAccessTokens && !user.is_bot) {
      throw new SimError(
        401,
        'api.context.session_expired.app_error',
        'Invalid or expired session, please login again.',
        'user access tokens disabled',
      );
    }
  }
  return session;
}

export function createSession(
  state: SimState,
  userId: string,
  kind: SessionKind,
  extra: { token?: string; lifetimeMs?: number; pat_id?: string; oauth_app_id?: string } = {},
): SessionRecord {
  const now = state.now();
  const session: SessionRecord = {
    id: newId(),
    token: extra.token ?? newId(),
    user_id: userId,
    kind,
    create_at: now,
    expires_at: extra.lifetimeMs ? now + extra.lifetimeMs : 0,
  };
  if (extra.pat_id) session.pat_id = extra.pat_id;
  if (extra.oauth_app_id) session.oauth_app_id = extra.oauth_app_id;
  state.sessions.set(session.token, session);
  return session;
}

/** True for sessions the server treats as integrations (bot, PAT, OAuth): hardened mode lets only them set reserved props. */
export function isIntegrationSession(state: SimState, session: SessionRecord): boolean {
  return session.kind !== 'login' || (state.users.get(session.user_id)?.is_bot ?? false);
}

/** True while `token` would still authenticate a request (used by the WebSocket hub before each event). */
export function isSessionLive(state: SimState, token: string): boolean {
  try {
    sessionForToken(state, token);
    return true;
  } catch {
    return false;
  }
}
