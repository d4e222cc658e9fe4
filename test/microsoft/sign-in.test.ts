import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMicrosoftEdge, type MicrosoftEdge } from '../../src/microsoft/index.ts';
import { followAuthorize, type MsHarness, startMsHarness } from './harness.ts';
import { wireEdge } from './wiring.ts';

const redirectUri = 'http://localhost:8080/oauth2/callback';

describe('connect through the edge front door', () => {
  let h: MsHarness;
  let edge: MicrosoftEdge;
  beforeAll(async () => {
    h = await startMsHarness('pglite');
    edge = wireEdge({ store: h.t.store, vault: h.vault, microsoft: h.microsoft, work: false }).edge;
  });
  afterAll(() => h.close());
  afterEach(() => vi.useRealTimers());

  it('returns the identity the e-mail policy needs (mail from /me, guest UPN kept) and Graph works after persist', async () => {
    const { url, codeVerifier } = await edge.signIn.start({
      feature: 'calendar',
      redirectUri,
      state: 'signed-state',
      loginHint: 'dave@fabrikam.example',
    });
    const { code } = await followAuthorize(url);
    const done = await edge.signIn.complete({ feature: 'calendar', code, codeVerifier, redirectUri });
    expect(done.identity).toEqual({
      tenantId: h.sim.ready.tenantId,
      entraUserId: h.sim.ready.users.dave?.id,
      mail: 'dave@fabrikam.example',
      userPrincipalName: 'dave_fabrikam.example#EXT#@contoso.onmicrosoft.com',
      displayName: expect.any(String),
    });
    expect(done.grantedScopes.join(' ')).toContain('Calendars.ReadWrite');
    await done.persist('p-dave');
    const me = await edge.asUser('p-dave', 'calendar').json<{ id: string }>({ path: '/me' });
    expect(me.id).toBe(h.sim.ready.users.dave?.id);

    // 91 days later the refresh token died of inactivity: the Graph call fails with the typed error.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 91 * 86_400_000);
    await expect(edge.asUser('p-dave', 'calendar').json({ path: '/me/events' })).rejects.toMatchObject({
      code: 'MM365_MICROSOFT_RECONNECT_REQUIRED',
      status: 401,
      details: { reason: 'refresh_expired' },
    });
  });

  it('refuses to build without an app registration', () => {
    expect(() =>
      createMicrosoftEdge({
        ...({} as Parameters<typeof createMicrosoftEdge>[0]),
        config: { cloud: 'public', forceConsent: false },
      }),
    ).toThrow(expect.objectContaining({ code: 'MM365_MICROSOFT_NOT_CONFIGURED' }));
  });
});
