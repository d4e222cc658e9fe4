import { disabled, invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isId, newId } from '../ids.ts';
import { isAdmin } from '../permissions.ts';
import type { OAuthAppRecord, SessionRecord } from '../state.ts';

/**
 * OAuth 2.0 client registrations (server api4/oauth.go). Needs `EnableOAuthServiceProvider` (else 501
 * `api.oauth.register_oauth_app.turn_off.app_error`) and `manage_oauth` (system admins by default). `is_trusted`
 * skips the consent page. An app without a secret request (`is_public`) is a public client, for which PKCE is
 * mandatory.
 */
export const APP_NOT_FOUND = (): SimError =>
  new SimError(404, 'app.oauth.get_app.find.app_error', 'Unable to find the requested app.');

export function requireProvider(ctx: RequestContext): void {
  if (!ctx.world.state.config.ServiceSettings.EnableOAuthServiceProvider) {
    throw disabled(
      'api.oauth.register_oauth_app.turn_off.app_error',
      'The system admin has turned off OAuth2 Service Provider.',
    );
  }
}

export function appView(app: OAuthAppRecord, withSecret: boolean): Record<string, unknown> {
  return {
    id: app.id,
    creator_id: app.creator_id,
    create_at: app.create_at,
    update_at: app.update_at,
    client_secret: withSecret ? app.client_secret : '',
    name: app.name,
    description: app.description,
    icon_url: app.icon_url,
    callback_urls: [...app.callback_urls],
    homepage: app.homepage,
    is_trusted: app.is_trusted,
    is_public: app.is_public,
  };
}

function validUrl(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The registration fields, validated as `OAuthApp.IsValid` (name, callback URLs, homepage). */
function validateAppFields(b: Record<string, unknown>): {
  name: string;
  description: string;
  icon_url: string;
  homepage: string;
  callback_urls: string[];
} {
  if (typeof b.name !== 'string' || b.name === '' || b.name.length > 64) {
    throw new SimError(400, 'model.oauth.is_valid.name.app_error', 'Invalid name.');
  }
  if (!Array.isArray(b.callback_urls) || b.callback_urls.length === 0 || !b.callback_urls.every(validUrl)) {
    throw new SimError(
      400,
      'model.oauth.is_valid.callback.app_error',
      'Callback URL must be a valid URL and start with http:// or https://.',
    );
  }
  if (!validUrl(b.homepage)) {
    throw new SimError(
      400,
      'model.oauth.is_valid.homepage.app_error',
      'Homepage must be a valid URL and start with http:// or https://.',
    );
  }
  return {
    name: b.name,
    description: typeof b.description === 'string' ? b.description : '',
    icon_url: typeof b.icon_url === 'string' ? b.icon_url : '',
    homepage: b.homepage,
    callback_urls: b.callback_urls as string[],
  };
}

export function createOAuthApp(ctx: RequestContext): Result {
  requireProvider(ctx);
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  if (!isAdmin(state, session)) throw permissionDenied('manage_oauth');
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  const fields = validateAppFields(b);
  const now = state.now();
  const isPublic = b.is_public === true;
  const app: OAuthAppRecord = {
    id: newId(),
    creator_id: session.user_id,
    client_secret: isPublic ? '' : newId(),
    ...fields,
    is_trusted: b.is_trusted === true,
    is_public: isPublic,
    create_at: now,
    update_at: now,
  };
  state.oauthApps.set(app.id, app);
  return ok(appView(app, true), 201);
}

function ownApp(ctx: RequestContext, session: SessionRecord): OAuthAppRecord {
  const id = ctx.params.app_id;
  if (!isId(id)) throw invalidUrlParam('app_id');
  const app = ctx.world.state.oauthApps.get(id);
  if (!app) throw APP_NOT_FOUND();
  if (app.creator_id !== session.user_id && !isAdmin(ctx.world.state, session))
    throw permissionDenied('manage_system_wide_oauth');
  return app;
}

export function listOAuthApps(ctx: RequestContext): Result {
  requireProvider(ctx);
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  if (!isAdmin(state, session)) throw permissionDenied('manage_oauth');
  return ok([...state.oauthApps.values()].map((a) => appView(a, true)));
}

export function getOAuthApp(ctx: RequestContext): Result {
  requireProvider(ctx);
  return ok(appView(ownApp(ctx, sessionOf(ctx)), true));
}

/** Public info for the consent page: no secret, no callbacks. */
export function getOAuthAppInfo(ctx: RequestContext): Result {
  requireProvider(ctx);
  const app = ctx.world.state.oauthApps.get(ctx.params.app_id ?? '');
  if (!app) throw APP_NOT_FOUND();
  return ok({
    id: app.id,
    name: app.name,
    description: app.description,
    icon_url: app.icon_url,
    homepage: app.homepage,
  });
}

/**
 * `PUT /oauth/apps/{id}`: the body is the whole app (its `id` must match the path); name, description, icon,
 * homepage and callback URLs are replaced and validated as on create, `is_trusted` only by admins. The secret and
 * the creator stay.
 */
export function updateOAuthApp(ctx: RequestContext): Result {
  requireProvider(ctx);
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const app = ownApp(ctx, session);
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  if (b.id !== app.id)
    throw new SimError(
      400,
      'api.context.invalid_body_param.app_error',
      'Invalid or missing id in request body.',
    );
  const fields = validateAppFields(b);
  app.name = fields.name;
  app.description = fields.description;
  app.icon_url = fields.icon_url;
  app.homepage = fields.homepage;
  app.callback_urls = fields.callback_urls;
  if (typeof b.is_trusted === 'boolean' && isAdmin(state, session)) app.is_trusted = b.is_trusted;
  app.update_at = state.now();
  return ok(appView(app, true));
}

export function regenOAuthSecret(ctx: RequestContext): Result {
  requireProvider(ctx);
  const app = ownApp(ctx, sessionOf(ctx));
  if (!app.is_public) app.client_secret = newId();
  app.update_at = ctx.world.state.now();
  return ok(appView(app, true));
}

export function deleteOAuthApp(ctx: RequestContext): Result {
  requireProvider(ctx);
  const state = ctx.world.state;
  const app = ownApp(ctx, sessionOf(ctx));
  state.oauthApps.delete(app.id);
  for (const g of state.oauthGrants.filter((x) => x.client_id === app.id))
    state.sessions.delete(g.session_token);
  state.oauthGrants = state.oauthGrants.filter((g) => g.client_id !== app.id);
  return STATUS_OK;
}

export function getAuthorizedApps(ctx: RequestContext): Result {
  requireProvider(ctx);
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const userId = ctx.params.user_id === 'me' ? session.user_id : ctx.params.user_id;
  if (userId !== session.user_id && !isAdmin(state, session)) throw permissionDenied('edit_other_users');
  const ids = new Set(state.oauthGrants.filter((g) => g.user_id === userId).map((g) => g.client_id));
  return ok(
    [...ids]
      .map((id) => state.oauthApps.get(id))
      .filter((a) => a !== undefined)
      .map((a) => appView(a, false)),
  );
}
