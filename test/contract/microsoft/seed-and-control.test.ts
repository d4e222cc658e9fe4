/**
 * Seeds and the control API: a custom seed replaces the demo tenant, a bad seed fails before listening,
 * reset restores the demo tenant, added users/apps/redirect URIs work end to end, counters count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMicrosoftSim } from '../../../sim/microsoft/index.ts';
import { type AnyJson, type Harness, json, startHarness } from './sim-harness.ts';

const SEED = {
  tenant: { domain: 'fabrikam.example', displayName: 'Fabrikam' },
  users: [
    { key: 'erin', displayName: 'Erin Ek', timeZone: 'Tokyo Standard Time' },
    { key: 'frank', displayName: 'Frank Fu' },
  ],
  apps: [
    {
      displayName: 'Seeded app',
      redirectUris: ['https://app.fabrikam.example/cb'],
      delegatedPermissions: ['User.Read'],
    },
  ],
  events: [
    {
      organizer: 'erin',
      subject: 'Kickoff',
      start: { dateTime: '2030-01-07T10:00:00', timeZone: 'Tokyo Standard Time' },
      end: { dateTime: '2030-01-07T11:00:00', timeZone: 'Tokyo Standard Time' },
      attendees: ['frank'],
    },
  ],
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: SEED });
});
afterAll(async () => {
  await h.close();
});

describe('seeds', () => {
  it('starts from a custom seed', async () => {
    const { ready } = h.sim;
    expect(Object.keys(ready.users)).toEqual(['erin', 'frank']);
    expect(ready.users.erin?.mail).toBe('erin@fabrikam.example');
    expect(ready.app.redirectUris).toEqual(['https://app.fabrikam.example/cb']);
    const frank = await h.tokenFor('frank', ['Calendars.Read']);
    const view: AnyJson = await json(
      await h.graph(
        frank,
        'GET',
        '/me/calendarView?startDateTime=2030-01-07T00:00:00Z&endDateTime=2030-01-08T00:00:00Z',
      ),
    );
    expect(view.value.map((e: AnyJson) => [e.subject, e.start.dateTime])).toEqual([
      ['Kickoff', '2030-01-07T01:00:00.0000000'],
    ]);
    // Only User.Read is consented for this app: asking for more at authorize fails.
    const q = new URLSearchParams({
      client_id: ready.app.clientId,
      response_type: 'code',
      redirect_uri: 'https://app.fabrikam.example/cb',
      scope: 'openid Calendars.Read',
      login_hint: 'erin@fabrikam.example',
    });
    const r = await fetch(`${ready.authority}/oauth2/v2.0/authorize?${q}`, { redirect: 'manual' });
    expect(new URL(r.headers.get('location') ?? '').searchParams.get('error')).toBe('consent_required');
  });

  it('refuses a bad seed without leaving a server behind', async () => {
    await expect(startMicrosoftSim({ port: 0, seed: { tenant: {}, users: [], apps: [] } })).rejects.toThrow(
      /invalid Microsoft sim seed/,
    );
  });

  it('reset brings back the demo tenant and clears counters', async () => {
    const ready: AnyJson = await h.control('POST', '/reset', {});
    expect(Object.keys(ready.users)).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(h.sim.ready.tenantId).toBe('6f1d2c3b-4a5e-4f60-9b7a-8c9d0e1f2a3b');
    const counters: AnyJson = await h.control('GET', '/counters');
    expect(counters.routes).toEqual({});
  });
});

describe('control API', () => {
  it('adds a user, an app and a redirect URI that then work through Entra and Graph', async () => {
    await h.control('POST', '/users', {
      key: 'gina',
      displayName: 'Gina Gray',
      timeZone: 'Eastern Standard Time',
    });
    const app: AnyJson = await h.control('POST', '/apps', {
      displayName: 'Second app',
      redirectUris: [],
      delegatedPermissions: ['User.Read', 'MailboxSettings.Read'],
    });
    await h.control('POST', `/apps/${app.clientId}/redirect-uris`, { uri: 'https://second.example/cb' });
    const q = new URLSearchParams({
      client_id: app.clientId,
      response_type: 'code',
      redirect_uri: 'https://second.example/cb',
      scope: 'User.Read MailboxSettings.Read',
      login_hint: 'gina@contoso.example',
    });
    const r = await fetch(`${h.sim.ready.authority}/oauth2/v2.0/authorize?${q}`, { redirect: 'manual' });
    const code = new URL(r.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tok: AnyJson = await json(
      await fetch(`${h.sim.ready.authority}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: app.clientId,
          client_secret: app.clientSecret,
          grant_type: 'authorization_code',
          code,
          redirect_uri: 'https://second.example/cb',
        }),
      }),
    );
    const tz: AnyJson = await json(await h.graph(tok.access_token, 'GET', '/me/mailboxSettings/timeZone'));
    expect(tz.value).toBe('Eastern Standard Time');
    const counters: AnyJson = await h.control('GET', '/counters');
    // authorize + token + one Graph call, all attributed to the new app.
    expect(counters.apps[app.clientId]).toBe(3);
    expect(counters.routes['GET /v1.0/{user}/mailboxSettings/timeZone']).toBe(1);
    expect(counters.routes['POST /:tenant/oauth2/v2.0/token']).toBeGreaterThanOrEqual(1);
  });

  it('refuses control calls without the control token, and moves the clock only forward', async () => {
    const res = await fetch(`${h.sim.ready.control}/counters`);
    expect(res.status).toBe(401);
    const before: AnyJson = await h.control('GET', '/clock');
    const back = await fetch(`${h.sim.ready.control}/clock/set`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.sim.ready.controlToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ at: new Date(before.ms - 60_000).toISOString() }),
    });
    expect(back.status).toBe(400);
    const after: AnyJson = await h.control('POST', '/clock/advance', { ms: 3_600_000 });
    expect(after.ms - before.ms).toBeGreaterThanOrEqual(3_600_000);
  });
});
