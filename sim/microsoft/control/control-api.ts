/**
 * The control API under `/_sim` (JSON, `Authorization: Bearer <controlToken>`): everything a test needs that
 * Microsoft would not let it do. Each handler's comment is its contract; docs/simulators/microsoft.md lists them.
 */
import type { Handler, SimContext, SimSettings } from '../context.ts';
import { issueAccessToken } from '../entra/access-token.ts';
import type { FaultInput } from '../faults.ts';
import { badRequest, GraphError } from '../graph-error.ts';
import { guid, randomSecret } from '../ids.ts';
import { addApp, addUser } from '../seed.ts';
import type { AppRecord, UserRecord } from '../state.ts';

type Json = Record<string, unknown>;
const bodyOf = (b: unknown): Json => (b && typeof b === 'object' && !Buffer.isBuffer(b) ? (b as Json) : {});
const ok = (body: unknown, status = 200) => ({ status, body });

/** The ready line: what `mm365 sim microsoft` prints and `startMicrosoftSim` resolves with (start contract). */
export interface MicrosoftSimReady {
  ready: true;
  authority: string;
  graph: string;
  control: string;
  controlToken: string;
  ca: string;
  tenantId: string;
  app: { clientId: string; clientSecret: string; redirectUris: string[] };
  users: Record<string, { id: string; mail: string }>;
}

export function readyOf(ctx: SimContext, caPath: string): MicrosoftSimReady {
  const app = [...ctx.state.apps.values()][0];
  if (!app) throw new Error('microsoft sim: a tenant needs at least one app');
  return {
    ready: true,
    authority: ctx.urls.authority,
    graph: ctx.urls.graph,
    control: ctx.urls.control,
    controlToken: ctx.controlToken,
    ca: caPath,
    tenantId: ctx.state.tenant.id,
    app: {
      clientId: app.clientId,
      clientSecret: app.secrets[0]?.value ?? '',
      redirectUris: [...app.redirectUris],
    },
    users: Object.fromEntries([...ctx.state.users.values()].map((u) => [u.key, { id: u.id, mail: u.mail }])),
  };
}

function userRef(ctx: SimContext, ref: string | undefined): UserRecord {
  const u = ref ? ctx.state.findUser(ref) : undefined;
  if (!u) throw new GraphError(404, 'NotFound', `No user '${ref ?? ''}'.`);
  return u;
}

function appRef(ctx: SimContext, id: string | undefined): AppRecord {
  const a = id ? ctx.state.apps.get(id) : [...ctx.state.apps.values()][0];
  if (!a) throw new GraphError(404, 'NotFound', `No app '${id ?? ''}'.`);
  return a;
}

/** GET /_sim/ready → the ready line object (current tenant). */
export const getReady =
  (caPath: string): Handler =>
  (_req, ctx) =>
    ok(readyOf(ctx, caPath));

/** POST /_sim/reset {seed?} → replaces all state with the seed (demo tenant if absent); faults and counters cleared. */
export const reset =
  (caPath: string): Handler =>
  async (req, ctx) => {
    const b = bodyOf(req.body);
    await ctx.reseed(b.seed);
    return ok(readyOf(ctx, caPath));
  };

/** POST /_sim/users {key, displayName, mail?, userType?, timeZone?} → 201 user record. */
export const addUserRoute: Handler = (req, ctx) => {
  const b = bodyOf(req.body);
  try {
    return ok(addUser(ctx.state, b as Parameters<typeof addUser>[1]), 201);
  } catch (e) {
    throw badRequest(String(e));
  }
};

/**
 * PATCH /_sim/users/:ref {accountEnabled?, timeZone?} → user. Disabling revokes the user's refresh tokens and,
 * as Outlook does on account disable, removes the subscriptions the user created, sending `subscriptionRemoved`
 * where a lifecycle URL exists (graph-api.md §5.5).
 */
export const patchUser: Handler = async (req, ctx) => {
  const u = userRef(ctx, req.params.ref);
  const b = bodyOf(req.body);
  if (typeof b.accountEnabled === 'boolean') u.accountEnabled = b.accountEnabled;
  if (typeof b.timeZone === 'string') u.timeZone = b.timeZone;
  if (!u.accountEnabled) {
    for (const rt of ctx.state.refreshTokens.values()) if (rt.userId === u.id) rt.revoked = true;
    for (const sub of [...ctx.state.subscriptions.values()]) {
      if (sub.creatorId !== u.id) continue;
      if (sub.lifecycleNotificationUrl) await ctx.notifier.lifecycle(sub.id, 'subscriptionRemoved');
      else ctx.state.subscriptions.delete(sub.id);
    }
  }
  return ok(u);
};

