/**
 * Graph access tokens: v1-format JWTs as Entra issues for Graph (graph-api.md §1.3), RS256-signed by the sim.
 * Clients must treat them as opaque; the sim verifies its own signature, the lifetime on the sim clock, the
 * audience, and that the token id (`uti`) was not revoked.
 */
import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { SimContext } from '../context.ts';
import { GraphError } from '../graph-error.ts';
import type { Principal } from '../state.ts';

export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';

/**
 * Access-token lifetime. Entra picks 60–90 min at random; the sim uses a fixed 3599 s (the low end) so that
 * tests can cross expiry with a known clock move. A knob would be easy; nobody needed it yet.
 */
export const ACCESS_TOKEN_LIFETIME_SEC = 3599;

export type TokenSubject =
  | { kind: 'delegated'; appId: string; userId: string; scopes: string[] }
  | { kind: 'app'; appId: string; roles: string[] };

export async function issueAccessToken(
  ctx: SimContext,
  subject: TokenSubject,
  lifetimeSec = ACCESS_TOKEN_LIFETIME_SEC,
): Promise<{ token: string; expiresIn: number; tokenId: string }> {
  const nowSec = Math.floor(ctx.clock.now() / 1000);
  const tid = ctx.state.tenant.id;
  const uti = randomBytes(16).toString('base64url');
  const app = ctx.state.apps.get(subject.appId);
  const claims: Record<string, unknown> = {
    aud: GRAPH_AUDIENCE,
    iss: `https://sts.windows.net/${tid}/`,
    iat: nowSec,
    nbf: nowSec,
    exp: nowSec + lifetimeSec,
    app_displayname: app?.displayName ?? subject.appId,
    appid: subject.appId,
    appidacr: '1',
    idtyp: subject.kind === 'app' ? 'app' : 'user',
    tid,
    uti,
    ver: '1.0',
  };
  if (subject.kind === 'delegated') {
    const user = ctx.state.users.get(subject.userId);
    claims.oid = subject.userId;
    claims.sub = subject.userId;
    claims.scp = subject.scopes.join(' ');
    claims.upn = user?.userPrincipalName;
    claims.name = user?.displayName;
  } else {
    claims.oid = subject.appId;
    claims.sub = subject.appId;
    claims.roles = subject.roles;
  }
  const token = await new SignJWT(claims)
    .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: ctx.keys.kid })
    .sign(ctx.keys.privateKey);
  return { token, expiresIn: lifetimeSec, tokenId: uti };
}

const unauthorized = (message: string) =>
  new GraphError(401, 'InvalidAuthenticationToken', message, {
    'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
  });

/** Checks the `Authorization` header of a Graph call; throws the 401 Graph gives for each failure. */
export async function verifyAccessToken(
  ctx: SimContext,
  authorization: string | undefined,
): Promise<Principal> {
  const match = /^Bearer\s+(\S*)$/i.exec(authorization ?? '');
  const token = match?.[1];
  if (!token) throw unauthorized('Access token is empty.');
  if (token.split('.').length !== 3) {
    throw unauthorized('IDX14100: JWT is not well formed, there are no dots (.).');
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, ctx.keys.publicKey, {
      currentDate: ctx.clock.date(),
      audience: [GRAPH_AUDIENCE, GRAPH_APP_ID],
      clockTolerance: 300,
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired)
      throw unauthorized('Lifetime validation failed, the token is expired.');
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') {
      throw unauthorized('Invalid audience.');
    }
    throw unauthorized('Access token validation failure.');
  }
  const tokenId = String(payload.uti ?? '');
  if (ctx.state.revokedTokenIds.has(tokenId)) throw unauthorized('Access token has been revoked.');
  if (payload.tid !== ctx.state.tenant.id)
    throw unauthorized('Access token validation failure. Invalid tenant.');
  const appId = String(payload.appid ?? '');
  if (payload.idtyp === 'app') {
    const roles = Array.isArray(payload.roles) ? payload.roles.map(String) : [];
    return { kind: 'app', appId, roles: new Set(roles), tokenId };
  }
  const userId = String(payload.oid ?? '');
  const user = ctx.state.users.get(userId);
  if (!user) throw unauthorized('Access token validation failure. The user does not exist.');
  if (!user.accountEnabled)
    throw unauthorized('Access token validation failure. The user account is disabled.');
  const scopes = new Set(
    String(payload.scp ?? '')
      .split(' ')
      .filter(Boolean),
  );
  return { kind: 'delegated', appId, userId, scopes, tokenId };
}
