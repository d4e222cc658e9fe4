import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectFlow, type MicrosoftSignIn } from '../../../src/accounts/index.ts';
import { AccountService, type MicrosoftIdentity } from '../../../src/core/accounts/index.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import type { EntraUserId, MmUserId, TenantId } from '../../../src/core/ids.ts';
import { createLogger } from '../../../src/core/log.ts';
import { TokenSigner } from '../../../src/core/signed-token.ts';
import { Vault } from '../../../src/core/vault/index.ts';
import { ConnectedAccounts, ConnectRequests, migrateToLatest } from '../../../src/store/index.ts';
import { openTestStore, type TestStore } from '../../helpers/database.ts';

const log = createLogger({ log: { level: 'silent', format: 'json' } });
const alice = 'a'.repeat(26) as MmUserId;
const bob = 'b'.repeat(26) as MmUserId;
const aliceMs: MicrosoftIdentity = {
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' as TenantId,
  entraUserId: '11111111-1111-1111-1111-111111111111' as EntraUserId,
  mail: 'alice@contoso.example',
  userPrincipalName: 'alice@contoso.example',
  displayName: 'Alice Adams',
};

describe('connect flow', () => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.close();
  });

  async function setup() {
    t = await openTestStore('pglite');
    await migrateToLatest(t.store);
    const clock = new ManualClock();
    const accounts = new AccountService(
      new ConnectedAccounts(t.store.db),
      { requireMatchingEmail: true, allowList: [] },
      clock,
    );
    const dms: { id: string; to: string; text: string }[] = [];
    const forgotten: string[] = [];
    const disconnectedHooks: string[] = [];
    const connectedHooks: string[] = [];
    let signInAs: MicrosoftIdentity = aliceMs;
    const persisted: string[] = [];
    const signIn: MicrosoftSignIn = {
      authorizeUrl: async ({ feature, state, loginHint }) => ({
        url: `https://login.example/authorize?f=${feature}&login_hint=${loginHint}&state=${encodeURIComponent(state)}`,
        codeVerifier: `verifier-for-${state.slice(-8)}`,
      }),
      redeem: async ({ code, codeVerifier }) => {
        // The verifier must come back from the server side, never from the browser.
        if (!codeVerifier.startsWith('verifier-for-')) throw new Error('PKCE verifier lost');
        if (code !== 'good-code') throw new Error('AADSTS70008: expired code');
        return { identity: signInAs, persist: async (u) => void persisted.push(u) };
      },
    };
    const flow = new ConnectFlow({
      accounts,
      requests: new ConnectRequests(t.store.db),
      signer: new TokenSigner(randomBytes(32)),
      vault: new Vault([{ id: 'k1', key: randomBytes(32) }]),
      directory: {
        user: async (id) =>
          ({
            [alice]: { id: alice, username: 'alice', email: 'alice@contoso.example', isBot: false },
            [bob]: { id: bob, username: 'bob', email: 'bob@contoso.example', isBot: false },
          })[id],
      },
      posts: {
        dmPost: async (to, text) => {
          const id = `post${dms.length}`;
          dms.push({ id, to, text });
          return id;
        },
        updatePost: async (id, text) => {
          const dm = dms.find((d) => d.id === id);
          if (dm) dm.text = text;
        },
      },
      signIn,
      sessions: { refresh: async () => ({ ok: true }), forget: async (u) => void forgotten.push(u) },
      // The Mattermost sign-in step is the edge's (tested there); here its link lands straight on the page.
      webSignIn: { linkFor: async (_u, returnTo) => `https://mm365.example${returnTo}` },
      clock,
      log,
      onConnected: async (u, f) => void connectedHooks.push(`${u}:${f}`),
      welcome: { calendar: 'Try `/mscalendar today`.' },
      // Records whether the tokens were still there when the feature cleaned up.
      onDisconnected: async (u, f) =>
        void disconnectedHooks.push(`${u}:${f}:${forgotten.includes(u) ? 'after' : 'before'}-forget`),
    });
    const linkToken = () => {
      const url = new URL((dms.at(-1)?.text.match(/\((https:[^)]+)\)/) ?? [])[1] as string);
      expect(url.origin + url.pathname).toBe('https://mm365.example/connect/start');
      return url.searchParams.get('token') as string;
    };
    const stateOf = (authorizeUrl: string) => new URL(authorizeUrl).searchParams.get('state') as string;
    return {
      flow,
      accounts,
      clock,
      dms,
      forgotten,
      persisted,
      disconnectedHooks,
      connectedHooks,
      linkToken,
      stateOf,
      setIdentity: (i: MicrosoftIdentity) => (signInAs = i),
    };
  }

  it('connects: DM with a link, Microsoft sign-in for the feature, DM updated, account stored', async () => {
    const { flow, accounts, dms, persisted, linkToken, stateOf } = await setup();
    expect((await flow.request(alice, 'calendar')).text).toBe(
      'I sent you a direct message with a link to connect your Microsoft account.',
    );
    expect(dms[0]).toMatchObject({
      to: alice,
      text: expect.stringContaining('to use Microsoft Calendar in Mattermost'),
    });
    const authorize = await flow.start(linkToken(), alice);
    expect(authorize).toContain('f=calendar&login_hint=alice@contoso.example');
    const page = await flow.complete({ code: 'good-code', state: stateOf(authorize) }, alice);
    expect(page).toEqual({
      status: 200,
      title: 'Connected',
      message:
        'Connected to Microsoft Calendar as alice@contoso.example (Alice Adams). You can close this window and go back to Mattermost.',
    });
    expect(dms[0]?.text).toBe(
      '✅ Connected to Microsoft Calendar as alice@contoso.example (Alice Adams).\n\nTry `/mscalendar today`.',
    );
    expect(await accounts.isConnected(alice, 'calendar')).toBe(true);
    expect(persisted).toEqual([alice]);
    expect((await flow.request(alice, 'calendar')).text).toContain(
      'You are already connected to Microsoft Calendar as alice@contoso.example',
    );
  });

  it('refuses a replayed callback, a reused link, another user’s link, an expired or forged one', async () => {
    const { flow, clock, linkToken, stateOf } = await setup();
    await flow.request(alice, 'calendar');
    const token = linkToken();
    await expect(flow.start(token, bob)).rejects.toMatchObject({ code: 'MM365_CONNECT_WRONG_USER' });
    const state = stateOf(await flow.start(token, alice));
    expect((await flow.complete({ code: 'good-code', state }, bob)).status).toBe(403);
    expect((await flow.complete({ code: 'good-code', state }, alice)).status).toBe(200);
    const replay = await flow.complete({ code: 'good-code', state }, alice);
    expect(replay).toMatchObject({ status: 410, message: expect.stringContaining('already used') });
    await expect(flow.start(token, alice)).rejects.toMatchObject({ code: 'MM365_CONNECT_LINK_USED' });

    await flow.request(bob, 'teams');
    const bobToken = linkToken();
    clock.advance(16 * 60_000);
    await expect(flow.start(bobToken, bob)).rejects.toMatchObject({ code: 'MM365_SIGNATURE_EXPIRED' });
    await expect(flow.start(`${bobToken}x`, bob)).rejects.toMatchObject({ code: 'MM365_SIGNATURE_INVALID' });
    expect((await flow.complete({ code: 'good-code', state: 'forged' }, bob)).status).toBe(403);
  });

  it('applies the account rules: a different e-mail is refused, the DM says why, and no token is stored', async () => {
    const { flow, accounts, dms, persisted, linkToken, stateOf, setIdentity } = await setup();
    setIdentity({ ...aliceMs, mail: 'alice@gmail.example', userPrincipalName: 'alice@gmail.example' });
    await flow.request(alice, 'calendar');
    const page = await flow.complete(
      { code: 'good-code', state: stateOf(await flow.start(linkToken(), alice)) },
      alice,
    );
    expect(page.status).toBe(403);
    expect(page.message).toContain(
      'You signed in to Microsoft as alice@gmail.example, but your Mattermost e-mail is alice@contoso.example',
    );
    expect(dms[0]?.text).toMatch(
      /^❌ Could not connect your Microsoft account: You signed in to Microsoft as alice@gmail.example/,
    );
    expect(persisted).toEqual([]);
    expect(await accounts.get(alice)).toBeUndefined();
  });

  it('reports a cancelled sign-in and a bad code without storing anything', async () => {
    const { flow, accounts, dms, linkToken, stateOf } = await setup();
    await flow.request(alice, 'teams');
    const state = stateOf(await flow.start(linkToken(), alice));
    const cancelled = await flow.complete(
      { error: 'access_denied', error_description: 'AADSTS65004: User declined to consent', state },
      alice,
    );
    expect(cancelled).toMatchObject({
      status: 400,
      message: expect.stringContaining('the permissions were not granted'),
    });
    expect(dms[0]?.text).toContain('❌ Microsoft sign-in did not complete');

    await flow.request(alice, 'teams');
    const bad = await flow.complete(
      { code: 'stale-code', state: stateOf(await flow.start(linkToken(), alice)) },
      alice,
    );
    expect(bad.status).toBe(500);
    expect(bad.message).not.toContain('AADSTS70008');
    expect(await accounts.get(alice)).toBeUndefined();
  });

  it('disconnects a feature, forgetting the tokens with the last one, and reports status throughout', async () => {
    const { flow, forgotten, disconnectedHooks, connectedHooks, linkToken, stateOf } = await setup();
    for (const feature of ['calendar', 'teams'] as const) {
      await flow.request(alice, feature);
      await flow.complete({ code: 'good-code', state: stateOf(await flow.start(linkToken(), alice)) }, alice);
    }
    expect(connectedHooks).toEqual([`${alice}:calendar`, `${alice}:teams`]);
    expect((await flow.status(alice, 'teams')).text).toBe(
      'You are connected as alice@contoso.example (Alice Adams) for Microsoft Calendar and Microsoft Teams.',
    );
    expect((await flow.disconnect(alice, 'teams')).text).toBe(
      'Disconnected alice@contoso.example from Microsoft Teams. Your account stays connected for Microsoft Calendar.',
    );
    expect(forgotten).toEqual([]);
    expect((await flow.status(alice, 'teams')).text).toContain(
      'Run `/msteams connect` to use it for Microsoft Teams too.',
    );
    expect((await flow.disconnect(alice, 'calendar')).text).toBe(
      'Disconnected alice@contoso.example from Microsoft Calendar.',
    );
    expect(forgotten).toEqual([alice]);
    expect(disconnectedHooks).toEqual([`${alice}:teams:before-forget`, `${alice}:calendar:before-forget`]);
    expect((await flow.disconnect(alice, 'calendar')).text).toBe(
      'You are not connected to Microsoft Calendar.',
    );
    expect((await flow.status(alice, 'calendar')).text).toBe(
      'You are not connected to Microsoft 365. Run `/mscalendar connect` to connect.',
    );
  });

  it('offers a reconnect link when the connection stopped working', async () => {
    const { flow, accounts, dms, linkToken, stateOf } = await setup();
    await flow.request(alice, 'calendar');
    await flow.complete({ code: 'good-code', state: stateOf(await flow.start(linkToken(), alice)) }, alice);
    await accounts.markInactive(alice, 'refresh_expired');
    expect((await flow.status(alice, 'calendar')).text).toContain('the connection stopped working');
    await flow.request(alice, 'calendar');
    expect(dms.at(-1)?.text).toContain('[Reconnect your Microsoft account]');
    await flow.complete({ code: 'good-code', state: stateOf(await flow.start(linkToken(), alice)) }, alice);
    expect(await accounts.isConnected(alice, 'calendar')).toBe(true);

    // The keep-alive DM's link is a working connect link for the account's feature.
    const reconnect = new URL(await flow.reconnectUrl(alice));
    expect(reconnect.pathname).toBe('/connect/start');
    expect(await flow.start(reconnect.searchParams.get('token') as string, alice)).toContain('f=calendar');
  });
});
