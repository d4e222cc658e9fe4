/**
 * Graph core behaviour through the untouched Graph client and raw HTTP: the error envelope, permissions,
 * token expiry, unknown routes, $batch (dependsOn, 424, limits), throttling with Retry-After and the
 * client's RetryHandler, and the fault knobs.
 */
import {
  BatchRequestContent,
  BatchResponseContent,
  type GraphError,
} from '@microsoft/microsoft-graph-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { graphClient } from './graph-client.ts';
import { type AnyJson, type Harness, json, startHarness } from './sim-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  await h.control('DELETE', '/faults');
  await h.control('PATCH', '/settings', { throttling: { enabled: false, scale: 1 } });
});

describe('errors and permissions', () => {
  it('answers a missing scope with 403 Authorization_RequestDenied in the Graph envelope', async () => {
    const token = await h.tokenFor('alice', ['User.Read']);
    const client = graphClient(h, () => token);
    const err: GraphError = await client
      .api('/me/events')
      .get()
      .catch((e) => e);
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('Authorization_RequestDenied');
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.date).toBeInstanceOf(Date);
  });

  it('lets User.Read read only the signed-in user', async () => {
    const token = await h.tokenFor('alice', ['User.Read']);
    expect((await h.graph(token, 'GET', `/users/${h.sim.ready.users.alice?.id}`)).status).toBe(200);
    expect((await h.graph(token, 'GET', `/users/${h.sim.ready.users.bob?.id}`)).status).toBe(403);
    expect((await h.graph(token, 'GET', '/users')).status).toBe(403);
    const basic = await h.tokenFor('alice', ['User.ReadBasic.All']);
    expect((await h.graph(basic, 'GET', '/users/bob@contoso.example')).status).toBe(200);
  });

  it('answers /me with 400 for an app token, lets it read mailboxes under /users, and keeps delegated users in their own', async () => {
    const app = await h.appToken();
    const me = await h.graph(app, 'GET', '/me');
    expect(me.status).toBe(400);
    expect(((await json(me)) as AnyJson).error.message).toBe(
      '/me request is only valid with delegated authentication flow.',
    );
    expect((await h.graph(app, 'GET', `/users/${h.sim.ready.users.alice?.id}/events`)).status).toBe(200);
    const noRoles = await h.appToken(['User.Read.All']);
    expect((await h.graph(noRoles, 'GET', `/users/${h.sim.ready.users.alice?.id}/events`)).status).toBe(403);
    const bob = await h.tokenFor('bob');
    const foreign = await h.graph(bob, 'GET', `/users/${h.sim.ready.users.alice?.id}/events`);
    expect(foreign.status).toBe(403);
    expect(((await json(foreign)) as AnyJson).error.code).toBe('ErrorAccessDenied');
  });

  it('answers an expired token with 401 InvalidAuthenticationToken once the sim clock passes expiry', async () => {
    const token = await h.tokenFor('bob', undefined, 60);
    expect((await h.graph(token, 'GET', '/me')).status).toBe(200);
    await h.control('POST', '/clock/advance', { ms: 7 * 60_000 });
    const res = await h.graph(token, 'GET', '/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    const body: AnyJson = await json(res);
    expect(body.error.code).toBe('InvalidAuthenticationToken');
    expect(body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
  });

  it('answers a missing token, an unknown route and bad JSON in the Graph envelope', async () => {
    const none = await fetch(`${h.sim.ready.graph}/me`);
    expect(none.status).toBe(401);
    expect((await json(none)).error.message).toBe('Access token is empty.');
    const token = await h.tokenFor('alice');
    const unknown = await h.graph(token, 'GET', '/me/nonsense', undefined, {
      'client-request-id': 'abc-123',
    });
    expect(unknown.status).toBe(400);
    const body: AnyJson = await json(unknown);
    expect(body.error).toMatchObject({
      code: 'BadRequest',
      message: "Resource not found for the segment 'nonsense'.",
    });
    expect(body.error.innerError['client-request-id']).toBe('abc-123');
    expect(unknown.headers.get('client-request-id')).toBe('abc-123');
    const bad = await fetch(`${h.sim.ready.graph}/me/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
  });

  it('matches URL segments case-insensitively and answers a wrong method with 405', async () => {
    const token = await h.tokenFor('alice');
    expect(((await json(await h.graph(token, 'GET', '/ME/MailboxSettings/TimeZone'))) as AnyJson).value).toBe(
      'Pacific Standard Time',
    );
    const wrong = await h.graph(token, 'DELETE', '/me');
    expect(wrong.status).toBe(405);
    expect(((await json(wrong)) as AnyJson).error.innerError['request-id']).toBe(
      wrong.headers.get('request-id'),
    );
  });

  it('honours If-Match on event updates (412 on a stale etag)', async () => {
    const token = await h.tokenFor('bob');
    const created: AnyJson = await json(
      await h.graph(token, 'POST', '/me/events', {
        subject: 'etag',
        start: { dateTime: '2030-02-01T10:00:00', timeZone: 'UTC' },
        end: { dateTime: '2030-02-01T11:00:00', timeZone: 'UTC' },
      }),
    );
    const etag = created['@odata.etag'];
    const ok = await h.graph(
      token,
      'PATCH',
      `/me/events/${created.id}`,
      { subject: 'etag 2' },
      { 'If-Match': etag },
    );
    expect(ok.status).toBe(200);
    const stale = await h.graph(
      token,
      'PATCH',
      `/me/events/${created.id}`,
      { subject: 'etag 3' },
      { 'If-Match': etag },
    );
    expect(stale.status).toBe(412);
  });

  it('rejects query options a resource does not support', async () => {
    const token = await h.tokenFor('alice');
    const res = await h.graph(token, 'GET', '/me/mailboxSettings?$top=3');
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toContain("Query option 'Top' is not allowed");
  });
});

describe('$batch', () => {
  it('runs requests with dependsOn, gives 424 to dependents of a failure, and answers in any order', async () => {
    const token = await h.tokenFor('alice');
    const client = graphClient(h, () => token);
    const content = new BatchRequestContent();
    const base = h.sim.ready.graph;
    // The SDK accepts only parallel, serial or same-dependency shapes: a serial chain here.
    content.addRequest({ id: '1', request: new Request(`${base}/me`, { method: 'GET' }) });
    content.addRequest({
      id: '2',
      request: new Request(`${base}/me/events?$top=1`, { method: 'GET' }),
      dependsOn: ['1'],
    });
    content.addRequest({
      id: '3',
      request: new Request(`${base}/me/events/does-not-exist`, { method: 'GET' }),
      dependsOn: ['2'],
    });
    content.addRequest({ id: '4', request: new Request(`${base}/me`, { method: 'GET' }), dependsOn: ['3'] });
    const raw = await client.api('/$batch').post(await content.getContent());
    expect(raw.responses.map((r: AnyJson) => r.id).sort()).toEqual(['1', '2', '3', '4']);
    const res = new BatchResponseContent(raw);
    expect(res.getResponseById('1').status).toBe(200);
    expect(((await res.getResponseById('1').json()) as AnyJson).mail).toBe('alice@contoso.example');
    expect(res.getResponseById('2').status).toBe(200);
    expect(res.getResponseById('3').status).toBe(404);
    expect(res.getResponseById('4').status).toBe(424);
  });

  it('rejects more than 20 requests, duplicate ids and absolute URLs with 400', async () => {
    const token = await h.tokenFor('alice');
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me' }));
    expect((await h.graph(token, 'POST', '/$batch', { requests: many })).status).toBe(400);
    const dup = [
      { id: '1', method: 'GET', url: '/me' },
      { id: '1', method: 'GET', url: '/me' },
    ];
    expect((await h.graph(token, 'POST', '/$batch', { requests: dup })).status).toBe(400);
    const abs = [{ id: '1', method: 'GET', url: `${h.sim.ready.graph}/me` }];
    const res = await h.graph(token, 'POST', '/$batch', { requests: abs });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('BadRequest');
  });

  it('answers a throttled item with its own 429 and Retry-After inside a 200 batch', async () => {
    const token = await h.tokenFor('alice');
    await h.control('POST', '/faults', {
      method: 'GET',
      path: '/v1.0/me/mailboxSettings',
      status: 429,
      headers: { 'Retry-After': '7' },
    });
    const res = await h.graph(token, 'POST', '/$batch', {
      requests: [
        { id: 'a', method: 'GET', url: '/me/mailboxSettings' },
        { id: 'b', method: 'GET', url: '/me' },
      ],
    });
    expect(res.status).toBe(200);
    const body: AnyJson = await json(res);
    const a = body.responses.find((r: AnyJson) => r.id === 'a');
    expect(a.status).toBe(429);
    expect(a.headers['Retry-After']).toBe('7');
    expect(body.responses.find((r: AnyJson) => r.id === 'b').status).toBe(200);
  });
});

describe('throttling and faults', () => {
  it('throttles Outlook reads with 429 ApplicationThrottled + Retry-After when the knob is on', async () => {
    await h.control('PATCH', '/settings', { throttling: { enabled: true, scale: 0.00005 } });
    const token = await h.tokenFor('carol');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await h.graph(token, 'GET', '/me/mailboxSettings');
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter = r.headers.get('retry-after');
        expect((await json(r)).error.code).toBe('ApplicationThrottled');
      }
    }
    expect(statuses[0]).toBe(200);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Tokens refill on the sim clock.
    await h.control('POST', '/clock/advance', { ms: 60 * 60_000 });
    expect((await h.graph(token, 'GET', '/me/mailboxSettings')).status).toBe(200);
  });

  it('refuses a fifth concurrent Outlook call on one mailbox (MailboxConcurrency)', async () => {
    await h.control('PATCH', '/settings', { throttling: { enabled: true, scale: 1 } });
    const token = await h.tokenFor('bob');
    await h.control('POST', '/faults', {
      method: 'GET',
      path: '/v1.0/me/calendars',
      latencyMs: 400,
      count: 6,
    });
    const statuses = await Promise.all(
      Array.from({ length: 6 }, () => h.graph(token, 'GET', '/me/calendars').then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  });

  it("lets the Graph client's RetryHandler recover from an injected 429", async () => {
    const token = await h.tokenFor('alice');
    await h.control('POST', '/faults', {
      method: 'GET',
      path: '/v1.0/me',
      status: 429,
      count: 1,
      headers: { 'Retry-After': '1' },
    });
    const client = graphClient(h, () => token);
    const me = await client.api('/me').get();
    expect(me.mail).toBe('alice@contoso.example');
    const counters: AnyJson = await h.control('GET', '/counters');
    expect(counters.statuses['429']).toBeGreaterThanOrEqual(1);
  });

  it('drops the connection or delays it when told to', async () => {
    const token = await h.tokenFor('alice');
    await h.control('POST', '/faults', { path: '/v1.0/me', drop: true });
    await expect(h.graph(token, 'GET', '/me')).rejects.toThrow();
    await h.control('POST', '/faults', { path: '/v1.0/me', drop: true });
    const batch = await h.graph(token, 'POST', '/$batch', {
      requests: [{ id: '1', method: 'GET', url: '/me' }],
    });
    expect(((await json(batch)) as AnyJson).responses[0].status).toBe(504);
    await h.control('POST', '/faults', { path: '/v1.0/me', latencyMs: 300 });
    const t0 = Date.now();
    expect((await h.graph(token, 'GET', '/me')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });
});