/**
 * POST /_sim/users/:ref/revoke → revokes every refresh token of the user (next refresh: AADSTS50173) and, as
 * Graph does when access is revoked, sends `reauthorizationRequired` for the user's subscriptions that have a
 * lifecycle URL. Answers {revoked, reauthorizationRequired}.
 */
export const revokeUser: Handler = async (req, ctx) => {
  const u = userRef(ctx, req.params.ref);
  let n = 0;
  for (const rt of ctx.state.refreshTokens.values()) {
    if (rt.userId === u.id && !rt.revoked) {
      rt.revoked = true;
      n++;
    }
  }
  let lifecycle = 0;
  for (const sub of [...ctx.state.subscriptions.values()]) {
    if (sub.creatorId !== u.id || !sub.lifecycleNotificationUrl) continue;
    await ctx.notifier.lifecycle(sub.id, 'reauthorizationRequired');
    lifecycle++;
  }
  return ok({ revoked: n, reauthorizationRequired: lifecycle });
};

/** POST /_sim/apps {displayName, redirectUris, delegatedPermissions, applicationPermissions, …} → 201 {clientId, clientSecret}. */
export const addAppRoute: Handler = (req, ctx) => {
  const b = bodyOf(req.body);
  try {
    const a = addApp(ctx.state, b as Parameters<typeof addApp>[1], ctx.clock.now());
    return ok({ ...a, clientSecret: a.secrets[0]?.value }, 201);
  } catch (e) {
    throw badRequest(String(e));
  }
};

/** PATCH /_sim/apps/:clientId {autoApprove?, delegatedPermissions?, applicationPermissions?, isPublicClient?} → app. */
export const patchApp: Handler = (req, ctx) => {
  const a = appRef(ctx, req.params.clientId);
  const b = bodyOf(req.body);
  if (typeof b.autoApprove === 'boolean') a.autoApprove = b.autoApprove;
  if (typeof b.isPublicClient === 'boolean') a.isPublicClient = b.isPublicClient;
  if (Array.isArray(b.delegatedPermissions)) a.delegatedPermissions = b.delegatedPermissions.map(String);
  if (Array.isArray(b.applicationPermissions))
    a.applicationPermissions = b.applicationPermissions.map(String);
  return ok(a);
};

