import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMattermostError } from '../../../src/mattermost/client/http.ts';
import { counters, type EdgeWorld, mm, startEdgeWorld } from '../harness.ts';

/**
 * The REST client's retry rules against the simulator: 429 waits what Retry-After says, 5xx and network
 * failures are retried for idempotent calls only, and a create is never repeated by the HTTP layer.
 */
describe('Mattermost REST client retries', () => {
  let w: EdgeWorld;
  const retries: { path: string; status: number; delayMs: number; at: number }[] = [];

  beforeAll(async () => {
    w = await startEdgeWorld({
      http: {
        timeoutMs: 300,
        onRetry: (i) => retries.push({ path: i.path, status: i.status, delayMs: i.delayMs, at: Date.now() }),
      },
    });
  });
  afterAll(() => w.close());

  it('rides out a 429 storm, waiting the Retry-After seconds before each retry', async () => {
    retries.length = 0;
    await mm(w.sim, 'PATCH', '/_sim/config', {
      control: true,
      body: { RateLimitSettings: { Enable: true, PerSec: 2, MaxBurst: 1 } },
    });
    try {
      const before = (await counters(w.sim)).requests['GET /api/v4/users/:user_id'] ?? 0;
      const started = Date.now();
      const results = await Promise.all([1, 2, 3, 4].map(() => w.edge.rest.getUser(w.botId)));
      expect(results.every((u) => u.id === w.botId)).toBe(true);
      const limited = retries.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      // Retry-After is whole seconds (≥ 1): every wait honoured it, so nothing came back early.
      expect(limited.every((r) => r.delayMs >= 1000)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      const after = (await counters(w.sim)).requests['GET /api/v4/users/:user_id'] ?? 0;
      expect(after - before).toBe(4);
    } finally {
      await mm(w.sim, 'PATCH', '/_sim/config', {
        control: true,
        body: { RateLimitSettings: { Enable: false } },
      });
    }
  });

  it('retries a read after 503s and succeeds', async () => {
    retries.length = 0;
    await mm(w.sim, 'POST', '/_sim/faults', {
      control: true,
      body: { method: 'GET', path: '/api/v4/users/me', status: 503, times: 2 },
    });
    const me = await w.edge.rest.getMe();
    expect(me.id).toBe(w.botId);
    expect(retries.map((r) => r.status)).toEqual([503, 503]);
  });

  it('retries a read that timed out (network failure)', async () => {
    retries.length = 0;
    await mm(w.sim, 'POST', '/_sim/faults', {
      control: true,
      body: { method: 'GET', path: '/api/v4/users/me', delay_ms: 800, times: 1 },
    });
    const me = await w.edge.rest.getMe();
    expect(me.id).toBe(w.botId);
    expect(retries.map((r) => r.status)).toEqual([0]);
  });

  it('never repeats a create after a 5xx: the caller gets the error with its status', async () => {
    retries.length = 0;
    const channelId = await w.edge.messenger.dmChannelId(w.sim.ready.users.alice?.id as string);
    await mm(w.sim, 'POST', '/_sim/faults', {
      control: true,
      body: { method: 'POST', path: '/api/v4/posts', status: 500, times: 1 },
    });
    const before = (await counters(w.sim)).requests['POST /api/v4/posts'] ?? 0;
    const err = await w.edge.rest
      .createPost({ channel_id: channelId, message: 'once' })
      .catch((e: unknown) => e);
    expect(isMattermostError(err, 500)).toBe(true);
    expect((err as { code: string }).code).toBe('MM365_MM_API_ERROR');
    expect(retries).toEqual([]);
    const after = (await counters(w.sim)).requests['POST /api/v4/posts'] ?? 0;
    expect(after - before).toBeLessThanOrEqual(1);
  });

  it('maps a refusal to MM365_MM_API_ERROR with Mattermost’s status and error id', async () => {
    const err = await w.edge.rest.getUser('zzzzzzzzzzzzzzzzzzzzzzzzzz').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MM365_MM_API_ERROR', httpStatus: 404 });
    expect((err as { serverErrorId: string }).serverErrorId).not.toBe('');
  });
});
