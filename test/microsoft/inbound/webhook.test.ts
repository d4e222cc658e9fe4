import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GraphNotification, SubscriptionHandler } from '../../../src/microsoft/index.ts';
import { hashClientState } from '../../../src/microsoft/notifications/client-state.ts';
import { generateSelfSignedCertificate } from '../../../src/microsoft/notifications/self-signed.ts';
import { MicrosoftCertificates } from '../../../src/store/microsoft-certificate.ts';
import { waitFor } from '../../helpers/wait.ts';
import { type MsHarness, signInForCalendar, startMsHarness } from '../harness.ts';
import { type WiredEdge, wireEdge } from '../wiring.ts';

let h: MsHarness;
let w: WiredEdge;
let aliceId: string;
let aliceToken: string;
let richChatId = '';
const changes: GraphNotification[] = [];
const catchUps: string[] = [];

const handler: SubscriptionHandler = {
  async onChange(n) {
    changes.push(n);
  },
  async onCatchUp(sub, reason) {
    catchUps.push(`${sub.kind}:${reason}`);
  },
};

beforeAll(async () => {
  h = await startMsHarness('pglite');
  // Our test server speaks plain HTTP; production sits behind TLS (Graph requires https).
  await h.control('PATCH', '/settings', { allowHttpNotificationUrl: true });
  w = wireEdge({ store: h.t.store, vault: h.vault, microsoft: h.microsoft, work: true });
  w.edge.processor.register('test.events', handler);
  w.edge.processor.register('test.chat', handler);
  await w.start();
  aliceId = h.sim.ready.users.alice?.id ?? '';
  aliceToken = (await h.control<{ access_token: string }>('POST', '/tokens', { user: 'alice' })).access_token;
});
afterAll(async () => {
  await w.stop();
  await h.close();
});
beforeEach(() => {
  changes.length = 0;
  catchUps.length = 0;
});

