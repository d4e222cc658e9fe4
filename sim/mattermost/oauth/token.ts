import { createHash } from 'node:crypto';
import { createSession } from '../auth.ts';
import { disabled, SimError } from '../errors.ts';
import { type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { newId } from '../ids.ts';
import type { AuthCodeRecord, OAuthAppRecord, OAuthGrantRecord, SimState } from '../state.ts';
import { requireProvider } from './apps.ts';
import { CODE_LIFETIME_MS } from './authorize.ts';

/*
 * The token half of the OAuth 2.0 provider: `POST /oauth/access_token` and `POST /oauth/deauthorize`.
 * Access tokens are sessions of `SessionLengthSSOInHours`; each refresh rotates both tokens and removes the old
 * session; deauthorize removes the user's grant, sessions and pending codes for the app.
 */

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
