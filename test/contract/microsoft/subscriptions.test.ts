/**
 * Change notifications against a real HTTPS receiver: validation handshake (success and the exact failure
 * messages), basic and rich notifications (decrypted as a receiver must, validationTokens checked against the
 * sim's JWKS), retries on the sim clock, lifecycle events, expiry, per-resource lifetime rules.
 */
import { constants, createDecipheriv, createHmac, privateDecrypt } from 'node:crypto';
import type { GraphError } from '@microsoft/microsoft-graph-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRsaCertificate, type RsaCertificate } from '../../../sim/shared/tls.ts';
import { graphClient } from './graph-client.ts';
import { type AnyJson, type Harness, startHarness } from './sim-harness.ts';
import { type Receiver, startReceiver } from './webhook-receiver.ts';

let h: Harness;
let rx: Receiver;
let cert: RsaCertificate;
let alice: string;
beforeAll(async () => {
  [h, rx, cert] = await Promise.all([
    startHarness(),
    startReceiver(),
    createRsaCertificate('mm365-notifications'),
  ]);
  await h.control('PATCH', '/settings', { extraCaPems: [rx.caPem] });
  alice = await h.tokenFor('alice');
});
afterAll(async () => {
  await h.close();
  await rx.close();
});
afterEach(() => {
  rx.mode = 'ok';
});

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
const day = () => new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);

async function createEvent(subject: string): Promise<AnyJson> {
  return graphClient(h, () => alice)
    .api('/me/events')
    .post({
      subject,
      start: { dateTime: `${day()}T10:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${day()}T11:00:00`, timeZone: 'UTC' },
    });
}

