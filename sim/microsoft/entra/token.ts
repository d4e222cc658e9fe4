/**
 * `POST /{tenant}/oauth2/v2.0/token`: authorization_code (+PKCE S256/plain), refresh_token (rotating, 90-day
 * inactivity) and client_credentials (graph-api.md §1.2–1.4). Failures are AADSTS JSON (entra/aadsts.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Handler, SimContext, SimResponse } from '../context.ts';
import type { AppRecord, UserRecord } from '../state.ts';
import { aadstsResponse } from './aadsts.ts';
import { ACCESS_TOKEN_LIFETIME_SEC, GRAPH_AUDIENCE, issueAccessToken } from './access-token.ts';
import { clientInfo } from './authorize.ts';
import { tenantMatches } from './discovery.ts';
import { canonical, parseScopes } from './scopes.ts';

export const REFRESH_TOKEN_INACTIVITY_MS = 90 * 86_400_000;

type Form = Record<string, string | undefined>;

function fail(ctx: SimContext, code: number, vars: Record<string, string> = {}): SimResponse {
  return aadstsResponse(code, ctx.clock.now(), vars);
}

/** Client authentication: secret in the body or HTTP Basic; public clients may omit it. */
function authenticateClient(
  ctx: SimContext,
  form: Form,
  authorization: string | undefined,
  requireSecret: boolean,
): { app: AppRecord } | { error: SimResponse } {
  let clientId = form.client_id;
  let secret = form.client_secret;
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '')?.[1];
  if (basic) {
    const [id, sec] = Buffer.from(basic, 'base64').toString('utf8').split(':');
    clientId ??= decodeURIComponent(id ?? '');
    secret ??= decodeURIComponent(sec ?? '');
  }
  if (!clientId) return { error: fail(ctx, 900144, { param: 'client_id' }) };
  const app = ctx.state.apps.get(clientId);
  if (!app) return { error: fail(ctx, 700016, { client: clientId, tenant: ctx.state.tenant.id }) };
  if (form.client_assertion) {
    // Certificate credentials are not simulated; say so instead of pretending to verify them.
    return { error: fail(ctx, 7000215, { client: clientId }) };
  }
  if (!secret) {
    if (app.isPublicClient && !requireSecret) return { app };
    return { error: fail(ctx, 7000218) };
  }
  const match = app.secrets.find((s) => safeEqual(s.value, secret));
  if (!match) return { error: fail(ctx, 7000215, { client: clientId }) };
  if (match.expiresAt <= ctx.clock.now()) return { error: fail(ctx, 7000222, { client: clientId }) };
  return { app };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const token: Handler = async (req, ctx) => {
  const tenant = req.params.tenant ?? '';
  if (!tenantMatches(ctx, tenant)) return fail(ctx, 90002, { tenant });
  if (typeof req.body !== 'object' || req.body === null || Buffer.isBuffer(req.body)) {
    return fail(ctx, 900144, { param: 'grant_type' });
  }
  const form = req.body as Form;
  const grant = form.grant_type;
  if (!grant) return fail(ctx, 900144, { param: 'grant_type' });
  switch (grant) {
    case 'authorization_code':
      return authorizationCode(ctx, form, req.headers.authorization);
    case 'refresh_token':
      return refreshToken(ctx, form, req.headers.authorization);
    case 'client_credentials':
      return clientCredentials(ctx, form, req.headers.authorization);
    default:
      return fail(ctx, 70003, { grant });
  }
};

