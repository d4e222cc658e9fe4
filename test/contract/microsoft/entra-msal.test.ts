/**
 * Entra ID driven by the untouched @azure/msal-node: auth code + PKCE, silent refresh after expiry, refresh-token
 * inactivity, a persisted cache, client credentials, and the AADSTS fault knob.
 *
 * msal-node 7 configuration that works offline against the sim (the product needs the same):
 *   auth.authority = ready.authority, auth.knownAuthorities = [host:port of the authority]
 * and the sim's CA trusted process-wide (tls.setDefaultCACertificates or NODE_EXTRA_CA_CERTS).
 */
import * as msal from '@azure/msal-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Harness, json, startHarness } from './sim-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {
  vi.useRealTimers();
});

const GRAPH_SCOPES = [
  'https://graph.microsoft.com/User.Read',
  'https://graph.microsoft.com/Calendars.ReadWrite',
];

function memoryCache(): { plugin: msal.ICachePlugin; data: () => string } {
  let blob = '';
  return {
    plugin: {
      async beforeCacheAccess(c) {
        if (blob) c.tokenCache.deserialize(blob);
      },
      async afterCacheAccess(c) {
        if (c.cacheHasChanged) blob = c.tokenCache.serialize();
      },
    },
    data: () => blob,
  };
}

function cca(cachePlugin?: msal.ICachePlugin): msal.ConfidentialClientApplication {
  const { ready } = h.sim;
  return new msal.ConfidentialClientApplication({
    auth: {
      clientId: ready.app.clientId,
      clientSecret: ready.app.clientSecret,
      authority: ready.authority,
      knownAuthorities: [new URL(ready.authority).host],
    },
    ...(cachePlugin ? { cache: { cachePlugin } } : {}),
  });
}

/** Plays the browser: follows the authorize URL (auto-approve + login_hint) and returns the code. */
async function browse(url: string, redirectUri: string): Promise<string> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  const code = location.searchParams.get('code');
  expect(code).toBeTruthy();
  return code ?? '';
}

async function signIn(app: msal.ConfidentialClientApplication, user: string, scopes = GRAPH_SCOPES) {
  const redirectUri = 'http://localhost/oauth2/callback';
  const { verifier, challenge } = await new msal.CryptoProvider().generatePkceCodes();
  const url = await app.getAuthCodeUrl({
    scopes,
    redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    loginHint: h.sim.ready.users[user]?.mail ?? '',
    state: 'st-1',
  });
  const code = await browse(url, redirectUri);
  return app.acquireTokenByCode({ code, scopes, redirectUri, codeVerifier: verifier });
}

describe('msal-node auth code + PKCE', () => {
  it('signs alice in and the token works on Graph /me', async () => {
    const result = await signIn(cca(), 'alice');
    expect(result.account?.username).toBe('alice@contoso.example');
    expect(result.account?.tenantId).toBe(h.sim.ready.tenantId);
    expect(result.idTokenClaims).toMatchObject({
      oid: h.sim.ready.users.alice?.id,
      tid: h.sim.ready.tenantId,
    });
    const me = await h.graph(result.accessToken, 'GET', '/me');
    expect(me.status).toBe(200);
    expect(await json(me)).toMatchObject({ mail: 'alice@contoso.example', id: h.sim.ready.users.alice?.id });
    expect(me.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refreshes silently once the access token expired, and the persisted cache survives a new client', async () => {
    const cache = memoryCache();
    const first = cca(cache.plugin);
    const signedIn = await signIn(first, 'bob');
    const account = signedIn.account;
    if (!account) throw new Error('no account');
    const cached = await first.acquireTokenSilent({ account, scopes: GRAPH_SCOPES });
    expect(cached.accessToken).toBe(signedIn.accessToken);

    // msal and the in-process sim clock both read Date.now(): moving it moves both.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 2 * 3600_000);
    const second = cca(cache.plugin);
    const [restored] = await second.getTokenCache().getAllAccounts();
    expect(restored?.homeAccountId).toBe(account.homeAccountId);
    const refreshed = await second.acquireTokenSilent({ account: restored ?? account, scopes: GRAPH_SCOPES });
    expect(refreshed.accessToken).not.toBe(signedIn.accessToken);
    expect((await h.graph(refreshed.accessToken, 'GET', '/me')).status).toBe(200);
    // The old token is now past its lifetime on the sim clock.
    const old = await h.graph(signedIn.accessToken, 'GET', '/me');
    expect(old.status).toBe(401);
    expect((await json(old)).error.code).toBe('InvalidAuthenticationToken');

    // 91 days without use: the refresh token has expired through inactivity (AADSTS700082, suberror bad_token),
    // which msal-node reports as InteractionRequiredAuthError: the product must send the user to sign in again.
    vi.setSystemTime(Date.now() + 91 * 86_400_000);
    const err = await second
      .acquireTokenSilent({ account, scopes: GRAPH_SCOPES, forceRefresh: true })
      .catch((e) => e);
    expect(err).toBeInstanceOf(msal.InteractionRequiredAuthError);
    expect(err.errorCode).toBe('invalid_grant');
    expect(err.subError).toBe('bad_token');
    expect(String(err.errorMessage)).toContain('AADSTS700082');
  });

  it('rejects a wrong PKCE verifier with AADSTS501481', async () => {
    const app = cca();
    const redirectUri = 'http://127.0.0.1:53123/oauth2/callback';
    const { challenge } = await new msal.CryptoProvider().generatePkceCodes();
    const url = await app.getAuthCodeUrl({
      scopes: GRAPH_SCOPES,
      redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      loginHint: 'carol@contoso.example',
    });
    // Loopback redirect URIs match whatever the port (registered without one).
    const code = await browse(url, redirectUri);
    const err = await app
      .acquireTokenByCode({ code, scopes: GRAPH_SCOPES, redirectUri, codeVerifier: 'x'.repeat(43) })
      .catch((e) => e);
    expect(String(err.errorMessage ?? err.message)).toContain('AADSTS501481');
  });

  it('returns an AADSTS error injected as a fault on the token endpoint', async () => {
    await h.control('POST', '/faults', {
      method: 'POST',
      path: '*/oauth2/v2.0/token',
      aadsts: 50173,
      count: 1,
    });
    const err = await signIn(cca(), 'alice').catch((e) => e);
    expect(String(err.errorMessage ?? err.message)).toContain('AADSTS50173');
  });
});

describe('msal-node client credentials', () => {
  it('gets an app-only token with the consented roles', async () => {
    const result = await cca().acquireTokenByClientCredential({
      scopes: ['https://graph.microsoft.com/.default'],
    });
    if (!result) throw new Error('no result');
    const users = await h.graph(result.accessToken, 'GET', '/users?$top=2');
    expect(users.status).toBe(200);
    const body = await json(users);
    expect(body.value).toHaveLength(2);
    expect(body['@odata.nextLink']).toContain('$skip=2');
    const me = await h.graph(result.accessToken, 'GET', '/me');
    expect(me.status).toBe(400);
  });

  it('refuses a client secret that is wrong (AADSTS7000215)', async () => {
    const { ready } = h.sim;
    const bad = new msal.ConfidentialClientApplication({
      auth: {
        clientId: ready.app.clientId,
        clientSecret: 'not-the-secret',
        authority: ready.authority,
        knownAuthorities: [new URL(ready.authority).host],
      },
    });
    const err = await bad
      .acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })
      .catch((e) => e);
    expect(String(err.errorMessage ?? err.message)).toContain('AADSTS7000215');
  });
});
