import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../../src/core/log.ts';
import { GraphClient, type SessionOptions } from '../../../src/microsoft/graph/graph-client.ts';
import { GraphSession } from '../../../src/microsoft/graph/graph-session.ts';
import { type MsHarness, startMsHarness } from '../harness.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });

interface Counters {
  routes: Record<string, number>;
  statuses: Record<string, number>;
}

let h: MsHarness;
let registry: Registry;
let client: GraphClient;
let alice: SessionOptions;
let app: SessionOptions;
let refreshes: number;
let aliceId: string;

beforeAll(async () => {
  h = await startMsHarness();
  aliceId = h.sim.ready.users.alice?.id ?? '';
  let cached: string | undefined;
  const userToken = async (forceRefresh: boolean) => {
    if (forceRefresh) refreshes++;
    if (forceRefresh || !cached)
      cached = (await h.control<{ access_token: string }>('POST', '/tokens', { user: 'alice' })).access_token;
    return cached;
  };
  const appToken = (await h.control<{ access_token: string }>('POST', '/tokens', { app: true })).access_token;
  alice = { token: ({ forceRefresh }) => userToken(forceRefresh), feature: 'teams', mailbox: 'alice' };
  app = { token: async () => appToken, feature: 'calendar' };
});
afterAll(() => h.close());
beforeEach(async () => {
  registry = new Registry();
  client = new GraphClient({ baseUrl: h.sim.ready.graph, registry, log: silent });
  refreshes = 0;
  await h.control('DELETE', '/faults');
  await h.control('PATCH', '/settings', { throttling: { enabled: false, scale: 1 } });
  await h.control('DELETE', '/counters');
});

const counters = () => h.control<Counters>('GET', '/counters');
const sum = (c: Counters, part: string) =>
  Object.entries(c.routes)
    .filter(([k]) => k.includes(part))
    .reduce((n, [, v]) => n + v, 0);

async function firstChatId(): Promise<string> {
  const chats = await new GraphSession(client, alice).json<{ value: { id: string; chatType: string }[] }>({
    path: '/me/chats',
  });
  const chat = chats.value.find((c) => c.chatType === 'oneOnOne');
  if (!chat) throw new Error('no 1:1 chat in the demo seed');
  return chat.id;
}