async function authorizationCode(
  ctx: SimContext,
  form: Form,
  authz: string | undefined,
): Promise<SimResponse> {
  const auth = authenticateClient(ctx, form, authz, false);
  if ('error' in auth) return auth.error;
  const { app } = auth;
  if (!form.code) return fail(ctx, 900144, { param: 'code' });
  const rec = ctx.state.authCodes.get(form.code);
  if (!rec || rec.clientId !== app.clientId) return fail(ctx, 70000, { param: 'code' });
  if (rec.redeemed) return fail(ctx, 54005);
  if (rec.expiresAt <= ctx.clock.now()) return fail(ctx, 70008);
  if (!form.redirect_uri) return fail(ctx, 900144, { param: 'redirect_uri' });
  if (form.redirect_uri !== rec.redirectUri) return fail(ctx, 70000, { param: 'redirect_uri' });
  if (rec.codeChallenge) {
    if (!form.code_verifier) return fail(ctx, 50148);
    const computed =
      rec.codeChallengeMethod === 'S256'
        ? createHash('sha256').update(form.code_verifier).digest('base64url')
        : form.code_verifier;
    if (computed !== rec.codeChallenge) return fail(ctx, 501481);
  } else if (app.isPublicClient && !form.client_secret) {
    // A public client without a secret must have used PKCE (there is nothing else binding the code).
    return fail(ctx, 50148);
  }
  rec.redeemed = true;
  const user = ctx.state.users.get(rec.userId);
  if (!user?.accountEnabled) return fail(ctx, 50173);
  const requested = parseScopes(form.scope);
  return delegatedTokens(
    ctx,
    app,
    user,
    rec.scopes,
    requested.resourceForms,
    form.client_info === '1',
    rec.nonce,
  );
}

async function refreshToken(ctx: SimContext, form: Form, authz: string | undefined): Promise<SimResponse> {
  const auth = authenticateClient(ctx, form, authz, false);
  if ('error' in auth) return auth.error;
  const { app } = auth;
  if (!form.refresh_token) return fail(ctx, 900144, { param: 'refresh_token' });
  const rec = ctx.state.refreshTokens.get(form.refresh_token);
  if (!rec) return fail(ctx, 9002313);
  if (rec.clientId !== app.clientId) return fail(ctx, 70000, { param: 'refresh_token' });
  if (rec.revoked) return fail(ctx, 50173);
  if (rec.expiresAt <= ctx.clock.now()) {
    return fail(ctx, 700082, {
      issued: new Date(rec.issuedAt).toISOString().replace(/Z$/, '0000Z'),
    });
  }
  const user = ctx.state.users.get(rec.userId);
  if (!user?.accountEnabled) return fail(ctx, 50173);
  const requested = parseScopes(form.scope);
  if (requested.foreign) return fail(ctx, 70011);
  // A refresh token may be redeemed for any consented delegated scope (Entra RTs are multi-scope).
  const graph: string[] = [];
  for (const name of requested.graph) {
    const c = canonical(app.delegatedPermissions, name);
    if (!c) return fail(ctx, 65001, { client: app.clientId });
    graph.push(c);
  }
  const pool = requested.hasDefault ? app.delegatedPermissions : graph.length === 0 ? rec.scopes : [];
  for (const p of pool) if (!isOidc(p) && !graph.includes(p)) graph.push(p);
  const oidc = rec.scopes.filter(isOidc);
  // The rotated refresh token keeps everything the old one could reach, plus what was just granted.
  const refreshScopes = [...new Set([...rec.scopes, ...graph])];
  return delegatedTokens(
    ctx,
    app,
    user,
    [...oidc, ...graph],
    requested.resourceForms,
    form.client_info === '1',
    null,
    refreshScopes,
  );
}

function isOidc(s: string): boolean {
  return s === 'openid' || s === 'profile' || s === 'email' || s === 'offline_access';
}

async function clientCredentials(
  ctx: SimContext,
  form: Form,
  authz: string | undefined,
): Promise<SimResponse> {
  const auth = authenticateClient(ctx, form, authz, true);
  if ('error' in auth) return auth.error;
  const { app } = auth;
  if (!form.scope) return fail(ctx, 900144, { param: 'scope' });
  const scopes = parseScopes(form.scope);
  if (!scopes.hasDefault || scopes.graph.length > 0 || scopes.oidc.length > 0 || scopes.foreign) {
    return fail(ctx, 1002012, { scope: form.scope });
  }
  const issued = await issueAccessToken(ctx, {
    kind: 'app',
    appId: app.clientId,
    roles: app.applicationPermissions,
  });
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
    body: {
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      ext_expires_in: issued.expiresIn,
      access_token: issued.token,
    },
  };
}

