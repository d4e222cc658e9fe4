import { createHash } from 'node:crypto';
import { createSession } from '../auth.ts';
import { disabled, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isId, newId } from '../ids.ts';
import type { AuthCodeRecord, OAuthAppRecord, OAuthGrantRecord, SimState } from '../state.ts';
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

/**
 * Validates an authorize request as `AuthorizeRequest.IsValid` and `AllowOAuthAppAccessToUser` do. A
 * response_type other than `code` is not an error here: the caller redirects with `unsupported_response_type`.
 */
function checkAuthorize(state: SimState, p: AuthorizeParams): OAuthAppRecord {
  const bad = (id: string, message: string): SimError => new SimError(400, id, message);
  if (!isId(p.client_id)) throw bad('model.authorize.is_valid.client_id.app_error', 'Invalid client id.');
  if (p.response_type === '')
    throw bad('model.authorize.is_valid.response_type.app_error', 'Invalid response type.');
  if (!/^https?:\/\/\S+$/.test(p.redirect_uri) || p.redirect_uri.length > 256) {
    throw bad('model.authorize.is_valid.redirect_uri.app_error', 'Invalid redirect uri.');
  }
  if (p.code_challenge !== '' || p.code_challenge_method !== '') {
    if (p.code_challenge === '')
      throw bad('model.authorize.is_valid.code_challenge.app_error', 'Invalid code challenge.');
    if (p.code_challenge_method === '') {
      throw bad('model.authorize.is_valid.code_challenge_method.app_error', 'Invalid code challenge method.');
    }
    if (p.code_challenge_method !== 'S256') {
      throw bad(
        'model.authorize.is_valid.code_challenge_method.unsupported.app_error',
        'Only S256 is supported.',
      );
    }
    if (p.code_challenge.length < 43 || p.code_challenge.length > 128) {
      throw bad('model.authorize.is_valid.code_challenge.length.app_error', 'Invalid code challenge length.');
    }
    if (!/^[A-Za-z0-9_-]+$/.test(p.code_challenge)) {
      throw bad('model.authorize.is_valid.code_challenge.format.app_error', 'Invalid code challenge format.');
    }
  }
  const app = state.oauthApps.get(p.client_id);
  if (!app) throw new SimError(404, 'app.oauth.get_app.find.app_error', 'Unable to find the requested app.');
  if (!app.callback_urls.includes(p.redirect_uri)) {
    throw bad(
      'api.oauth.allow_oauth.redirect_callback.app_error',
      'invalid_request: Supplied redirect_uri did not match registered callback_url.',
    );
  }
  if (app.is_public && p.code_challenge === '') {
    throw bad(
      'model.authorize.validate_pkce.public_client_required.app_error',
      'PKCE is required for public clients.',
    );
  }
  return app;
}

/** `redirect_uri?error=unsupported_response_type&state=…`, as the server answers a non-`code` response type. */
function unsupportedResponseType(p: AuthorizeParams): string {
  const url = new URL(p.redirect_uri);
  url.searchParams.set('error', 'unsupported_response_type');
  url.searchParams.set('state', p.state);
  return url.toString();
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
  if (p.response_type !== 'code') return { redirect: unsupportedResponseType(p) };
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
  const redirect =
    p.response_type === 'code' ? issueCode(state, session.user_id, p) : unsupportedResponseType(p);
  return isForm ? { redirect } : ok({ redirect });
}

/**
 * `POST /oauth/access_token` as `GetOAuthAccessTokenForCodeFlow`: client check (`ValidateForGrantType`), then the
 * code or refresh grant. There is one grant per (user, client): exchanging a new code while the grant's session is
 * still valid returns **the same tokens** (with the remaining `expires_in`); an expired one is rotated.
 */
export function accessToken(ctx: RequestContext): Result {
  const state = ctx.world.state;
  if (!state.config.ServiceSettings.EnableOAuthServiceProvider) {
    throw disabled(
      'api.oauth.get_access_token.disabled.app_error',
      'The system admin has turned off OAuth2 Service Provider.',
    );
  }
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  const s = (k: string): string => (typeof b[k] === 'string' ? (b[k] as string) : '');
  const grantType = s('grant_type');
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    throw new SimError(
      400,
      'api.oauth.get_access_token.bad_grant.app_error',
      'invalid_request: Bad grant_type.',
    );
  }
  if (grantType === 'authorization_code' && s('code') === '') {
    throw new SimError(
      400,
      'api.oauth.get_access_token.missing_code.app_error',
      'invalid_request: Missing code.',
    );
  }
  if (grantType === 'refresh_token' && s('refresh_token') === '') {
    throw new SimError(
      400,
      'api.oauth.get_access_token.missing_refresh_token.app_error',
      'invalid_request: Missing refresh_token.',
    );
  }
  const app = state.oauthApps.get(s('client_id'));
  if (!app)
    throw new SimError(
      404,
      'api.oauth.get_access_token.credentials.app_error',
      'invalid_client: The client credentials are invalid.',
    );
  const verifier = s('code_verifier');
  if (app.is_public) {
    const bad = (id: string): SimError =>
      new SimError(400, id, 'invalid_request: Invalid public client request.');
    if (s('client_secret') !== '') throw bad('model.oauth.validate_grant.public_client_secret.app_error');
    if (grantType === 'refresh_token')
      throw bad('model.oauth.validate_grant.public_client_refresh_token.app_error');
    if (verifier === '') throw bad('model.oauth.validate_grant.pkce_required.app_error');
  } else if (app.client_secret !== s('client_secret')) {
    throw new SimError(
      401,
      'model.oauth.validate_grant.credentials.app_error',
      'invalid_client: The client credentials are invalid.',
    );
  }
  return grantType === 'authorization_code'
    ? codeGrant(state, app, s('code'), s('redirect_uri'), verifier)
    : refreshGrant(state, app, s('refresh_token'));
}

