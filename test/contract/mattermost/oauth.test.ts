import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MattermostSim } from '../../../sim/mattermost/index.ts';
import { channelId, client, control, refusal, startSim, userId, userToken } from './harness.ts';

/**
 * Mattermost as OAuth 2.0 provider: app registration through Client4, consent through Client4's
 * `authorizeOAuthApp` (what the webapp's Allow button calls), and the token endpoint as a plain form POST
 * (Client4 has no method for it; a product posts the form itself).
 */
describe('mattermost sim: OAuth 2.0 provider', () => {
  let sim: MattermostSim;
  let app: { id: string; client_secret: string };
  const redirectUri = 'http://127.0.0.1:9/oauth/callback';

  beforeAll(async () => {
    sim = await startSim();
    const admin = client(sim, sim.ready.adminToken);
    app = (await admin.createOAuthApp({
      name: 'M365 connector',
      description: 'Sync',
      homepage: 'http://127.0.0.1:9/',
      callback_urls: [redirectUri],
      is_trusted: false,
    } as never)) as unknown as { id: string; client_secret: string };
  });
  afterAll(async () => {
    await sim.close();
  });

  function pkce() {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  }

  async function authorize(user: string, challenge: string, method = 'S256'): Promise<string> {
    const c = client(sim, userToken(sim, user));
    const res = (await c.authorizeOAuthApp(
      'code',
      app.id,
      redirectUri,
      'st4te',
      'user',
      undefined as never,
      challenge,
      method,
    )) as unknown as { redirect: string };
    const url = new URL(res.redirect);
    expect(`${url.origin}${url.pathname}`).toBe(redirectUri);
    expect(url.searchParams.get('state')).toBe('st4te');
    return url.searchParams.get('code') ?? '';
  }

  async function token(
    fields: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
    const res = await fetch(`${sim.url}/oauth/access_token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: app.id,
        client_secret: app.client_secret,
        redirect_uri: redirectUri,
        ...fields,
      }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
  }

  it('runs the code flow with PKCE; the token acts as the user and marks posts from_oauth_app', async () => {
    const { verifier, challenge } = pkce();
    const code = await authorize('alice', challenge);
    const res = await token({ grant_type: 'authorization_code', code, code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'bearer', scope: 'user', expires_in: 720 * 3600 });
    const access = String(res.body.access_token);
    const asAlice = client(sim, access);
    expect((await asAlice.getMe()).id).toBe(userId(sim, 'alice'));
    const post = await asAlice.createPost({
      channel_id: channelId(sim, 'acme', 'town-square'),
      message: 'from Teams',
    } as never);
    expect(post.props.from_oauth_app).toBe('true');
    // A code is single-use.
    expect((await token({ grant_type: 'authorization_code', code, code_verifier: verifier })).body.id).toBe(
      'api.oauth.get_access_token.expired_code.app_error',
    );
  });

  it('rotates both tokens on refresh and kills the old session and refresh token', async () => {
    const { verifier, challenge } = pkce();
    const first = await token({
      grant_type: 'authorization_code',
      code: await authorize('bob', challenge),
      code_verifier: verifier,
    });
    const second = await token({
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
    });
    expect(second.status).toBe(200);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect((await client(sim, String(second.body.access_token)).getMe()).username).toBe('bob');
    expect((await refusal(client(sim, String(first.body.access_token)).getMe())).status_code).toBe(401);
    const reused = await token({
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
    });
    expect(reused.status).toBe(404);
    expect(reused.body.id).toBe('api.oauth.get_access_token.refresh_token.app_error');
  });

  it('refuses a wrong or missing code_verifier, a wrong secret and a mismatched redirect_uri', async () => {
    const { verifier, challenge } = pkce();
    const wrong = await token({
      grant_type: 'authorization_code',
      code: await authorize('carol', challenge),
      code_verifier: `${verifier}x`,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.id).toBe('model.authorize.validate_pkce.verification_failed.app_error');
    const missing = await token({
      grant_type: 'authorization_code',
      code: await authorize('carol', challenge),
    });
    expect(missing.status).toBe(400);
    expect(missing.body.id).toBe('model.authorize.validate_pkce.verifier_required.app_error');
    const badSecret = await token({
      grant_type: 'authorization_code',
      code: await authorize('carol', challenge),
      code_verifier: verifier,
      client_secret: 'nope',
    });
    expect(badSecret.status).toBe(401);
    expect(badSecret.body.id).toBe('model.oauth.validate_grant.credentials.app_error');
    const badRedirect = await token({
      grant_type: 'authorization_code',
      code: await authorize('carol', challenge),
      code_verifier: verifier,
      redirect_uri: 'http://127.0.0.1:9/other',
    });
    expect(badRedirect.body.id).toBe('api.oauth.get_access_token.redirect_uri.app_error');
  });

  it('keeps one grant per user and client: a second authorization returns the same, still valid tokens', async () => {
    const first = pkce();
    const a = await token({
      grant_type: 'authorization_code',
      code: await authorize('dave', first.challenge),
      code_verifier: first.verifier,
    });
    const second = pkce();
    const b = await token({
      grant_type: 'authorization_code',
      code: await authorize('dave', second.challenge),
      code_verifier: second.verifier,
    });
    expect(b.body.access_token).toBe(a.body.access_token);
    expect(b.body.refresh_token).toBe(a.body.refresh_token);
    expect(Number(b.body.expires_in)).toBeLessThanOrEqual(Number(a.body.expires_in));
  });

  it('serves public clients with PKCE only: no secret, no refresh token, no refresh grant', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const pub = (await admin.createOAuthApp({
      name: 'Public',
      homepage: 'http://127.0.0.1:9/',
      callback_urls: [redirectUri],
      is_public: true,
    } as never)) as unknown as { id: string; client_secret: string };
    expect(pub.client_secret).toBe('');
    const alice = client(sim, userToken(sim, 'alice'));
    expect(
      (
        await refusal(
          alice.authorizeOAuthApp(
            'code',
            pub.id,
            redirectUri,
            's',
            'user',
            undefined as never,
            undefined as never,
            undefined as never,
          ),
        )
      ).server_error_id,
    ).toBe('model.authorize.validate_pkce.public_client_required.app_error');
    const { verifier, challenge } = pkce();
    const res = (await alice.authorizeOAuthApp(
      'code',
      pub.id,
      redirectUri,
      's',
      'user',
      undefined as never,
      challenge,
      'S256',
    )) as unknown as {
      redirect: string;
    };
    const code = new URL(res.redirect).searchParams.get('code') ?? '';
    const form = (fields: Record<string, string>) =>
      fetch(`${sim.url}/oauth/access_token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: pub.id, redirect_uri: redirectUri, ...fields }).toString(),
      });
    const withSecret = await form({
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      client_secret: 'x',
    });
    expect(((await withSecret.json()) as { id: string }).id).toBe(
      'model.oauth.validate_grant.public_client_secret.app_error',
    );
    const ok = await form({ grant_type: 'authorization_code', code, code_verifier: verifier });
    const body = (await ok.json()) as Record<string, unknown>;
    expect(ok.status).toBe(200);
    expect(body.refresh_token).toBeUndefined();
    const refresh = await form({ grant_type: 'refresh_token', refresh_token: 'anything' });
    expect(((await refresh.json()) as { id: string }).id).toBe(
      'model.oauth.validate_grant.public_client_refresh_token.app_error',
    );
  });

  it('accepts only S256 and only registered redirect URIs at authorize time', async () => {
    const c = client(sim, userToken(sim, 'alice'));
    const { challenge } = pkce();
    expect(
      (
        await refusal(
          c.authorizeOAuthApp(
            'code',
            app.id,
            redirectUri,
            's',
            'user',
            undefined as never,
            challenge,
            'plain',
          ),
        )
      ).status_code,
    ).toBe(400);
    expect(
      (
        await refusal(
          c.authorizeOAuthApp(
            'code',
            app.id,
            'http://evil.example/cb',
            's',
            'user',
            undefined as never,
            challenge,
            'S256',
          ),
        )
      ).server_error_id,
    ).toBe('api.oauth.allow_oauth.redirect_callback.app_error');
  });

  it('forbids an OAuth session from minting tokens or authorizing apps, and deauthorize revokes it', async () => {
    const { verifier, challenge } = pkce();
    const res = await token({
      grant_type: 'authorization_code',
      code: await authorize('alice', challenge),
      code_verifier: verifier,
    });
    const asAlice = client(sim, String(res.body.access_token));
    expect((await refusal(asAlice.createUserAccessToken(userId(sim, 'alice'), 'x'))).status_code).toBe(403);
    expect(
      (
        await refusal(
          asAlice.authorizeOAuthApp(
            'code',
            app.id,
            redirectUri,
            's',
            'user',
            undefined as never,
            challenge,
            'S256',
          ),
        )
      ).status_code,
    ).toBe(403);
    await client(sim, userToken(sim, 'alice')).deauthorizeOAuthApp(app.id);
    expect((await refusal(asAlice.getMe())).status_code).toBe(401);
  });

  it('sends a browser without a session to login, shows consent with one, and skips it when auto-approve is on', async () => {
    const { challenge } = pkce();
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: app.id,
      redirect_uri: redirectUri,
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const anon = await fetch(`${sim.url}/oauth/authorize?${q}`, { redirect: 'manual' });
    expect(anon.status).toBe(302);
    expect(anon.headers.get('location')).toMatch(/^\/login\?redirect_to=/);
    const stale = await fetch(`${sim.url}/oauth/authorize?${q}`, {
      redirect: 'manual',
      headers: { Cookie: 'MMAUTHTOKEN=stalestalestalestalestale00' },
    });
    expect(stale.status).toBe(302);
    const cookie = { Cookie: `MMAUTHTOKEN=${userToken(sim, 'alice')}` };
    const consent = await fetch(`${sim.url}/oauth/authorize?${q}`, { redirect: 'manual', headers: cookie });
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain('M365 connector');
    await control(sim, 'PATCH', '/_sim/config', { SimSettings: { OAuthAutoApprove: true } });
    try {
      const auto = await fetch(`${sim.url}/oauth/authorize?${q}`, { redirect: 'manual', headers: cookie });
      expect(auto.status).toBe(302);
      expect(new URL(auto.headers.get('location') ?? '').searchParams.get('code')).toBeTruthy();
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { SimSettings: { OAuthAutoApprove: false } });
    }
  });

  it('edits an app (callback URLs) with PUT /oauth/apps/{id}, keeping its secret', async () => {
    const admin = client(sim, sim.ready.adminToken);
    const created = (await admin.createOAuthApp({
      name: 'Editable',
      homepage: 'http://127.0.0.1:9/',
      callback_urls: ['http://127.0.0.1:9/old'],
    } as never)) as unknown as { id: string; client_secret: string };
    const edited = (await admin.editOAuthApp({
      id: created.id,
      name: 'Editable',
      homepage: 'http://127.0.0.1:9/',
      callback_urls: ['http://127.0.0.1:9/new'],
    } as never)) as unknown as { callback_urls: string[]; client_secret: string };
    expect(edited.callback_urls).toEqual(['http://127.0.0.1:9/new']);
    expect(edited.client_secret).toBe(created.client_secret);
    expect(
      (
        await refusal(
          admin.editOAuthApp({ id: created.id, name: 'x', homepage: 'nope', callback_urls: [] } as never),
        )
      ).status_code,
    ).toBe(400);
  });

  it('refuses app registration for non-admins and when the provider is off', async () => {
    const app2 = { name: 'x', homepage: 'http://127.0.0.1:9/', callback_urls: [redirectUri] } as never;
    expect((await refusal(client(sim, userToken(sim, 'alice')).createOAuthApp(app2))).status_code).toBe(403);
    await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnableOAuthServiceProvider: false } });
    try {
      expect(await refusal(client(sim, sim.ready.adminToken).createOAuthApp(app2))).toEqual({
        server_error_id: 'api.oauth.register_oauth_app.turn_off.app_error',
        status_code: 501,
      });
    } finally {
      await control(sim, 'PATCH', '/_sim/config', { ServiceSettings: { EnableOAuthServiceProvider: true } });
    }
  });
  it('expires access tokens after SessionLengthSSOInHours and codes after 10 minutes (runs last: it moves the clock)', async () => {
    const { verifier, challenge } = pkce();
    const res = await token({
      grant_type: 'authorization_code',
      code: await authorize('carol', challenge),
      code_verifier: verifier,
    });
    const asCarol = client(sim, String(res.body.access_token));
    expect((await asCarol.getMe()).username).toBe('carol');
    const stale = pkce();
    const staleCode = await authorize('carol', stale.challenge);
    await sim.clock.advance(11 * 60 * 1000);
    expect(
      (await token({ grant_type: 'authorization_code', code: staleCode, code_verifier: stale.verifier })).body
        .id,
    ).toBe('api.oauth.get_access_token.expired_code.app_error');
    await sim.clock.advance(720 * 3600 * 1000);
    expect((await refusal(asCarol.getMe())).status_code).toBe(401);
    // The refresh token still works and rotates into a fresh session.
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: String(res.body.refresh_token),
    });
    expect((await client(sim, String(refreshed.body.access_token)).getMe()).username).toBe('carol');
  });
});
