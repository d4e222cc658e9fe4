import { permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, sessionOf } from '../http/context.ts';
import { isId, newId } from '../ids.ts';
import type { AuthCodeRecord, OAuthAppRecord, SimState } from '../state.ts';
import { requireProvider } from './apps.ts';
import { consentPage, errorPage } from './pages.ts';

/**
 * Mattermost as an OAuth 2.0 provider, the authorize half (server web/oauth.go, app/oauth.go, model/authorize.go);
 * the token endpoint is in token.ts.
 *
 * Contract:
 * - `GET /oauth/authorize` (browser): without a session cookie → 302 to `/login?redirect_to=…`; with one →
 *   consent page, or straight 302 to the redirect URI with `code` and `state` when the app is trusted or the sim's
 *   `SimSettings.OAuthAutoApprove` is on. A redirect URI that is not registered is refused on the page (never
 *   redirected to). `POST /oauth/authorize` is the consent's "Allow": JSON (Client4 `authorizeOAuthApp`) →
 *   `{redirect}`, form → 302. OAuth sessions may not authorize (403).
 * - PKCE parameters are checked as `AuthorizeRequest.IsValid` (S256 only, 43–128 base64url characters) and are
 *   mandatory for public clients. Codes live 10 minutes.
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
