import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/core/log.ts';
import { MicrosoftAuth } from '../../../src/microsoft/auth/microsoft-auth.ts';
import { resolveEndpoints } from '../../../src/microsoft/clouds.ts';
import { MicrosoftTokenCaches } from '../../../src/store/microsoft-token-cache.ts';
import { drivers } from '../../helpers/database.ts';
import { followAuthorize, type MsHarness, startMsHarness } from '../harness.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });
const redirectUri = 'http://localhost/oauth2/callback';

describe.each(drivers)('Microsoft auth against the sim, store on %s', (driver) => {
  let h: MsHarness;
  let auth: MicrosoftAuth;
  let caches: MicrosoftTokenCaches;
  beforeAll(async () => {
    h = await startMsHarness(driver);
    caches = new MicrosoftTokenCaches(h.t.store.db, h.vault);
    auth = new MicrosoftAuth({
      endpoints: resolveEndpoints(h.microsoft),
      clientId: h.microsoft.clientId ?? '',
      clientSecret: h.microsoft.clientSecret ?? '',
      cache: caches,
      log: silent,
    });
  });
  afterAll(() => h.close());
  afterEach(() => vi.useRealTimers());

  async function signIn(user: string, feature: 'calendar' | 'teams', partition: string) {
    const { url, codeVerifier } = await auth.authorizeUrl({
      feature,
      redirectUri,
      state: `state-${partition}`,
      loginHint: h.sim.ready.users[user]?.mail ?? '',
    });
    const back = await followAuthorize(url);
    expect(back.state).toBe(`state-${partition}`);
    const signedIn = await auth.redeem({ feature, code: back.code, codeVerifier, redirectUri });
    await signedIn.persist(partition);
    return { url, signedIn };
  }

  it('signs alice in for the calendar only, stores the cache sealed, and reuses the token silently', async () => {
    const { url, signedIn } = await signIn('alice', 'calendar', 'p-alice');
    const scope = new URL(url).searchParams.get('scope') ?? '';
    expect(scope).toContain('https://graph.microsoft.com/Calendars.ReadWrite');
    expect(scope).toContain('offline_access');
    expect(scope).not.toContain('Chat.ReadWrite'); // incremental consent: Teams scopes only when Teams connects
    expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');
    expect(signedIn).toMatchObject({
      tenantId: h.sim.ready.tenantId,
      entraUserId: h.sim.ready.users.alice?.id,
      username: 'alice@contoso.example',
    });
    const row = await sql<{
      ciphertext: string;
    }>`select ciphertext from microsoft_token_cache where partition = 'p-alice'`.execute(h.t.store.db);
    expect(row.rows[0]?.ciphertext).toMatch(/^mm365v1\./);
    expect(row.rows[0]?.ciphertext).not.toContain(signedIn.accessToken.slice(0, 40));

    const token = await auth.userToken('p-alice', 'calendar');
    expect(token).toBe(signedIn.accessToken);
    const me = await fetch(`${h.sim.ready.graph}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
  });

  it('asks only for the Teams scopes when the same user connects Teams later', async () => {
    await signIn('alice', 'teams', 'p-alice');
    const teamsToken = await auth.userToken('p-alice', 'teams');
    const chats = await fetch(`${h.sim.ready.graph}/me/chats`, {
      headers: { authorization: `Bearer ${teamsToken}` },
    });
    expect(chats.status).toBe(200);
    // The newer refresh token still serves the calendar scopes consented earlier.
    const cal = await auth.userToken('p-alice', 'calendar', { forceRefresh: true });
    const events = await fetch(`${h.sim.ready.graph}/me/events`, {
      headers: { authorization: `Bearer ${cal}` },
    });
    expect(events.status).toBe(200);
  });

  it('a refused sign-in that is never persisted leaves the partition alone', async () => {
    const { url, codeVerifier } = await auth.authorizeUrl({
      feature: 'calendar',
      redirectUri,
      state: 's',
      loginHint: 'carol@contoso.example',
    });
    const { code } = await followAuthorize(url);
    await auth.redeem({ feature: 'calendar', code, codeVerifier, redirectUri });
    expect(await caches.load('p-carol')).toBeUndefined();
    await expect(auth.userToken('p-carol', 'calendar')).rejects.toMatchObject({
      code: 'MM365_MICROSOFT_RECONNECT_REQUIRED',
      details: { reason: 'not_connected' },
    });
  });

  it('reports a wrong PKCE verifier and a reused code as MM365_MICROSOFT_SIGN_IN_FAILED', async () => {
    const start = () =>
      auth.authorizeUrl({ feature: 'calendar', redirectUri, state: 's', loginHint: 'bob@contoso.example' });
    const first = await start();
    const { code } = await followAuthorize(first.url);
    await expect(
      auth.redeem({ feature: 'calendar', code, codeVerifier: 'x'.repeat(43), redirectUri }),
    ).rejects.toMatchObject({ code: 'MM365_MICROSOFT_SIGN_IN_FAILED', details: { aadsts: 501481 } });
    const second = await start();
    const again = await followAuthorize(second.url);
    const input = {
      feature: 'calendar' as const,
      code: again.code,
      codeVerifier: second.codeVerifier,
      redirectUri,
    };
    await auth.redeem(input);
    await expect(auth.redeem(input)).rejects.toMatchObject({ code: 'MM365_MICROSOFT_SIGN_IN_FAILED' });
  });

  it('refreshes after expiry and reports a refresh token dead of inactivity as reconnect (refresh_expired)', async () => {
    await signIn('bob', 'calendar', 'p-bob');
    const first = await auth.userToken('p-bob', 'calendar');
    // msal and the in-process sim both read Date.now(): moving it moves both.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 2 * 3600_000);
    await h.control('DELETE', '/counters');
    // A burst of calls for one user with an expired token refreshes once.
    const burst = await Promise.all([1, 2, 3, 4, 5].map(() => auth.userToken('p-bob', 'calendar')));
    const second = burst[0];
    expect(new Set(burst).size).toBe(1);
    expect(second).not.toBe(first);
    const counters = await h.control<{ routes: Record<string, number> }>('GET', '/counters');
    const tokenCalls = Object.entries(counters.routes)
      .filter(([k]) => k.includes('/token'))
      .reduce((n, [, v]) => n + v, 0);
    expect(tokenCalls).toBe(1);
    vi.setSystemTime(Date.now() + 91 * 86_400_000);
    const err = await auth.userToken('p-bob', 'calendar').catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'MM365_MICROSOFT_RECONNECT_REQUIRED',
      details: { reason: 'refresh_expired', aadsts: 700082 },
    });
  });

  it('reports revoked refresh tokens as reconnect (revoked)', async () => {
    await signIn('carol', 'calendar', 'p-carol2');
    await h.control('POST', `/users/carol/revoke`);
    await expect(auth.userToken('p-carol2', 'calendar', { forceRefresh: true })).rejects.toMatchObject({
      code: 'MM365_MICROSOFT_RECONNECT_REQUIRED',
      details: { reason: 'revoked', aadsts: 50173 },
    });
  });

  it('caches the app-only token until near expiry (one token request for several calls)', async () => {
    await h.control('DELETE', '/counters');
    const a = await auth.appToken();
    const b = await auth.appToken();
    expect(b).toBe(a);
    const counters = await h.control<{ routes: Record<string, number> }>('GET', '/counters');
    const tokenCalls = Object.entries(counters.routes)
      .filter(([k]) => k.includes('/token'))
      .reduce((n, [, v]) => n + v, 0);
    expect(tokenCalls).toBe(1);
    const users = await fetch(`${h.sim.ready.graph}/users?$top=1`, {
      headers: { authorization: `Bearer ${a}` },
    });
    expect(users.status).toBe(200);
  });

  it('reports consent withdrawn by an admin as reconnect (consent_withdrawn)', async () => {
    await signIn('alice', 'calendar', 'p-consent');
    const { clientId } = h.sim.ready.app;
    const granted = [...(h.sim.context.state.apps.get(clientId)?.delegatedPermissions ?? [])];
    expect(granted).toContain('Calendars.ReadWrite');
    await h.control('PATCH', `/apps/${clientId}`, {
      delegatedPermissions: granted.filter((p) => !p.startsWith('Calendars.')),
    });
    try {
      await expect(auth.userToken('p-consent', 'calendar', { forceRefresh: true })).rejects.toMatchObject({
        code: 'MM365_MICROSOFT_RECONNECT_REQUIRED',
        details: { reason: 'consent_withdrawn', aadsts: 65001 },
      });
    } finally {
      await h.control('PATCH', `/apps/${clientId}`, { delegatedPermissions: granted });
    }
  });

  it('forget() drops the partition', async () => {
    await auth.forget('p-bob');
    expect(await caches.load('p-bob')).toBeUndefined();
  });
});