/** POST /_sim/apps/:clientId/redirect-uris {uri} → app (idempotent). */
export const addRedirectUri: Handler = (req, ctx) => {
  const a = appRef(ctx, req.params.clientId);
  const uri = bodyOf(req.body).uri;
  if (typeof uri !== 'string' || !/^https?:\/\//.test(uri)) throw badRequest('uri must be an http(s) URL');
  if (!a.redirectUris.includes(uri)) a.redirectUris.push(uri);
  return ok(a);
};

/** POST /_sim/apps/:clientId/secrets {expiresInSeconds?} → 201 {id, value, expiresAt}; old secrets stay valid. */
export const addSecret: Handler = (req, ctx) => {
  const a = appRef(ctx, req.params.clientId);
  const secs = Number(bodyOf(req.body).expiresInSeconds ?? 730 * 86400);
  const s = { id: guid(), value: randomSecret(), expiresAt: ctx.clock.now() + secs * 1000 };
  a.secrets.push(s);
  return ok(s, 201);
};

/**
 * POST /_sim/tokens → 200 {access_token, expires_in, token_type}.
 * Delegated: {user, clientId?, scopes?, lifetimeSeconds?} (scopes default to all consented delegated ones).
 * App-only: {app: true, clientId?, roles?, lifetimeSeconds?}. Scopes/roles may exceed consent: that is the point
 * of a test hook.
 */
export const issueToken: Handler = async (req, ctx) => {
  const b = bodyOf(req.body);
  const app = appRef(ctx, typeof b.clientId === 'string' ? b.clientId : undefined);
  const lifetime = typeof b.lifetimeSeconds === 'number' ? b.lifetimeSeconds : undefined;
  const issued =
    b.app === true
      ? await issueAccessToken(
          ctx,
          {
            kind: 'app',
            appId: app.clientId,
            roles: Array.isArray(b.roles) ? b.roles.map(String) : app.applicationPermissions,
          },
          lifetime,
        )
      : await issueAccessToken(
          ctx,
          {
            kind: 'delegated',
            appId: app.clientId,
            userId: userRef(ctx, typeof b.user === 'string' ? b.user : undefined).id,
            scopes: Array.isArray(b.scopes) ? b.scopes.map(String) : app.delegatedPermissions,
          },
          lifetime,
        );
  return ok({
    token_type: 'Bearer',
    access_token: issued.token,
    expires_in: issued.expiresIn,
    token_id: issued.tokenId,
  });
};

/** POST /_sim/tokens/revoke {tokenId} → 204; the access token is refused from now on. */
export const revokeToken: Handler = (req, ctx) => {
  const id = bodyOf(req.body).tokenId;
  if (typeof id !== 'string') throw badRequest('tokenId required');
  ctx.state.revokedTokenIds.add(id);
  return { status: 204 };
};

/** GET /_sim/clock → {now: ISO, ms}. */
export const getClock: Handler = (_req, ctx) =>
  ok({ now: ctx.clock.date().toISOString(), ms: ctx.clock.now() });

/** POST /_sim/clock/advance {ms} → {now, ms}; due timers (expiry, retries) run before it answers. */
export const advanceClock: Handler = async (req, ctx) => {
  const ms = Number(bodyOf(req.body).ms);
  if (!Number.isFinite(ms) || ms < 0) throw badRequest('ms must be a number ≥ 0');
  await ctx.clock.advance(ms);
  return getClock(req, ctx);
};

/** POST /_sim/clock/set {at: ISO} → {now, ms}; refused (400) if it is in the past. */
export const setClock: Handler = async (req, ctx) => {
  const at = Date.parse(String(bodyOf(req.body).at));
  try {
    await ctx.clock.set(at);
  } catch (e) {
    throw badRequest(String(e));
  }
  return getClock(req, ctx);
};

/**
 * POST /_sim/faults {method?, path, count?, status?, latencyMs?, drop?, aadsts?, code?, message?, headers?}
 * → 201 rule. `path` is a glob over the request path (`*` matches anything, `/` included).
 */
export const addFault: Handler = (req, ctx) => {
  const b = bodyOf(req.body);
  if (typeof b.path !== 'string') throw badRequest('path (glob) required');
  return ok(ctx.faults.add(b as FaultInput), 201);
};

/** GET /_sim/faults → pending rules. DELETE → removes them all. */
export const listFaults: Handler = (_req, ctx) => ok({ value: ctx.faults.list() });
export const clearFaults: Handler = (_req, ctx) => {
  ctx.faults.clear();
  return { status: 204 };
};

/** GET /_sim/counters → {routes, apps, users, statuses, notifications}. DELETE → zeroes them. */
export const getCounters: Handler = (_req, ctx) => ok(ctx.counters.snapshot());
export const clearCounters: Handler = (_req, ctx) => {
  ctx.counters.reset();
  return { status: 204 };
};

/**
 * PATCH /_sim/settings {throttling?: {enabled, scale}, metering?: 'off'|'evaluation', allowHttpNotificationUrl?,
 * validationTimeoutMs?, notificationTimeoutMs?, slowEndpoint?: {slowMs, minSample, delayPercent, dropPercent,
 * windowMs, delayMs}, extraCaPems?: string[]} → settings.
 */
export const patchSettings: Handler = (req, ctx) => {
  const b = bodyOf(req.body);
  const s = ctx.settings;
  const t = b.throttling as { enabled?: unknown; scale?: unknown } | undefined;
  if (t && typeof t === 'object') {
    if (typeof t.enabled === 'boolean') s.throttling.enabled = t.enabled;
    if (typeof t.scale === 'number' && t.scale > 0) s.throttling.scale = t.scale;
    ctx.throttle.reset();
  }
  if (b.metering === 'off' || b.metering === 'evaluation') s.metering = b.metering;
  if (typeof b.allowHttpNotificationUrl === 'boolean')
    s.allowHttpNotificationUrl = b.allowHttpNotificationUrl;
  if (typeof b.validationTimeoutMs === 'number') s.validationTimeoutMs = b.validationTimeoutMs;
  if (typeof b.notificationTimeoutMs === 'number') s.notificationTimeoutMs = b.notificationTimeoutMs;
  if (Array.isArray(b.extraCaPems)) s.extraCaPems = b.extraCaPems.map(String);
  const slow = b.slowEndpoint as Record<string, unknown> | undefined;
  if (slow && typeof slow === 'object') {
    for (const k of Object.keys(s.slowEndpoint) as (keyof SimSettings['slowEndpoint'])[]) {
      if (typeof slow[k] === 'number') s.slowEndpoint[k] = slow[k];
    }
  }
  return ok(s);
};

export const getSettings: Handler = (_req, ctx) => ok(ctx.settings);