async function createEvent(subject: string): Promise<string> {
  const start = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19);
  const end = new Date(Date.now() + 90_000_000).toISOString().slice(0, 19);
  const res = await fetch(`${h.sim.ready.graph}/me/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${aliceToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      subject,
      start: { dateTime: start, timeZone: 'UTC' },
      end: { dateTime: end, timeZone: 'UTC' },
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const eventsSpec = () => ({
  kind: 'test.events',
  ownerKey: 'p-alice',
  resource: `/users/${aliceId}/events`,
  changeType: 'created,updated,deleted',
  auth: { kind: 'app' as const },
});

describe('Graph webhook receiver + subscription manager, end to end with the sim', () => {
  it('creates a subscription (handshake on both URLs) and delivers a change to the feature handler once', async () => {
    const before = (await h.control<{ notifications: { validations: number } }>('GET', '/counters'))
      .notifications;
    const sub = await w.edge.subscriptions.ensure(eventsSpec());
    expect(sub.graphId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sub.status).toBe('active');
    expect(sub.clientStateHash).toMatch(/^[0-9a-f]{64}$/);
    const after = (await h.control<{ notifications: { validations: number } }>('GET', '/counters'))
      .notifications;
    expect(after.validations - before.validations).toBe(2);
    // ensure() again is a no-op: the subscription is fresh.
    expect(await w.edge.subscriptions.maintain(sub.id)).toBe('fresh');

    const eventId = await createEvent('Webhook probe');
    await waitFor('the change to reach the handler', () => changes.length > 0);
    expect(changes[0]).toMatchObject({
      subscription: { kind: 'test.events', ownerKey: 'p-alice' },
      changeType: 'created',
      resourceData: { id: eventId },
    });
    await waitFor('the row to be processed', async () => {
      const n = await h.t.store.db.selectFrom('microsoft_notification').select('processed_at').execute();
      return n.length > 0 && n.every((r) => r.processed_at !== null);
    });
    expect(changes).toHaveLength(1);
    const text = await w.metrics.registry.metrics();
    expect(text).toMatch(/mm365_graph_notifications_total\{endpoint="notifications",outcome="recorded"\} 1/);
  });

  it('echoes an inert validation token as text/plain and refuses one carrying markup', async () => {
    const ok = await w.http.inject({
      method: 'POST',
      url: '/microsoft/notifications?validationToken=Validation%3A%20Testing%20client%20application%20reachability',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      payload: '',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);
    expect(ok.body).toBe('Validation: Testing client application reachability');
    const bad = await w.http.inject({
      method: 'POST',
      url: `/microsoft/lifecycle?validationToken=${encodeURIComponent('<script>alert(1)</script>')}`,
      headers: { 'content-type': 'text/plain' },
      payload: '',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('MM365_WEBHOOK_VALIDATION_TOKEN_INVALID');
    expect(bad.body).not.toContain('<script>');
  });

  it('refuses a notification with a wrong clientState and records nothing', async () => {
    const sub = await w.edge.subscriptions.ensure(eventsSpec());
    const count = async () =>
      Number(
        (
          await h.t.store.db
            .selectFrom('microsoft_notification')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const rows = await count();
    const forged = {
      value: [
        {
          subscriptionId: sub.graphId,
          clientState: 'guessed-client-state',
          changeType: 'deleted',
          resource: `Users/${aliceId}/Events/AAMkforged`,
          resourceData: { id: 'AAMkforged' },
          tenantId: h.sim.ready.tenantId,
        },
      ],
    };
    const res = await w.http.inject({ method: 'POST', url: '/microsoft/notifications', payload: forged });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('MM365_WEBHOOK_UNVERIFIED');
    expect(await count()).toBe(rows);
    const text = await w.metrics.registry.metrics();
    expect(text).toMatch(/outcome="bad_client_state"\} 1/);
  });

  it('drops (202, nothing recorded) a POST whose validationTokens do not verify', async () => {
    const sub = await w.edge.subscriptions.ensure(eventsSpec());
    await w.subscriptions.update(sub.id, { clientStateHash: hashClientState('known-for-this-test') });
    const count = async () =>
      (await h.t.store.db.selectFrom('microsoft_notification').select('id').execute()).length;
    const rows = await count();
    const res = await w.http.inject({
      method: 'POST',
      url: '/microsoft/notifications',
      payload: {
        value: [
          {
            subscriptionId: sub.graphId,
            clientState: 'known-for-this-test',
            changeType: 'updated',
            resource: 'x',
          },
        ],
        validationTokens: ['eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.'],
      },
    });
    expect(res.statusCode).toBe(202);
    expect(await count()).toBe(rows);
    expect(await w.metrics.registry.metrics()).toMatch(/outcome="bad_validation_tokens"\} 1/);
    // The same notification without the bad tokens is accepted: the tokens were the reason.
    const ok = await w.http.inject({
      method: 'POST',
      url: '/microsoft/notifications',
      payload: {
        value: [
          {
            subscriptionId: sub.graphId,
            clientState: 'known-for-this-test',
            changeType: 'updated',
            resource: 'x',
          },
        ],
      },
    });
    expect(ok.statusCode).toBe(202);
    expect(await count()).toBe(rows + 1);
    await w.edge.subscriptions.recreate(sub.id); // back to a clientState Graph knows
  });

  it('acts on lifecycle events: subscriptionRemoved recreates and catches up, missed catches up, reauthorize', async () => {
    const sub = await w.edge.subscriptions.ensure(eventsSpec());
    await h.control('POST', `/subscriptions/${sub.graphId}/lifecycle`, { event: 'subscriptionRemoved' });
    await waitFor('the catch-up after removal', () => catchUps.includes('test.events:subscriptionRemoved'));
    const recreated = await w.subscriptions.get(sub.id);
    expect(recreated?.graphId).not.toBe(sub.graphId);
    expect(recreated?.status).toBe('active');

    await h.control('POST', `/subscriptions/${recreated?.graphId}/lifecycle`, { event: 'missed' });
    await waitFor('the catch-up after missed', () => catchUps.includes('test.events:missed'));

    await h.control('DELETE', '/counters');
    await h.control('POST', `/subscriptions/${recreated?.graphId}/lifecycle`, {
      event: 'reauthorizationRequired',
    });
    await waitFor('the reauthorize call', async () => {
      const c = await h.control<{ routes: Record<string, number> }>('GET', '/counters');
      return Object.keys(c.routes).some((k) => k.includes('reauthorize'));
    });
  });

  it('renews a subscription near expiry, and recreates one Graph lost', async () => {
    const sub = await w.edge.subscriptions.ensure(eventsSpec());
    // Time passing, as the renewal job would see it: the row says it expires in 10 minutes.
    await w.subscriptions.update(sub.id, { expiresAt: new Date(Date.now() + 10 * 60_000) });
    expect(await w.edge.subscriptions.renewDue()).toBe(1);
    const renewed = await w.subscriptions.get(sub.id);
    expect(renewed?.graphId).toBe(sub.graphId);
    expect(renewed?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 24 * 3600_000);

    await w.edge.asApp('core').request({ method: 'DELETE', path: `/subscriptions/${sub.graphId}` });
    await w.subscriptions.update(sub.id, { expiresAt: new Date(Date.now() + 10 * 60_000) });
    expect(await w.edge.subscriptions.renewDue()).toBe(1);
    const recreated = await w.subscriptions.get(sub.id);
    expect(recreated?.graphId).not.toBe(sub.graphId);
    const check = await w.edge
      .asApp('core')
      .json<{ id: string }>({ path: `/subscriptions/${recreated?.graphId}` });
    expect(check.id).toBe(recreated?.graphId);
  });

  it('ensure() waits for another replica that holds the lease instead of creating a second subscription', async () => {
    const spec = { ...eventsSpec(), ownerKey: 'p-race', changeType: 'created' };
    const row = await w.subscriptions.upsert({
      kind: spec.kind,
      ownerKey: spec.ownerKey,
      resource: spec.resource,
      changeType: spec.changeType,
      auth: JSON.stringify(spec.auth),
      includeResourceData: false,
      lifetimeMinutes: 4320,
    });
    expect(
      await w.subscriptions.claim(row.id, 'other-replica', new Date(), new Date(Date.now() + 30_000)),
    ).toBe(true);
    let settled = false;
    const ensured = w.edge.subscriptions.ensure(spec).then((r) => {
      settled = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(settled).toBe(false);
    // The other replica finishes: its subscription is the one ensure() returns.
    await w.subscriptions.update(row.id, {
      graphId: '0bad0000-0000-4000-8000-000000000000',
      status: 'active',
    });
    await w.subscriptions.release(row.id, 'other-replica');
    expect((await ensured).graphId).toBe('0bad0000-0000-4000-8000-000000000000');
    await w.subscriptions.delete(row.id);
  });

  it('a second replica holding the lease makes maintenance skip (cluster-safe)', async () => {
    const sub = await w.edge.subscriptions.ensure(eventsSpec());
    await w.subscriptions.update(sub.id, { expiresAt: new Date(Date.now() + 60_000) });
    expect(
      await w.subscriptions.claim(sub.id, 'other-replica', new Date(), new Date(Date.now() + 60_000)),
    ).toBe(true);
    expect(await w.edge.subscriptions.maintain(sub.id)).toBe('busy');
    await w.subscriptions.release(sub.id, 'other-replica');
    expect(await w.edge.subscriptions.maintain(sub.id)).toBe('renewed');
  });

  it('decrypts rich notifications with our generated certificate after checking validationTokens', async () => {
    const chats = await w.edge.asApp('teams').json<{ value: { id: string; chatType: string }[] }>({
      path: `/users/${aliceId}/chats`,
    });
    const chatId = chats.value.find((c) => c.chatType === 'oneOnOne')?.id ?? '';
    richChatId = chatId;
    const sub = await w.edge.subscriptions.ensure({
      kind: 'test.chat',
      ownerKey: chatId,
      resource: `/chats/${chatId}/messages`,
      changeType: 'created,updated',
      auth: { kind: 'app' },
      includeResourceData: true,
      lifetimeMinutes: 60,
    });
    expect(sub.certificateId).toMatch(/^[0-9a-f-]{36}$/);
    const cert = await h.t.store.db.selectFrom('microsoft_certificate').selectAll().executeTakeFirstOrThrow();
    expect(cert.private_key).toMatch(/^mm365v1\./); // sealed at rest
    const sent = await fetch(`${h.sim.ready.graph}/chats/${encodeURIComponent(chatId)}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${aliceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: { contentType: 'text', content: 'rich hello' } }),
    });
    expect(sent.status).toBe(201);
    await waitFor('the rich notification', () => changes.some((c) => c.subscription.kind === 'test.chat'));
    const rich = changes.find((c) => c.subscription.kind === 'test.chat');
    expect(rich?.content).toMatchObject({ body: { content: 'rich hello' } });
  });

  it('after a certificate rotation, maintenance moves the rich subscription to the new certificate (Teams: one per chat, so delete first and catch up)', async () => {
    const [sub] = await w.subscriptions.listByOwner(richChatId, 'test.chat');
    if (!sub?.graphId) throw new Error('the rich subscription of the previous test is missing');
    const fresh = generateSelfSignedCertificate(
      'rotated',
      new Date(Date.now() - 1000),
      new Date(Date.now() + 400 * 86_400_000),
    );
    await new MicrosoftCertificates(h.t.store.db, h.vault).add({ id: 'rotated-cert', ...fresh }, new Date());
    expect(await w.edge.subscriptions.maintain(sub.id)).toBe('created');
    const moved = await w.subscriptions.get(sub.id);
    expect(moved?.certificateId).toBe('rotated-cert');
    expect(catchUps).toEqual(['test.chat:subscriptionRemoved']);
    await expect(w.edge.asApp('core').json({ path: `/subscriptions/${sub.graphId}` })).rejects.toMatchObject({
      code: 'MM365_GRAPH_NOT_FOUND',
    });
    changes.length = 0;
    const sent = await fetch(`${h.sim.ready.graph}/chats/${encodeURIComponent(richChatId)}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${aliceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: { contentType: 'text', content: 'after rotation' } }),
    });
    expect(sent.status).toBe(201);
    await waitFor('the notification under the new certificate', () =>
      changes.some((c) => c.subscription.kind === 'test.chat'),
    );
    expect(changes.find((c) => c.subscription.kind === 'test.chat')?.content).toMatchObject({
      body: { content: 'after rotation' },
    });
  });

  it('diagnoses app permissions and webhook reachability for doctor', async () => {
    const checks = await w.edge.diagnostics.appPermissions();
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['microsoft.client-credentials', true],
      ['microsoft.app-permissions.calendar', true],
      ['microsoft.app-permissions.teams', true],
    ]);
    expect(await w.edge.diagnostics.webhook()).toMatchObject({ name: 'microsoft.webhook', ok: true });

    const { clientId } = h.sim.ready.app;
    const roles = [...(h.sim.context.state.apps.get(clientId)?.applicationPermissions ?? [])];
    await h.control('PATCH', `/apps/${clientId}`, {
      applicationPermissions: roles.filter((r) => r !== 'Presence.Read.All'),
    });
    try {
      // A fresh edge: the running one holds an app token minted before the change.
      const fresh = wireEdge({ store: h.t.store, vault: h.vault, microsoft: h.microsoft, work: false });
      const teams = (await fresh.edge.diagnostics.appPermissions(['teams']))[1];
      expect(teams).toMatchObject({ ok: false });
      expect(teams?.detail).toContain('Presence.Read.All');
      const broken = wireEdge({
        store: h.t.store,
        vault: h.vault,
        microsoft: { ...h.microsoft, clientSecret: 'wrong' },
        work: false,
      });
      const [creds] = await broken.edge.diagnostics.appPermissions();
      expect(creds).toMatchObject({ name: 'microsoft.client-credentials', ok: false });
      expect(creds?.detail).toContain('MM365_MICROSOFT_CLIENT_CREDENTIALS_INVALID');
      expect(await fresh.edge.diagnostics.webhook()).toMatchObject({ ok: false });
    } finally {
      await h.control('PATCH', `/apps/${clientId}`, { applicationPermissions: roles });
    }
  });

  it('runs a delegated subscription on the user’s own token (/me/events); disconnect deletes it and the tokens', async () => {
    await signInForCalendar(w.edge, 'p-bob', 'bob@contoso.example');
    const sub = await w.edge.subscriptions.ensure({
      kind: 'test.events',
      ownerKey: 'p-bob',
      resource: '/me/events',
      changeType: 'created',
      auth: { kind: 'user', partition: 'p-bob', feature: 'calendar' },
    });
    expect(sub.status).toBe('active');
    const bobToken = await w.edge.auth.userToken('p-bob', 'calendar');
    const start = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19);
    const res = await fetch(`${h.sim.ready.graph}/me/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bobToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        subject: 'Bob only',
        start: { dateTime: start, timeZone: 'UTC' },
        end: { dateTime: start, timeZone: 'UTC' },
      }),
    });
    expect(res.status).toBe(201);
    await waitFor('bob’s change', () => changes.some((c) => c.subscription.ownerKey === 'p-bob'));
    const asBob = w.edge.asUser('p-bob', 'calendar');
    expect(await asBob.json({ path: `/subscriptions/${sub.graphId}` })).toMatchObject({ id: sub.graphId });
    const bobAgain = await w.edge.auth.userToken('p-bob', 'calendar'); // still works before disconnect
    await w.edge.disconnect('p-bob');
    expect(await w.subscriptions.get(sub.id)).toBeUndefined();
    const gone = await fetch(`${h.sim.ready.graph}/subscriptions/${sub.graphId}`, {
      headers: { authorization: `Bearer ${bobAgain}` },
    });
    expect(gone.status).toBe(404);
    await expect(w.edge.auth.userToken('p-bob', 'calendar')).rejects.toMatchObject({
      code: 'MM365_MICROSOFT_RECONNECT_REQUIRED',
      details: { reason: 'not_connected' },
    });
  });

  it('deletes the owner’s subscriptions on disconnect', async () => {
    const sub = await w.edge.subscriptions.ensure(eventsSpec());
    expect(await w.edge.subscriptions.removeOwner('p-alice')).toBe(1);
    expect(await w.subscriptions.get(sub.id)).toBeUndefined();
    await expect(w.edge.asApp('core').json({ path: `/subscriptions/${sub.graphId}` })).rejects.toMatchObject({
      code: 'MM365_GRAPH_NOT_FOUND',
    });
  });
});