describe('validation handshake', () => {
  it('creates a subscription after the receiver echoes the decoded token', async () => {
    const sub = await graphClient(h, () => alice)
      .api('/subscriptions')
      .post({
        changeType: 'created,updated,deleted',
        notificationUrl: `${rx.url}/notify?tenant=contoso`,
        resource: '/me/events',
        expirationDateTime: inMinutes(60 * 24),
        clientState: 'secret-state',
      });
    expect(sub.id).toBeTruthy();
    expect(sub.applicationId).toBe(h.sim.ready.app.clientId);
    expect(rx.validations.at(-1)).toMatch(
      /^Validation: Testing client application reachability for subscription/,
    );

    const ev = await createEvent('Notify me');
    await rx.waitFor(() =>
      rx.notifications.some((n) => n.value.some((v: AnyJson) => v.resourceData?.id === ev.id)),
    );
    const n = rx.notifications.flatMap((x) => x.value).find((v: AnyJson) => v.resourceData.id === ev.id);
    expect(n).toMatchObject({
      subscriptionId: sub.id,
      changeType: 'created',
      clientState: 'secret-state',
      tenantId: h.sim.ready.tenantId,
      resource: `Users/${h.sim.ready.users.alice?.id}/Events/${ev.id}`,
      resourceData: { '@odata.type': '#Microsoft.Graph.Event', id: ev.id },
    });
    expect(n.encryptedContent).toBeUndefined();
    await graphClient(h, () => alice)
      .api(`/subscriptions/${sub.id}`)
      .delete();
  });

  it.each([
    [
      'wrong-token',
      'Subscription validation request failed. Response must exactly match validationToken query parameter.',
    ],
    [
      'status-500',
      'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    ],
  ] as const)('fails with Graph’s message when the receiver answers %s', async (mode, message) => {
    rx.mode = mode;
    const err: GraphError = await graphClient(h, () => alice)
      .api('/subscriptions')
      .post({
        changeType: 'created',
        notificationUrl: `${rx.url}/notify`,
        resource: '/me/events',
        expirationDateTime: inMinutes(120),
      })
      .catch((e) => e);
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe(message);
  });

  it('times out a slow receiver', async () => {
    await h.control('PATCH', '/settings', { validationTimeoutMs: 300 });
    rx.mode = 'slow';
    const err: GraphError = await graphClient(h, () => alice)
      .api('/subscriptions')
      .post({
        changeType: 'created',
        notificationUrl: `${rx.url}/notify`,
        resource: '/me/events',
        expirationDateTime: inMinutes(120),
      })
      .catch((e) => e);
    await h.control('PATCH', '/settings', { validationTimeoutMs: 10_000 });
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe('Subscription validation request timed out.');
  });

  it('enforces https, lifetimes and the Teams lifecycle-URL rule', async () => {
    const app = await h.appToken();
    const over = await h.graph(app, 'POST', '/subscriptions', {
      changeType: 'created',
      notificationUrl: `${rx.url}/notify`,
      resource: '/chats/getAllMessages',
      expirationDateTime: inMinutes(120),
    });
    expect(over.status).toBe(400);
    expect(((await over.json()) as AnyJson).error.message).toBe(
      'lifecycleNotificationUrl is a required property for subscription creation on this resource when the expirationDateTime value is set to greater than 1 hour.',
    );
    const tooLong = await h.graph(alice, 'POST', '/subscriptions', {
      changeType: 'created',
      notificationUrl: `${rx.url}/notify`,
      resource: '/me/events',
      expirationDateTime: inMinutes(10_080 + 60),
    });
    expect(((await tooLong.json()) as AnyJson).error.message).toBe(
      'Subscription expiration can only be 10080 minutes in the future.',
    );
    const http = await h.graph(alice, 'POST', '/subscriptions', {
      changeType: 'created',
      notificationUrl: 'http://localhost:1/notify',
      resource: '/me/events',
      expirationDateTime: inMinutes(120),
    });
    expect(http.status).toBe(400);
    const delegatedAllChats = await h.graph(alice, 'POST', '/subscriptions', {
      changeType: 'created',
      notificationUrl: `${rx.url}/notify`,
      lifecycleNotificationUrl: `${rx.url}/lifecycle`,
      resource: '/chats/getAllMessages',
      expirationDateTime: inMinutes(50),
    });
    expect(delegatedAllChats.status).toBe(403);
  });
});

describe('invitations', () => {
  it("notifies the invitee's /me/events subscription when an organizer invites them, and removal ends it", async () => {
    const bob = await h.tokenFor('bob');
    const sub = await graphClient(h, () => bob)
      .api('/subscriptions')
      .post({
        changeType: 'created,updated,deleted',
        notificationUrl: `${rx.url}/notify`,
        lifecycleNotificationUrl: `${rx.url}/lifecycle`,
        resource: '/me/events',
        expirationDateTime: inMinutes(120),
        clientState: 'bob-invites',
      });
    await graphClient(h, () => alice)
      .api('/me/events')
      .post({
        subject: 'Invite for Bob',
        start: { dateTime: `${day()}T13:00:00`, timeZone: 'UTC' },
        end: { dateTime: `${day()}T14:00:00`, timeZone: 'UTC' },
        attendees: [{ type: 'required', emailAddress: { address: 'bob@contoso.example' } }],
      });
    const forBob = () =>
      rx.notifications
        .flatMap((x) => x.value)
        .filter((v: AnyJson) => v.subscriptionId === sub.id && v.changeType === 'created');
    await rx.waitFor(() => forBob().length > 0);
    const n = forBob()[0];
    expect(n.resource).toMatch(new RegExp(`^Users/${h.sim.ready.users.bob?.id}/Events/`));
    const copy: AnyJson = await graphClient(h, () => bob)
      .api(`/me/events/${n.resourceData.id}`)
      .get();
    expect(copy).toMatchObject({
      subject: 'Invite for Bob',
      isOrganizer: false,
      responseStatus: { response: 'notResponded' },
    });

    await h.control('POST', `/subscriptions/${sub.id}/lifecycle`, { event: 'subscriptionRemoved' });
    expect(rx.lifecycle.at(-1).value[0]).toMatchObject({
      subscriptionId: sub.id,
      lifecycleEvent: 'subscriptionRemoved',
    });
    expect((await h.graph(bob, 'GET', `/subscriptions/${sub.id}`)).status).toBe(404);
  });

  it("asks for reauthorization when a user's grants are revoked", async () => {
    const bob = await h.tokenFor('bob');
    const sub = await graphClient(h, () => bob)
      .api('/subscriptions')
      .post({
        changeType: 'created',
        notificationUrl: `${rx.url}/notify`,
        lifecycleNotificationUrl: `${rx.url}/lifecycle`,
        resource: '/me/events',
        expirationDateTime: inMinutes(120),
      });
    const r: AnyJson = await h.control('POST', '/users/bob/revoke');
    expect(r.reauthorizationRequired).toBe(1);
    expect(rx.lifecycle.at(-1).value[0]).toMatchObject({
      subscriptionId: sub.id,
      lifecycleEvent: 'reauthorizationRequired',
    });
    await graphClient(h, () => bob)
      .api(`/subscriptions/${sub.id}`)
      .delete();
  });

  it("removes a disabled user's subscriptions with subscriptionRemoved, as Outlook does", async () => {
    const carol = await h.tokenFor('carol');
    const sub = await graphClient(h, () => carol)
      .api('/subscriptions')
      .post({
        changeType: 'created',
        notificationUrl: `${rx.url}/notify`,
        lifecycleNotificationUrl: `${rx.url}/lifecycle`,
        resource: '/me/events',
        expirationDateTime: inMinutes(120),
      });
    await h.control('PATCH', '/users/carol', { accountEnabled: false });
    expect(rx.lifecycle.at(-1).value[0]).toMatchObject({
      subscriptionId: sub.id,
      lifecycleEvent: 'subscriptionRemoved',
    });
    await h.control('PATCH', '/users/carol', { accountEnabled: true });
    expect((await h.graph(await h.tokenFor('carol'), 'GET', `/subscriptions/${sub.id}`)).status).toBe(404);
  });
});

describe('slow endpoints', () => {
  it('drops notifications to a receiver the slow-endpoint policy flagged, and tells Outlook subscribers they missed some', async () => {
    // Every answer counts as slow and one delivery is a full sample: the second notification is dropped.
    await h.control('PATCH', '/settings', { slowEndpoint: { slowMs: 0, minSample: 1 } });
    const sub = await graphClient(h, () => alice)
      .api('/subscriptions')
      .post({
        changeType: 'created',
        notificationUrl: `${rx.url}/notify?slow=1`,
        lifecycleNotificationUrl: `${rx.url}/lifecycle`,
        resource: '/me/events',
        expirationDateTime: inMinutes(60),
      });
    const forSub = () =>
      rx.notifications.flatMap((x) => x.value).filter((v: AnyJson) => v.subscriptionId === sub.id);
    await createEvent('first');
    await rx.waitFor(() => forSub().length === 1);
    await createEvent('second');
    const dropped = async () =>
      ((await h.control('GET', '/notifications')) as AnyJson).value.some(
        (e: AnyJson) => e.outcome === 'dropped-slow' && e.subscriptionIds.includes(sub.id),
      );
    for (let i = 0; i < 50 && !(await dropped()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await dropped()).toBe(true);
    expect(forSub()).toHaveLength(1);
    await rx.waitFor(() =>
      rx.lifecycle.some((l) =>
        l.value.some((v: AnyJson) => v.subscriptionId === sub.id && v.lifecycleEvent === 'missed'),
      ),
    );
    await h.control('PATCH', '/settings', { slowEndpoint: { slowMs: 2_900, minSample: 100 } });
    await graphClient(h, () => alice)
      .api(`/subscriptions/${sub.id}`)
      .delete();
  });
});

describe('rich notifications', () => {
  it('encrypts the resource like Graph and signs validationTokens for the app', async () => {
    const app = await h.appToken();
    const aliceId = h.sim.ready.users.alice?.id;
    const sub = await graphClient(h, () => app)
      .api('/subscriptions')
      .post({
        changeType: 'created,updated',
        notificationUrl: `${rx.url}/notify`,
        resource: `/users/${aliceId}/events?$select=subject,start,end`,
        expirationDateTime: inMinutes(1_000),
        includeResourceData: true,
        encryptionCertificate: cert.certificateBase64,
        encryptionCertificateId: 'cert-2026',
        clientState: 'rich',
      });
    const ev = await createEvent('Rich one');
    await rx.waitFor(() =>
      rx.notifications.some((x) => x.value.some((v: AnyJson) => v.subscriptionId === sub.id)),
    );
    const envelope = rx.notifications.find((x) => x.value.some((v: AnyJson) => v.subscriptionId === sub.id));
    const n = envelope.value.find((v: AnyJson) => v.subscriptionId === sub.id);
    const c = n.encryptedContent;
    expect(c.encryptionCertificateId).toBe('cert-2026');
    const key = privateDecrypt(
      { key: cert.privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(c.dataKey, 'base64'),
    );
    const data = Buffer.from(c.data, 'base64');
    expect(createHmac('sha256', key).update(data).digest('base64')).toBe(c.dataSignature);
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    const resource = JSON.parse(Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8'));
    expect(resource).toMatchObject({ id: ev.id, subject: 'Rich one' });
    expect(resource.body).toBeUndefined(); // $select honoured

    expect(envelope.validationTokens).toHaveLength(1);
    const jwks = createRemoteJWKSet(new URL(`${h.sim.ready.authority}/discovery/v2.0/keys`));
    const { payload } = await jwtVerify(envelope.validationTokens[0], jwks, {
      audience: h.sim.ready.app.clientId,
    });
    expect(payload.appid).toBe('0bf30f3b-4a52-48df-9a82-234910c4a086');
    expect(payload.iss).toBe(`https://sts.windows.net/${h.sim.ready.tenantId}/`);
  });
});

describe('delivery, lifecycle and expiry', () => {
  it('retries a failed delivery on the sim clock, sends lifecycle events, and expires', async () => {
    const sub = await graphClient(h, () => alice)
      .api('/subscriptions')
      .post({
        changeType: 'created',
        notificationUrl: `${rx.url}/notify`,
        lifecycleNotificationUrl: `${rx.url}/lifecycle`,
        resource: '/me/events',
        expirationDateTime: inMinutes(90),
        clientState: 'retry',
      });
    rx.mode = 'fail-next';
    const ev = await createEvent('Retry me');
    const has = () =>
      rx.notifications.some((x) => x.value.some((v: AnyJson) => v.resourceData?.id === ev.id));
    await new Promise((r) => setTimeout(r, 200));
    expect(has()).toBe(false);
    await h.control('POST', '/clock/advance', { ms: 11_000 });
    await rx.waitFor(has);
    const counters: AnyJson = await h.control('GET', '/counters');
    expect(counters.notifications.retried).toBeGreaterThanOrEqual(1);

    // A receiver slower than the notification timeout counts as a failure and is retried too.
    await h.control('PATCH', '/settings', { notificationTimeoutMs: 300 });
    rx.mode = 'slow';
    const slow = await createEvent('Slow receiver');
    const hasSlow = () =>
      rx.notifications.some((x) => x.value.some((v: AnyJson) => v.resourceData?.id === slow.id));
    await new Promise((r) => setTimeout(r, 600));
    rx.mode = 'ok';
    await h.control('PATCH', '/settings', { notificationTimeoutMs: 3_000 });
    expect(hasSlow()).toBe(false);
    await h.control('POST', '/clock/advance', { ms: 11_000 });
    await rx.waitFor(hasSlow);
    const log: AnyJson = await h.control('GET', '/notifications');
    expect(log.value.some((e: AnyJson) => e.outcome === 'timeout')).toBe(true);

    await h.control('POST', `/subscriptions/${sub.id}/lifecycle`, { event: 'reauthorizationRequired' });
    expect(rx.lifecycle.at(-1).value[0]).toMatchObject({
      subscriptionId: sub.id,
      lifecycleEvent: 'reauthorizationRequired',
      clientState: 'retry',
    });
    const renewed = await graphClient(h, () => alice)
      .api(`/subscriptions/${sub.id}`)
      .patch({ expirationDateTime: inMinutes(120) });
    expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(Date.now() + 100 * 60_000);

    await h.control('POST', '/clock/advance', { ms: 121 * 60_000 });
    alice = await h.tokenFor('alice'); // the old one expired with the clock move
    const gone = await h.graph(alice, 'GET', `/subscriptions/${sub.id}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as AnyJson).error.message).toContain('The object was not found');
  });
});
