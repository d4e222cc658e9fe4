/**
 * Entra's browser leg and discovery over raw HTTP: the account picker, form_post, error pages that must not
 * redirect, consent errors, discovery and JWKS, code reuse, client_credentials scope rules.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyJson, type Harness, json, startHarness } from './sim-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const authorizeUrl = (params: Record<string, string>) => {
  const { ready } = h.sim;
  const q = new URLSearchParams({
    client_id: ready.app.clientId,
    response_type: 'code',
    redirect_uri: 'http://localhost:8080/oauth2/callback',
    scope: 'openid profile offline_access User.Read',
    state: 'xyz',
    ...params,
  });
  return `${ready.authority}/oauth2/v2.0/authorize?${q}`;
};

async function redeem(code: string, extra: Record<string, string> = {}) {
  const { ready } = h.sim;
  return fetch(`${ready.authority}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: ready.app.clientId,
      client_secret: ready.app.clientSecret,
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'http://localhost:8080/oauth2/callback',
      scope: 'User.Read',
      ...extra,
    }),
  });
}

describe('authorize', () => {
  it('shows an account picker without login_hint, and picking a user redirects with code and state', async () => {
    const page = await fetch(authorizeUrl({}), { redirect: 'manual' });
    expect(page.status).toBe(200);
    const html = await page.text();
    const link = /data-user="bob" href="([^"]+)"/.exec(html)?.[1]?.replace(/&#38;/g, '&');
    expect(link).toBeTruthy();
    const pick = await fetch(new URL(link ?? '', h.sim.ready.authority), { redirect: 'manual' });
    expect(pick.status).toBe(302);
    const loc = new URL(pick.headers.get('location') ?? '');
    expect(loc.searchParams.get('state')).toBe('xyz');
    const res = await redeem(loc.searchParams.get('code') ?? '');
    const body: AnyJson = await json(res);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    expect(body.refresh_token).toBeTruthy();
    const claims = JSON.parse(Buffer.from(body.id_token.split('.')[1], 'base64url').toString());
    expect(claims.preferred_username).toBe('bob@contoso.example');
    expect(body.scope.split(' ').sort()).toEqual(['User.Read', 'offline_access', 'openid', 'profile']);
    // A rotated refresh token still reaches every consented scope: narrow first, then .default.
    const refresh = async (rt: string, scope: string) =>
      json(
        await fetch(`${h.sim.ready.authority}/oauth2/v2.0/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            client_id: h.sim.ready.app.clientId,
            client_secret: h.sim.ready.app.clientSecret,
            grant_type: 'refresh_token',
            refresh_token: rt,
            scope,
          }),
        }),
      );
    const narrow: AnyJson = await refresh(
      body.refresh_token,
      'https://graph.microsoft.com/Calendars.ReadWrite offline_access',
    );
    expect(narrow.scope.split(' ').sort()).toEqual([
      'https://graph.microsoft.com/Calendars.ReadWrite',
      'offline_access',
      'openid',
      'profile',
    ]);
    expect(narrow.refresh_token).not.toBe(body.refresh_token);
    const wide: AnyJson = await refresh(narrow.refresh_token, 'https://graph.microsoft.com/.default');
    const scp = JSON.parse(Buffer.from(wide.access_token.split('.')[1], 'base64url').toString()).scp.split(
      ' ',
    );
    expect(scp).toEqual(expect.arrayContaining(['Chat.ReadWrite', 'Calendars.ReadWrite', 'User.Read']));
    // The old refresh token stays valid after rotation (Entra does not revoke it).
    expect(((await refresh(body.refresh_token, 'User.Read')) as AnyJson).access_token).toBeTruthy();
    // A code is single-use.
    const again: AnyJson = await json(await redeem(loc.searchParams.get('code') ?? ''));
    expect(again.error).toBe('invalid_grant');
    expect(again.error_codes).toEqual([54005]);
    expect(again.error_description).toMatch(/^AADSTS54005: .*\r\nTrace ID: /);
  });

  it('answers form_post with an auto-submitting form and honours PKCE plain', async () => {
    const res = await fetch(
      authorizeUrl({
        login_hint: 'carol@contoso.example',
        response_mode: 'form_post',
        code_challenge: 'plain-verifier-0123456789012345678901234567890',
        code_challenge_method: 'plain',
      }),
    );
    const html = await res.text();
    expect(html).toContain('action="http://localhost:8080/oauth2/callback"');
    const code = /name="code" value="([^"]+)"/.exec(html)?.[1] ?? '';
    expect((await redeem(code, { code_verifier: 'wrong' })).status).toBe(400);
  });

  it('shows an error page (no redirect) for an unregistered redirect URI or unknown app', async () => {
    const bad = await fetch(
      authorizeUrl({ redirect_uri: 'https://evil.example/cb', login_hint: 'alice@contoso.example' }),
      { redirect: 'manual' },
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('location')).toBeNull();
    expect(await bad.text()).toContain('AADSTS50011');
    const unknown = await fetch(authorizeUrl({ client_id: '00000000-0000-0000-0000-000000000001' }), {
      redirect: 'manual',
    });
    expect(await unknown.text()).toContain('AADSTS700016');
    // A different path on the loopback host is not the same URI.
    const path = await fetch(authorizeUrl({ redirect_uri: 'http://localhost:9999/other' }), {
      redirect: 'manual',
    });
    expect(path.status).toBe(400);
  });

  it('redirects consent_required for a scope without admin consent, and login_required for prompt=none', async () => {
    const r = await fetch(authorizeUrl({ scope: 'openid Mail.Read', login_hint: 'alice@contoso.example' }), {
      redirect: 'manual',
    });
    const loc = new URL(r.headers.get('location') ?? '');
    expect(loc.searchParams.get('error')).toBe('consent_required');
    expect(loc.searchParams.get('error_description')).toContain('AADSTS65001');
    const none = await fetch(authorizeUrl({ prompt: 'none' }), { redirect: 'manual' });
    expect(new URL(none.headers.get('location') ?? '').searchParams.get('error')).toBe('login_required');
  });

  it('issues a code for a public client only with PKCE S256 and checks it', async () => {
    const app = await h.control<AnyJson>('POST', '/apps', {
      displayName: 'CLI',
      redirectUris: ['http://localhost/cb'],
      delegatedPermissions: ['User.Read'],
      isPublicClient: true,
    });
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const r = await fetch(
      authorizeUrl({
        client_id: app.clientId,
        redirect_uri: 'http://localhost:5000/cb',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        login_hint: 'alice@contoso.example',
      }),
      { redirect: 'manual' },
    );
    const code = new URL(r.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tok = await fetch(`${h.sim.ready.authority}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: app.clientId,
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://localhost:5000/cb',
        code_verifier: verifier,
      }),
    });
    expect(tok.status).toBe(200);
  });
});

describe('discovery, keys and client credentials', () => {
  it('publishes discovery and a JWKS that verifies the tokens', async () => {
    const { ready } = h.sim;
    const d: AnyJson = await json(await fetch(`${ready.authority}/v2.0/.well-known/openid-configuration`));
    expect(d.issuer).toBe(`${ready.authority}/v2.0`);
    expect(d.token_endpoint).toBe(`${ready.authority}/oauth2/v2.0/token`);
    const common: AnyJson = await json(
      await fetch(`${new URL(ready.authority).origin}/common/v2.0/.well-known/openid-configuration`),
    );
    expect(common.issuer).toContain('{tenantid}');
    const unknown = await fetch(
      `${new URL(ready.authority).origin}/not-a-tenant/v2.0/.well-known/openid-configuration`,
    );
    expect(((await json(unknown)) as AnyJson).error_codes).toEqual([90002]);
    const token = await h.tokenFor('alice');
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(d.jwks_uri)));
    expect(payload).toMatchObject({
      aud: 'https://graph.microsoft.com',
      tid: ready.tenantId,
      oid: ready.users.alice?.id,
    });
  });

  it('requires /.default for client credentials and a secret for confidential apps', async () => {
    const { ready } = h.sim;
    const post = (form: Record<string, string>) =>
      fetch(`${ready.authority}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: ready.app.clientId,
          grant_type: 'client_credentials',
          ...form,
        }),
      });
    const scope = await post({
      client_secret: ready.app.clientSecret,
      scope: 'https://graph.microsoft.com/User.Read.All',
    });
    expect(((await json(scope)) as AnyJson).error_codes).toEqual([1002012]);
    const noSecret = await post({ scope: 'https://graph.microsoft.com/.default' });
    expect(noSecret.status).toBe(401);
    expect(((await json(noSecret)) as AnyJson).error).toBe('invalid_client');
    const basic = await fetch(`${ready.authority}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${ready.app.clientId}:${ready.app.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'https://graph.microsoft.com/.default',
      }),
    });
    const tok: AnyJson = await json(basic);
    expect(tok.refresh_token).toBeUndefined();
    const claims = JSON.parse(Buffer.from(tok.access_token.split('.')[1], 'base64url').toString());
    expect(claims.roles).toContain('Chat.Read.All');
  });

  it('revokes a user’s refresh tokens (AADSTS50173) and refuses a disabled user’s access token', async () => {
    const r = await fetch(authorizeUrl({ login_hint: 'dave@fabrikam.example' }), { redirect: 'manual' });
    const code = new URL(r.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens: AnyJson = await json(await redeem(code));
    await h.control('POST', '/users/dave/revoke');
    const { ready } = h.sim;
    const refreshed: AnyJson = await json(
      await fetch(`${ready.authority}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: ready.app.clientId,
          client_secret: ready.app.clientSecret,
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token,
          scope: 'User.Read offline_access',
        }),
      }),
    );
    expect(refreshed.error_codes).toEqual([50173]);
    expect((await h.graph(tokens.access_token, 'GET', '/me')).status).toBe(200);
    await h.control('PATCH', '/users/dave', { accountEnabled: false });
    expect((await h.graph(tokens.access_token, 'GET', '/me')).status).toBe(401);
  });
});
