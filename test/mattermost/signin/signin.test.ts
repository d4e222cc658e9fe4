import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeWorld } from '../harness.ts';
import { counters, mm, postLog, startEdgeWorld, user } from '../harness.ts';

/** A browser: follows nothing by itself, keeps its own cookies per origin-less jar (enough for two hosts on 127.0.0.1). */
class Browser {
  readonly jar = new Map<string, string>();

  async get(
    url: string,
    extra: Record<string, string> = {},
  ): Promise<{ status: number; location: string; body: string }> {
    const cookie = [...this.jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...extra },
    });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const eq = (pair as string).indexOf('=');
      const name = (pair as string).slice(0, eq);
      const value = (pair as string).slice(eq + 1);
      if (/Max-Age=0/.test(set)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location') ?? '', body: await res.text() };
  }
}

function whoamiRoute(w: EdgeWorld) {
  return async (url: string, browser: Browser) =>
    JSON.parse((await browser.get(`${w.publicUrl}${url}`)).body);
}

describe('Sign in with Mattermost (OAuth + PKCE)', () => {
  let w: EdgeWorld;
  let whoami: ReturnType<typeof whoamiRoute>;
  beforeAll(async () => {
    w = await startEdgeWorld({
      oauth: true,
      routes: (app, edge) => {
        app.get('/whoami', async (request) => ({ user: (await edge.signin.userOf(request)) ?? null }));
        app.get('/page', async (request, reply) => {
          const who = await edge.signin.requireUser(request, reply);
          return who ? { page: 'settings', user: who } : reply;
        });
      },
    });
    whoami = whoamiRoute(w);
  });
  afterAll(() => w.close());

  /** Alice's browser: signed in to Mattermost (its session cookie), starting our sign-in. */
  async function startAs(name: string, browser: Browser, path = '/mattermost/signin?to=/done') {
    const start = await browser.get(`${w.publicUrl}${path}`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.location);
    expect(authorize.origin + authorize.pathname).toBe(`${w.sim.url}/oauth/authorize`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const consent = await browser.get(start.location, {
      cookie: `MMAUTHTOKEN=${user(w.sim, name).token}; ${[...browser.jar].map(([k, v]) => `${k}=${v}`).join('; ')}`,
    });
    expect(consent.status).toBe(302);
    const callback = new URL(consent.location);
    expect(callback.pathname).toBe('/mattermost/oauth/callback');
    return consent.location;
  }

  it('signs alice in: the browser session is bound to her, and her token is stored for acting as her', async () => {
    const browser = new Browser();
    expect((await whoami('/whoami', browser)).user).toBeNull();
    const callback = await startAs('alice', browser);
    const done = await browser.get(callback);
    expect(done.status).toBe(302);
    expect(done.location).toBe('/done');
    expect(browser.jar.has('mm365_session')).toBe(true);
    expect((await whoami('/whoami', browser)).user).toBe(user(w.sim, 'alice').id);
    const token = await w.edge.userTokens.accessTokenFor(user(w.sim, 'alice').id);
    expect((await w.edge.rest.getMe(token)).username).toBe('alice');
  });

  it('sends a page that needs a user through the sign-in and back to that page', async () => {
    const browser = new Browser();
    const first = await browser.get(`${w.publicUrl}/page?tab=1`);
    expect(first.status).toBe(302);
    expect(first.location).toBe('/mattermost/signin?to=%2Fpage%3Ftab%3D1');
    const done = await browser.get(await startAs('carol', browser, first.location));
    expect(done.location).toBe('/page?tab=1');
    expect(JSON.parse((await browser.get(`${w.publicUrl}/page?tab=1`)).body)).toEqual({
      page: 'settings',
      user: user(w.sim, 'carol').id,
    });
  });

  it('refuses a replayed state (the same callback twice)', async () => {
    const browser = new Browser();
    const callback = await startAs('alice', browser);
    expect((await browser.get(callback)).status).toBe(302);
    const again = await browser.get(callback);
    expect(again.status).toBe(403);
    expect(JSON.parse(again.body).error.code).toBe('MM365_MM_OAUTH_STATE_INVALID');
  });

  it('refuses a state started in another browser (login CSRF), and a forged one', async () => {
    const attacker = new Browser();
    const callback = await startAs('bob', attacker);
    // The victim has a sign-in of their own under way, so their browser holds a flow cookie too.
    const victim = new Browser();
    await victim.get(`${w.publicUrl}/mattermost/signin?to=/x`);
    expect(victim.jar.has('mm365_flow')).toBe(true);
    const res = await victim.get(callback);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.code).toBe('MM365_MM_OAUTH_STATE_INVALID');
    expect((await whoami('/whoami', victim)).user).toBeNull();
    const forged = new URL(callback);
    forged.searchParams.set('state', 'eyJwIjoieCJ9.bm9wZQ');
    const res2 = await attacker.get(forged.toString());
    expect(JSON.parse(res2.body).error.code).toBe('MM365_MM_OAUTH_STATE_INVALID');
  });

  it('refuses a link sent to alice when the browser signs in as bob', async () => {
    const link = new URL(await w.edge.signin.linkFor(user(w.sim, 'alice').id, '/connect'));
    const browser = new Browser();
    const callback = await startAs('bob', browser, link.pathname + link.search);
    const res = await browser.get(callback);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.code).toBe('MM365_MM_SIGNIN_USER_MISMATCH');
    expect((await whoami('/whoami', browser)).user).toBeNull();
    // The same link, opened by alice, works.
    const hers = new Browser();
    const ok = await hers.get(await startAs('alice', hers, link.pathname + link.search));
    expect(ok.location).toBe('/connect');
  });

  it('acts as the signed-in user with their token (posts are theirs, marked from_oauth_app)', async () => {
    const alice = user(w.sim, 'alice');
    const asAlice = await w.edge.restAs(alice.id);
    const dm = await w.edge.messenger.dmChannelId(alice.id);
    const post = await asAlice.createPost({ channel_id: dm, message: 'written as alice' });
    expect(post.user_id).toBe(alice.id);
    expect(post.props.from_oauth_app).toBe('true');
    await expect(w.edge.restAs(user(w.sim, 'dave').id)).rejects.toMatchObject({
      code: 'MM365_MM_USER_TOKEN_MISSING',
    });
  });

  it('refreshes an expiring token once, atomically, however many callers ask at the same time', async () => {
    const aliceId = user(w.sim, 'alice').id;
    const stored = await w.stores.userTokens.get(aliceId);
    if (!stored) throw new Error('alice has no token');
    await w.stores.userTokens.put(aliceId, { ...stored, expiresAt: Date.now() - 1000 });
    const before = (await counters(w.sim)).requests['POST /oauth/access_token'] ?? 0;
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => w.edge.userTokens.accessTokenFor(aliceId)));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(stored.accessToken);
    expect(((await counters(w.sim)).requests['POST /oauth/access_token'] ?? 0) - before).toBe(1);
    expect((await w.edge.rest.getMe(tokens[0])).id).toBe(aliceId);
    // Mattermost removed the old session on refresh.
    expect((await mm(w.sim, 'GET', '/api/v4/users/me', { token: stored.accessToken })).status).toBe(401);
    const rotated = await w.stores.userTokens.get(aliceId);
    expect(rotated?.refreshToken).not.toBe(stored.refreshToken);
  });

  it('forgets a token Mattermost no longer refreshes, so the user is asked to sign in again', async () => {
    const bobId = user(w.sim, 'bob').id;
    await w.stores.userTokens.put(bobId, {
      accessToken: 'x',
      refreshToken: 'not-a-refresh-token',
      expiresAt: Date.now() - 1,
    });
    const err = await w.edge.userTokens.accessTokenFor(bobId).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MM365_MM_USER_TOKEN_MISSING' });
    expect(await w.stores.userTokens.get(bobId)).toBeUndefined();
  });
});