function codeGrant(
  state: SimState,
  app: OAuthAppRecord,
  codeValue: string,
  redirectUri: string,
  verifier: string,
): Result {
  const code = state.authCodes.get(codeValue);
  const expired = (): SimError =>
    new SimError(
      403,
      'api.oauth.get_access_token.expired_code.app_error',
      'invalid_grant: Invalid or expired authorization code.',
    );
  if (!code || code.client_id !== app.id) {
    throw new SimError(
      400,
      'api.oauth.get_access_token.expired_code.app_error',
      'invalid_grant: Invalid or expired authorization code.',
    );
  }
  if (state.now() > code.create_at + CODE_LIFETIME_MS) {
    state.authCodes.delete(code.code);
    throw expired();
  }
  if (code.redirect_uri !== redirectUri) {
    throw new SimError(
      400,
      'api.oauth.get_access_token.redirect_uri.app_error',
      'invalid_request: Supplied redirect_uri does not match authorization code redirect_uri.',
    );
  }
  checkPkce(app, code, verifier);
  const user = state.users.get(code.user_id);
  if (user?.delete_at !== 0) throw expired();
  // The code dies only once it has been redeemed (a failed PKCE check leaves it usable, as on the server).
  state.authCodes.delete(code.code);
  const lifetimeMs = state.config.ServiceSettings.SessionLengthSSOInHours * 3600_000;
  const existing = state.oauthGrants.find((g) => g.user_id === user.id && g.client_id === app.id);
  if (existing) {
    const session = state.sessions.get(existing.session_token);
    if (session && (session.expires_at === 0 || session.expires_at > state.now())) {
      return tokenResult(
        app,
        existing.session_token,
        existing.refresh_token,
        Math.floor((session.expires_at - state.now()) / 1000),
        existing.scope,
      );
    }
    return rotate(state, app, existing, lifetimeMs);
  }
  const session = createSession(state, user.id, 'oauth', { lifetimeMs, oauth_app_id: app.id });
  const grant: OAuthGrantRecord = {
    client_id: app.id,
    user_id: user.id,
    session_token: session.token,
    refresh_token: app.is_public ? '' : newId(),
    redirect_uri: code.redirect_uri,
    scope: code.scope,
  };
  state.oauthGrants.push(grant);
  return tokenResult(
    app,
    grant.session_token,
    grant.refresh_token,
    Math.floor(lifetimeMs / 1000),
    grant.scope,
  );
}

/** `AuthData.ValidatePKCEForClientType`: verifier 43–128 unreserved characters, S256 only. */
function checkPkce(app: OAuthAppRecord, code: AuthCodeRecord, verifier: string): void {
  const bad = (id: string): SimError => new SimError(400, id, 'invalid_grant: PKCE verification failed.');
  if (code.code_challenge === '') {
    if (app.is_public) throw bad('model.authorize.validate_pkce.public_client_required.app_error');
    if (verifier !== '') throw bad('model.authorize.validate_pkce.not_used_in_auth.app_error');
    return;
  }
  if (verifier === '') throw bad('model.authorize.validate_pkce.verifier_required.app_error');
  const wellFormed = verifier.length >= 43 && verifier.length <= 128 && /^[A-Za-z0-9\-._~]+$/.test(verifier);
  if (!wellFormed || createHash('sha256').update(verifier).digest('base64url') !== code.code_challenge) {
    throw bad('model.authorize.validate_pkce.verification_failed.app_error');
  }
}

/**
 * Refresh: a new session and a new refresh token; the old session is removed and the old refresh token dies.
 * Assumption (stricter than the server, which looks the refresh token up without its client): the refresh token
 * must belong to the authenticated client.
 */
function refreshGrant(state: SimState, app: OAuthAppRecord, refreshToken: string): Result {
  const grant = state.oauthGrants.find((g) => g.refresh_token === refreshToken && g.client_id === app.id);
  if (!grant)
    throw new SimError(
      404,
      'api.oauth.get_access_token.refresh_token.app_error',
      'invalid_grant: Invalid refresh token.',
    );
  return rotate(state, app, grant, state.config.ServiceSettings.SessionLengthSSOInHours * 3600_000);
}

function rotate(state: SimState, app: OAuthAppRecord, grant: OAuthGrantRecord, lifetimeMs: number): Result {
  state.sessions.delete(grant.session_token);
  const session = createSession(state, grant.user_id, 'oauth', { lifetimeMs, oauth_app_id: app.id });
  grant.session_token = session.token;
  grant.refresh_token = app.is_public ? '' : newId();
  return tokenResult(
    app,
    grant.session_token,
    grant.refresh_token,
    Math.floor(lifetimeMs / 1000),
    grant.scope,
  );
}

function tokenResult(
  app: OAuthAppRecord,
  access: string,
  refresh: string,
  expiresIn: number,
  scope: string,
): Result {
  const json: Record<string, unknown> = {
    access_token: access,
    token_type: 'bearer',
    expires_in: expiresIn,
    scope,
  };
  if (!app.is_public && refresh !== '') json.refresh_token = refresh;
  return { status: 200, json, headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } };
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