/**
 * Mints the delegated token set. `scope` in the response echoes the resource scopes in the form the client
 * asked for (msal caches under that string and compares it on acquireTokenSilent), followed by the OIDC scopes;
 * assumption: Entra answers Graph scopes in short form, which msal also accepts, so echoing is the safer choice.
 */
async function delegatedTokens(
  ctx: SimContext,
  app: AppRecord,
  user: UserRecord,
  scopes: string[],
  requestedForms: string[],
  wantClientInfo: boolean,
  nonce: string | null,
  refreshScopes: string[] = scopes,
): Promise<SimResponse> {
  const graphScopes = scopes.filter((s) => !isOidc(s));
  const oidc = scopes.filter(isOidc);
  const scp = [...graphScopes, ...oidc.filter((s) => s !== 'offline_access')];
  const issued = await issueAccessToken(ctx, {
    kind: 'delegated',
    appId: app.clientId,
    userId: user.id,
    scopes: scp,
  });
  const now = ctx.clock.now();
  // Echo only what was granted, in the client's spelling.
  const granted = new Set(graphScopes.map((g) => g.toLowerCase()));
  const echoed = requestedForms.filter((f) => granted.has((f.split('/').pop() ?? '').toLowerCase()));
  const scopeOut = (echoed.length > 0 ? echoed : graphScopes.map((s) => `${GRAPH_AUDIENCE}/${s}`)).concat(
    oidc,
  );
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: scopeOut.join(' '),
    expires_in: issued.expiresIn,
    ext_expires_in: issued.expiresIn,
    access_token: issued.token,
  };
  if (oidc.includes('offline_access')) {
    const rt = `1.${randomBytes(64).toString('base64url')}`;
    ctx.state.refreshTokens.set(rt, {
      token: rt,
      clientId: app.clientId,
      userId: user.id,
      scopes: refreshScopes,
      issuedAt: now,
      expiresAt: now + REFRESH_TOKEN_INACTIVITY_MS,
      revoked: false,
    });
    body.refresh_token = rt;
  }
  if (oidc.includes('openid')) body.id_token = await idToken(ctx, app, user, oidc, nonce);
  if (wantClientInfo) body.client_info = clientInfo(user.id, ctx.state.tenant.id);
  return { status: 200, headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' }, body };
}

/** v2 id_token (graph-api.md §1.6); `sub` is pairwise per app as in Entra. */
async function idToken(
  ctx: SimContext,
  app: AppRecord,
  user: UserRecord,
  oidc: string[],
  nonce: string | null,
): Promise<string> {
  const nowSec = Math.floor(ctx.clock.now() / 1000);
  const tid = ctx.state.tenant.id;
  const claims: Record<string, unknown> = {
    aud: app.clientId,
    iss: `${ctx.urls.base}/${tid}/v2.0`,
    iat: nowSec,
    nbf: nowSec,
    exp: nowSec + ACCESS_TOKEN_LIFETIME_SEC,
    oid: user.id,
    sub: createHash('sha256').update(`${user.id}|${app.clientId}`).digest('base64url').slice(0, 43),
    tid,
    ver: '2.0',
    uti: randomBytes(16).toString('base64url'),
    rh: `0.${randomBytes(24).toString('base64url')}.`,
    aio: randomBytes(24).toString('base64url'),
  };
  if (oidc.includes('profile')) {
    claims.name = user.displayName;
    claims.preferred_username = user.userPrincipalName;
  }
  if (oidc.includes('email')) claims.email = user.mail;
  if (nonce) claims.nonce = nonce;
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: ctx.keys.kid })
    .sign(ctx.keys.privateKey);
}