describe('Graph client against the sim', () => {
  it('follows nextLink pages and labels metrics by route template, never by id', async () => {
    const session = new GraphSession(client, app);
    const users = await session.all<{ id: string }>({ path: '/users', query: { $top: 2 } });
    expect(users.map((u) => u.id)).toContain(aliceId);
    expect(users.length).toBe(4);
    await session.json({ path: `/users/${aliceId}/events` });
    const text = await registry.metrics();
    expect(text).toMatch(/mm365_graph_requests_total\{route="\/users",method="GET",status="200"\} 2/);
    expect(text).toContain('route="/users/{id}/events"');
    expect(text).toMatch(
      /mm365_graph_request_duration_seconds_count\{route="\/users",method="GET",status="200"\} 2/,
    );
    expect(text).toMatch(/mm365_graph_feature_calls_total\{feature="calendar"\} 3/);
    expect(text).not.toContain(aliceId);
  });

  it('rides out a 429 storm sequentially: Retry-After respected, the sim never sees an early retry', async () => {
    const chatId = await firstChatId();
    await h.control('DELETE', '/counters');
    // Teams chat reads: 20/s × 0.05 = one request per second, Retry-After 1 s.
    await h.control('PATCH', '/settings', { throttling: { enabled: true, scale: 0.05 } });
    const session = new GraphSession(client, alice);
    const started = Date.now();
    for (let i = 0; i < 4; i++) {
      const page = await session.json<{ value: unknown[] }>({
        path: `/chats/${chatId}/messages`,
        query: { $top: 1 },
      });
      expect(page.value.length).toBe(1);
    }
    const c = await counters();
    // The bucket holds one token, refilled each second. Call 1 takes it; calls 2–4 come at once and are
    // refused, each then succeeding on its first retry after Retry-After. A retry sent early would find the
    // bucket empty and be refused again: more 429s than throttled calls. (A stalled event loop can only
    // let a call through without a 429, never add one.)
    const refused = c.statuses['429'] ?? 0;
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(3);
    expect(sum(c, 'messages')).toBe(4 + refused);
    expect(Date.now() - started).toBeGreaterThanOrEqual(refused * 1000);
    expect(await registry.metrics()).toContain(`mm365_graph_retries_total{reason="429"} ${refused}`);
  });

  it('a client that retries without waiting is refused again (the check above is meaningful)', async () => {
    const chatId = await firstChatId();
    await h.control('PATCH', '/settings', { throttling: { enabled: true, scale: 0.05 } });
    const impatient = new GraphClient({
      baseUrl: h.sim.ready.graph,
      registry: new Registry(),
      log: silent,
      sleep: async () => {},
      maxAttempts: 3,
    });
    const session = new GraphSession(impatient, alice);
    await session.json({ path: `/chats/${chatId}/messages`, query: { $top: 1 } });
    await h.control('DELETE', '/counters');
    await expect(
      session.json({ path: `/chats/${chatId}/messages`, query: { $top: 1 } }),
    ).rejects.toMatchObject({
      code: 'MM365_GRAPH_THROTTLED',
    });
    expect((await counters()).statuses['429']).toBe(3);
  });

  it('keeps at most 4 calls in flight per mailbox, so Outlook never answers MailboxConcurrency', async () => {
    await h.control('PATCH', '/settings', { throttling: { enabled: true, scale: 1 } });
    await h.control('POST', '/faults', {
      method: 'GET',
      path: '/v1.0/users/*/events',
      latencyMs: 250,
      count: 10,
    });
    const session = new GraphSession(client, app);
    let peak = 0;
    const watch = setInterval(() => {
      peak = Math.max(peak, client.limiter.inFlight(aliceId));
    }, 10);
    try {
      await Promise.all(
        Array.from({ length: 10 }, () =>
          session.json({ path: `/users/${aliceId}/events`, query: { $top: 1 } }),
        ),
      );
    } finally {
      clearInterval(watch);
    }
    const c = await counters();
    expect(c.statuses['429']).toBeUndefined();
    expect(sum(c, 'events')).toBe(10);
    expect(peak).toBe(4);
  });

  it('without the limit the sim does refuse a fifth concurrent call (the test above is meaningful)', async () => {
    await h.control('PATCH', '/settings', { throttling: { enabled: true, scale: 1 } });
    await h.control('POST', '/faults', {
      method: 'GET',
      path: '/v1.0/users/*/events',
      latencyMs: 250,
      count: 6,
    });
    const loose = new GraphClient({
      baseUrl: h.sim.ready.graph,
      registry: new Registry(),
      log: silent,
      maxConcurrentPerMailbox: 100,
      maxAttempts: 1,
    });
    const session = new GraphSession(loose, app);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => session.json({ path: `/users/${aliceId}/events`, query: { $top: 1 } })),
    );
    const refused = outcomes
      .filter((o) => o.status === 'rejected')
      .map((o) => (o as PromiseRejectedResult).reason);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({
      code: 'MM365_GRAPH_THROTTLED',
      details: { graphCode: 'ApplicationThrottled' },
    });
  });

  it('maps Graph errors to coded errors keeping Graph code and request id', async () => {
    const session = new GraphSession(client, app);
    const err = await session
      .json({ path: '/users/00000000-0000-4000-8000-000000000000/events' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'MM365_GRAPH_NOT_FOUND',
      details: { status: 404, route: '/users/{id}/events' },
    });
    expect((err as { details: { requestId?: string } }).details.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('retries 503 after its Retry-After, and a 401 once with a refreshed token', async () => {
    await h.control('POST', '/faults', {
      method: 'GET',
      path: '/v1.0/me',
      status: 503,
      count: 1,
      headers: { 'Retry-After': '1' },
    });
    await h.control('POST', '/faults', { method: 'GET', path: '/v1.0/me', status: 401, count: 1 });
    const started = Date.now();
    const me = await new GraphSession(client, alice).json<{ id: string }>({ path: '/me' });
    expect(me.id).toBe(aliceId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(refreshes).toBe(1);
    const c = await counters();
    expect(c.statuses).toMatchObject({ '503': 1, '401': 1 });
  });

  it('retries a timed-out GET but never a timed-out POST', async () => {
    await h.control('POST', '/faults', { method: 'GET', path: '/v1.0/me', latencyMs: 1500, count: 1 });
    const session = new GraphSession(client, alice);
    const me = await session.json<{ id: string }>({ path: '/me', timeoutMs: 400 });
    expect(me.id).toBe(aliceId);
    expect(await registry.metrics()).toMatch(
      /mm365_graph_requests_total\{route="\/me",method="GET",status="timeout"\} 1/,
    );

    await h.control('POST', '/faults', {
      method: 'POST',
      path: '/v1.0/me/events',
      latencyMs: 1500,
      count: 1,
    });
    const err = await session
      .request({
        method: 'POST',
        path: '/me/events',
        timeoutMs: 400,
        body: {
          subject: 'once',
          start: { dateTime: '2030-01-01T10:00:00', timeZone: 'UTC' },
          end: { dateTime: '2030-01-01T11:00:00', timeZone: 'UTC' },
        },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MM365_GRAPH_TIMEOUT' });
    expect(sum(await counters(), 'POST')).toBe(1);
  });

  it('gives up at once on a Retry-After beyond its budget, handing the wait to the caller (job reschedule)', async () => {
    await h.control('POST', '/faults', {
      method: 'GET',
      path: '/v1.0/me',
      status: 429,
      count: 1,
      headers: { 'Retry-After': '600' },
    });
    const started = Date.now();
    const err = await new GraphSession(client, alice).json({ path: '/me' }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'MM365_GRAPH_THROTTLED',
      status: 503,
      details: { retryAfterMs: 600_000 },
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('downloads hosted content as bytes from the absolute URL in a message body', async () => {
    const chatId = await firstChatId();
    const session = new GraphSession(client, alice);
    const messages = await session.all<{ body: { content: string } }>({
      path: `/chats/${chatId}/messages`,
      query: { $top: 50 },
    });
    const src = messages
      .map((m) => /src="([^"]+\/hostedContents\/[^"]+\/\$value)"/.exec(m.body.content)?.[1])
      .find((u) => u !== undefined);
    expect(src).toBeDefined();
    const res = await session.request<Buffer>({ method: 'GET', path: src ?? '', responseType: 'bytes' });
    expect(Buffer.isBuffer(res.body)).toBe(true);
    expect(res.body.length).toBeGreaterThan(0);
    expect(await registry.metrics()).toContain(
      'route="/chats/{id}/messages/{id}/hostedContents/{id}/$value"',
    );
  });

  it('validates a body against a schema at the edge', async () => {
    const session = new GraphSession(client, alice);
    const me = await session.parse(z.object({ id: z.string(), userPrincipalName: z.string() }), {
      path: '/me',
    });
    expect(me.id).toBe(aliceId);
    await expect(session.parse(z.object({ notAField: z.string() }), { path: '/me' })).rejects.toMatchObject({
      code: 'MM365_GRAPH_RESPONSE_INVALID',
    });
  });

  it('refuses to send the token to a nextLink on another host', () => {
    expect(() => client.url({ path: 'https://evil.example/v1.0/users?$skip=2' })).toThrow(
      expect.objectContaining({ code: 'MM365_GRAPH_RESPONSE_INVALID' }),
    );
  });
});

describe('$batch', () => {
  it('splits 25 items into chunks of 20 and returns results in request order', async () => {
    const session = new GraphSession(client, app);
    const ids = Object.values(h.sim.ready.users).map((u) => u.id);
    const items = Array.from({ length: 25 }, (_, i) => ({
      id: `i${i}`,
      method: 'GET' as const,
      url: `/users/${ids[i % ids.length]}`,
    }));
    const results = await session.batch(items);
    expect(results.map((r) => r.id)).toEqual(items.map((i) => i.id));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results[1]?.body).toMatchObject({ id: ids[1] });
    expect(sum(await counters(), '$batch')).toBe(2);
  });

  it('re-sends only the items throttled inside a batch, after their Retry-After', async () => {
    const chatId = await firstChatId();
    await h.control('DELETE', '/counters');
    await h.control('PATCH', '/settings', { throttling: { enabled: true, scale: 0.05 } });
    const session = new GraphSession(client, alice);
    const started = Date.now();
    const results = await session.batch(
      ['a', 'b', 'c'].map((id) => ({ id, method: 'GET' as const, url: `/chats/${chatId}/messages?$top=1` })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const c = await counters();
    // Round 1: one item passes, two are 429 (Retry-After 1 s). Round 2 after ≥1 s: one passes, one 429.
    // Round 3 after ≥1 s: the last passes. Every retry waited its Retry-After: never a second 429 per round.
    expect(sum(c, '$batch')).toBe(3);
    expect(c.statuses['429']).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(await registry.metrics()).toMatch(/mm365_graph_retries_total\{reason="batch-item"\} 3/);
  });

  it('gives a failing item its coded error without failing the others', async () => {
    const session = new GraphSession(client, app);
    const results = await session.batch([
      { id: '1', method: 'GET', url: `/users/${aliceId}` },
      { id: '2', method: 'GET', url: '/users/00000000-0000-4000-8000-000000000000' },
    ]);
    expect(results[0]?.status).toBe(200);
    expect(results[1]?.error).toMatchObject({ code: 'MM365_GRAPH_NOT_FOUND' });
  });
});

describe('delta', () => {
  it('returns items since a cursor, tombstones as removed ids, and a new cursor; a broken cursor is DELTA_EXPIRED', async () => {
    const session = new GraphSession(client, { ...alice, feature: 'calendar' });
    const now = Date.now();
    const window = {
      startDateTime: new Date(now - 86_400_000).toISOString(),
      endDateTime: new Date(now + 30 * 86_400_000).toISOString(),
    };
    const first = await session.delta<{ id: string; subject?: string }>(
      `/me/calendarView/delta?startDateTime=${window.startDateTime}&endDateTime=${window.endDateTime}`,
    );
    expect(first.hasMore).toBe(false);
    expect(first.items.length).toBeGreaterThan(0);
    expect(first.cursor).toContain('deltatoken');

    const start = new Date(now + 2 * 3600_000).toISOString().slice(0, 19);
    const end = new Date(now + 3 * 3600_000).toISOString().slice(0, 19);
    const created = await session.json<{ id: string }>({
      method: 'POST',
      path: '/me/events',
      body: {
        subject: 'Delta probe',
        start: { dateTime: start, timeZone: 'UTC' },
        end: { dateTime: end, timeZone: 'UTC' },
      },
    });
    const second = await session.delta<{ id: string; subject?: string }>(first.cursor);
    expect(second.items.map((i) => i.subject)).toEqual(['Delta probe']);
    await session.request({ method: 'DELETE', path: `/me/events/${created.id}` });
    const third = await session.delta(second.cursor);
    expect(third.removed).toEqual([created.id]);

    const broken = second.cursor.replace(/(deltatoken=)[^&]+/i, '$1not-a-token');
    await expect(session.delta(broken)).rejects.toMatchObject({ code: 'MM365_GRAPH_DELTA_EXPIRED' });
  });
});