describe('signed-link fallback (no OAuth app)', () => {
  let w: EdgeWorld;
  let whoami: ReturnType<typeof whoamiRoute>;
  beforeAll(async () => {
    w = await startEdgeWorld({
      routes: (app, edge) => {
        app.get('/whoami', async (request) => ({ user: (await edge.signin.userOf(request)) ?? null }));
      },
    });
    whoami = whoamiRoute(w);
  });
  afterAll(() => w.close());

  it('DMs a single-use link that signs its recipient in once', async () => {
    const alice = user(w.sim, 'alice');
    expect(w.edge.signin.mode).toBe('link');
    await w.edge.signin.sendLink(alice.id, '/next', 'Connect your account:');
    const dm = await w.edge.messenger.dmChannelId(alice.id);
    const post = (await postLog(w.sim, dm)).find(
      (e) => e.kind === 'created' && e.post.message.startsWith('Connect your account:'),
    );
    const url = /\((http[^)]+)\)/.exec(post.post.message)?.[1] as string;
    expect(url).toContain('/mattermost/signin/link?t=');
    const browser = new Browser();
    const first = await browser.get(url);
    expect(first).toMatchObject({ status: 302, location: '/next' });
    expect((await whoami('/whoami', browser)).user).toBe(alice.id);
    const cookie = `mm365_session=${browser.jar.get('mm365_session')}`;
    expect(
      (await fetch(`${w.publicUrl}/mattermost/signout`, { method: 'POST', headers: { cookie } })).status,
    ).toBe(204);
    // The old cookie no longer signs anyone in, even if a browser kept it.
    expect(
      JSON.parse(await (await fetch(`${w.publicUrl}/whoami`, { headers: { cookie } })).text()).user,
    ).toBeNull();
    const second = await new Browser().get(url);
    expect(second.status).toBe(403);
    expect(JSON.parse(second.body).error.code).toBe('MM365_MM_LINK_USED');
  });

  it('refuses a tampered link and says OAuth is not configured for the OAuth start', async () => {
    const url = new URL(await w.edge.signin.linkFor(user(w.sim, 'bob').id, '/x'));
    const t = url.searchParams.get('t') as string;
    const [body, mac] = t.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    claims.d.u = user(w.sim, 'alice').id;
    url.searchParams.set('t', `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`);
    const res = await new Browser().get(url.toString());
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.code).toBe('MM365_SIGNATURE_INVALID');
    const start = await new Browser().get(`${w.publicUrl}/mattermost/signin?to=/x`);
    expect(start.status).toBe(404);
    expect(JSON.parse(start.body).error.code).toBe('MM365_MM_OAUTH_NOT_CONFIGURED');
  });
});
