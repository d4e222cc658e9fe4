import { createHash } from 'node:crypto';
import { createSession } from '../auth.ts';
import { permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { newId } from '../ids.ts';
import type { AuthCodeRecord, OAuthAppRecord, SimState } from '../state.ts';
import { requireProvider } from './apps.ts';
import { consentPage, errorPage, loginPage } from './pages.ts';

/**
 * Mattermost as an OAuth 2.0 provider (server web/oauth.go, app/oauth.go, model/access.go).
 *
 * Contract:
 * - `GET /oauth/authorize` (browser): without a session cookie → 302 to `/login?redirect_to=…`; with one →
 *   consent page, or straight 302 to the redirect URI with `code` and `state` when the app is trusted or the sim's
 *   `SimSettings.OAuthAutoApprove` is on. A redirect URI that is not registered is refused on the page (never
 *   redirected to). `POST /oauth/authorize` is the consent's "Allow": JSON (Client4 `authorizeOAuthApp`) →
 *   `{redirect}`, form → 302. OAuth sessions may not authorize (403).
 * - PKCE: `S256` only; mandatory for public clients; once a code was issued with a challenge, the token request
 *   must carry the matching `code_verifier`. Codes live 10 minutes and are single-use.
 * - `POST /oauth/access_token` (form): `authorization_code` or `refresh_token` → `{access_token, token_type:
 *   "bearer", expires_in, scope, refresh_token}` with `Cache-Control: no-store`. The access token is a session of
 *   `SessionLengthSSOInHours`. **Each refresh rotates both tokens and removes the old session**; a used refresh
 *   token is dead.
 * - `POST /oauth/deauthorize {client_id}` removes the user's grant and sessions for that app.
 */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;

interface AuthorizeParams {
  client_id: string;
  response_type: string;
  redirect_uri: string;
  state: string;
  scope: string;
  code_challenge: string;
  code_challenge_method: string;
}

function params(src: Record<string, unknown>): AuthorizeParams {
  const s = (k: string): string => (typeof src[k] === 'string' ? (src[k] as string) : '');
  return {
    client_id: s('client_id'),
    response_type: s('response_type'),
    redirect_uri: s('redirect_uri'),
    state: s('state'),
    scope: s('scope'),
    code_challenge: s('code_challenge'),
    code_challenge_method: s('code_challenge_method'),
  };
}

/** Validates an authorize request; the errors are the server's `AuthorizeRequest.IsValid` + allow checks. */
function checkAuthorize(state: SimState, p: AuthorizeParams): OAuthAppRecord {
  const app = state.oauthApps.get(p.client_id);
  if (!app)
    throw new SimError(
      404,
      'api.oauth.allow_oauth.database.app_error',
      'An error occurred getting the OAuth app.',
    );
  if (p.response_type !== 'code')
    throw new SimError(400, 'api.oauth.allow_oauth.bad_response.app_error', 'Bad response_type.');
  if (!app.callback_urls.includes(p.redirect_uri)) {
    throw new SimError(
      400,
      'api.oauth.allow_oauth.redirect_callback.app_error',
      'invalid_request: Supplied redirect_uri did not match registered callback_url.',
    );
  }
  if (p.code_challenge !== '') {
    if (p.code_challenge_method !== 'S256')
      throw new SimError(
        400,
        'model.authorize.is_valid.code_challenge_method.app_error',
        'Invalid code_challenge_method: only S256 is supported.',
      );
    if (!/^[A-Za-z0-9_-]{43,128}$/.test(p.code_challenge))
      throw new SimError(400, 'model.authorize.is_valid.code_challenge.app_error', 'Invalid code_challenge.');
  } else if (app.is_public) {
    throw new SimError(
      400,
      'api.oauth.allow_oauth.pkce_required.app_error',
      'PKCE is required for public clients.',
    );
  }
  return app;
}

function issueCode(state: SimState, userId: string, p: AuthorizeParams): string {
  const code: AuthCodeRecord = {
    code: newId() + newId(),
    client_id: p.client_id,
    user_id: userId,
    redirect_uri: p.redirect_uri,
    scope: p.scope || 'user',
    state: p.state,
    create_at: state.now(),
    code_challenge: p.code_challenge,
    code_challenge_method: p.code_challenge_method,
  };
  state.authCodes.set(code.code, code);
  const url = new URL(p.redirect_uri);
  url.searchParams.set('code', code.code);
  if (p.state) url.searchParams.set('state', p.state);
  return url.toString();
}

export function authorizePage(ctx: RequestContext): Result {
  const state = ctx.world.state;
  if (!state.config.ServiceSettings.EnableOAuthServiceProvider)
    return errorPage(501, 'The system admin has turned off OAuth2 Service Provider.');
  const p = params(ctx.query);
  let app: OAuthAppRecord;
  try {
    app = checkAuthorize(state, p);
  } catch (e) {
    return errorPage(400, e instanceof SimError ? e.message : 'invalid request');
  }
  if (!ctx.session) {
    return { redirect: `/login?redirect_to=${encodeURIComponent(ctx.request.url)}` };
  }
  if (ctx.session.kind === 'oauth') return errorPage(403, 'An OAuth session cannot authorize apps.');
  if (app.is_trusted || state.config.SimSettings.OAuthAutoApprove)
    return { redirect: issueCode(state, ctx.session.user_id, p) };
  return consentPage(app, p);
}

export function authorizeAllow(ctx: RequestContext): Result {
  requireProvider(ctx);
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  if (session.kind === 'oauth') throw permissionDenied('edit_other_users');
  const isForm = (ctx.request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const p = params((ctx.body ?? {}) as Record<string, unknown>);
  checkAuthorize(state, p);
  if (isForm && (ctx.body as Record<string, unknown>).deny !== undefined) {
    const url = new URL(p.redirect_uri);
    url.searchParams.set('error', 'access_denied');
    if (p.state) url.searchParams.set('state', p.state);
    return { redirect: url.toString() };
  }
  const redirect = issueCode(state, session.user_id, p);
  return isForm ? { redirect } : ok({ redirect });
}

function tokenError(status: number, id: string, message: string): SimError {
  return new SimError(status, id, message);
}

export function accessToken(ctx: RequestContext): Result {
  requireProvider(ctx);
  const state = ctx.world.state;
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  const s = (k: string): string => (typeof b[k] === 'string' ? (b[k] as string) : '');
  const grantType = s('grant_type');
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    throw tokenError(
      400,
      'api.oauth.get_access_token.bad_grant.app_error',
      'invalid_request: Bad grant_type.',
    );
  }
  const app = state.oauthApps.get(s('client_id'));
  if (!app || (!app.is_public && app.client_secret !== s('client_secret'))) {
    throw tokenError(
      403,
      'api.oauth.get_access_token.credentials.app_error',
      'invalid_client: The client credentials are invalid.',
    );
  }
  const lifetimeMs = state.config.ServiceSettings.SessionLengthSSOInHours * 3600_000;
  if (grantType === 'authorization_code') {
    const code = state.authCodes.get(s('code'));
    if (!code || code.client_id !== app.id || state.now() - code.create_at > CODE_LIFETIME_MS) {
      if (code) state.authCodes.delete(code.code);
      throw tokenError(
        400,
        'api.oauth.get_access_token.expired_code.app_error',
        'invalid_grant: Invalid or expired authorization code.',
      );
    }
    state.authCodes.delete(code.code);
    if (code.redirect_uri !== s('redirect_uri')) {
      throw tokenError(
        400,
        'api.oauth.get_access_token.redirect_uri.app_error',
        'invalid_request: Supplied redirect_uri does not match authorization code redirect_uri.',
      );
    }
    if (code.code_challenge !== '') {
      const verifier = s('code_verifier');
      const digest = createHash('sha256').update(verifier).digest('base64url');
      if (verifier === '' || digest !== code.code_challenge) {
        throw tokenError(
          400,
          'api.oauth.get_access_token.pkce_verification_failed.app_error',
          'invalid_grant: PKCE verification failed.',
        );
      }
    } else if (s('code_verifier') !== '') {
      throw tokenError(
        400,
        'api.oauth.get_access_token.pkce_verification_failed.app_error',
        'invalid_grant: code_verifier given but no code_challenge was issued.',
      );
    }
    const session = createSession(state, code.user_id, 'oauth', { lifetimeMs, oauth_app_id: app.id });
    const grant = {
      client_id: app.id,
      user_id: code.user_id,
      session_token: session.token,
      refresh_token: newId(),
      redirect_uri: code.redirect_uri,
      scope: code.scope,
    };
    state.oauthGrants.push(grant);
    return tokenResult(grant.session_token, grant.refresh_token, lifetimeMs, grant.scope);
  }
  const grant = state.oauthGrants.find(
    (g) => g.refresh_token === s('refresh_token') && g.client_id === app.id,
  );
  if (!grant || s('refresh_token') === '') {
    throw tokenError(
      400,
      'api.oauth.get_access_token.refresh_token.app_error',
      'invalid_grant: Invalid refresh token.',
    );
  }
  state.sessions.delete(grant.session_token);
  const session = createSession(state, grant.user_id, 'oauth', { lifetimeMs, oauth_app_id: app.id });
  grant.session_token = session.token;
  grant.refresh_token = newId();
  return tokenResult(grant.session_token, grant.refresh_token, lifetimeMs, grant.scope);
}

function tokenResult(access: string, refresh: string, lifetimeMs: number, scope: string): Result {
  return {
    status: 200,
    json: {
      access_token: access,
      token_type: 'bearer',
      expires_in: Math.floor(lifetimeMs / 1000),
      scope,
      refresh_token: refresh,
    },
    headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
  };
}

export function deauthorize(ctx: RequestContext): Result {
  requireProvider(ctx);
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const clientId = (ctx.body as { client_id?: unknown } | undefined)?.client_id;
  if (typeof clientId !== 'string' || clientId === '')
    throw new SimError(
      400,
      'api.context.invalid_body_param.app_error',
      'Invalid or missing client_id in request body.',
    );
  for (const g of state.oauthGrants.filter((x) => x.client_id === clientId && x.user_id === session.user_id))
    state.sessions.delete(g.session_token);
  state.oauthGrants = state.oauthGrants.filter(
    (g) => !(g.client_id === clientId && g.user_id === session.user_id),
  );
  for (const [code, c] of state.authCodes)
    if (c.client_id === clientId && c.user_id === session.user_id) state.authCodes.delete(code);
  return STATUS_OK;
}

export function showLogin(ctx: RequestContext): Result {
  return loginPage(ctx.query.redirect_to ?? '/', '');
}

/** The sim's login form: sets `MMAUTHTOKEN` and returns to `redirect_to` (same-origin paths only). */
export function submitLogin(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  const loginId = typeof b.login_id === 'string' ? b.login_id : '';
  const redirectTo =
    typeof b.redirect_to === 'string' && b.redirect_to.startsWith('/') && !b.redirect_to.startsWith('//')
      ? b.redirect_to
      : '/';
  const user = state.userByUsername(loginId) ?? state.userByEmail(loginId);
  if (!user || user.is_bot || user.delete_at !== 0 || user.password === '' || user.password !== b.password) {
    return { ...loginPage(redirectTo, 'Enter a valid email or username and/or password.'), status: 401 };
  }
  const session = createSession(state, user.id, 'login', {
    lifetimeMs: state.config.ServiceSettings.SessionLengthWebInHours * 3600_000,
  });
  return {
    redirect: redirectTo,
    headers: { 'Set-Cookie': `MMAUTHTOKEN=${session.token}; Path=/; HttpOnly; SameSite=Lax` },
  };
}
