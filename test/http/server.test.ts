import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/core/config/index.ts';
import { AppError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/core/log.ts';
import { createMetrics } from '../../src/core/metrics/registry.ts';
import { buildHttpServer } from '../../src/http/index.ts';

const log = createLogger({ log: { level: 'silent', format: 'json' } });

function server(options: { probeFails?: boolean; draining?: boolean } = {}) {
  const app = buildHttpServer({
    config: loadConfig({ env: { MM365_SERVER_BODY_LIMIT_BYTES: '2048' } }),
    log,
    metrics: createMetrics(),
    probes: [
      {
        name: 'database',
        check: async () => {
          if (options.probeFails) throw new Error('connection refused');
        },
      },
    ],
    isDraining: () => options.draining === true,
  });
  // Routes standing in for the adapters' plugins, to exercise the shared error mapping.
  app.post('/echo', async (request) => z.object({ text: z.string().max(10) }).parse(request.body));
  app.get('/items/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  app.get('/boom', async () => {
    throw new Error('database password is hunter2');
  });
  app.get('/coded', async () => {
    throw new AppError('MM365_DB_UNREACHABLE', 'The database did not answer.');
  });
  return app;
}

describe('HTTP shell', () => {
  const app = server();
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  it('/healthz answers 200 while the process is up', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 with each check when every probe passes', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { database: { ok: true } } });
  });

  it('/readyz answers 503 naming the failing probe', async () => {
    const failing = server({ probeFails: true });
    const res = await failing.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: 'not ready',
      checks: { database: { ok: false, error: 'connection refused' } },
    });
    await failing.close();
  });

  it('/readyz answers 503 while draining so traffic moves elsewhere', async () => {
    const draining = server({ draining: true });
    const res = await draining.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe('draining');
    await draining.close();
  });

  it('/metrics exposes process metrics and a request histogram labelled by route template', async () => {
    await app.inject({ method: 'GET', url: '/items/42' });
    await app.inject({ method: 'GET', url: '/items/43' });
    await app.inject({ method: 'GET', url: '/no/such/route' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('mm365_process_cpu_user_seconds_total');
    expect(res.body).toContain('mm365_nodejs_eventloop_lag_seconds');
    expect(res.body).toMatch(
      /mm365_http_request_duration_seconds_count\{method="GET",route="\/items\/:id",status_code="200"\} 2/,
    );
    expect(res.body).toMatch(
      /mm365_http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} 1/,
    );
    expect(res.body).not.toContain('/items/42');
  });

  it('gives every response a request id, keeping a well-formed incoming one', async () => {
    const kept = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'mm-abc.123' },
    });
    expect(kept.headers['x-request-id']).toBe('mm-abc.123');
    const replaced = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id <script>' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with a 404 JSON error', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope?x=1', headers: { 'x-request-id': 'r1' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'MM365_HTTP_NOT_FOUND', message: 'No route for GET /nope.', requestId: 'r1' },
    });
  });

  it('answers malformed JSON with 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"text":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('MM365_HTTP_BAD_REQUEST');
  });

  it('answers a body that fails validation with 400 naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: { text: 'far too long for the limit' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('MM365_HTTP_BAD_REQUEST');
    expect(res.json().error.message).toContain('text');
  });

  it('answers an oversized body with 413 and an unknown content type with 415', async () => {
    const big = await app.inject({ method: 'POST', url: '/echo', payload: { text: 'x'.repeat(5000) } });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('MM365_HTTP_PAYLOAD_TOO_LARGE');
    const odd = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/x-odd' },
      payload: 'x',
    });
    expect(odd.statusCode).toBe(415);
    expect(odd.json().error.code).toBe('MM365_HTTP_UNSUPPORTED_MEDIA_TYPE');
  });

  it('maps a coded error to its status and message', async () => {
    const res = await app.inject({ method: 'GET', url: '/coded' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatchObject({
      code: 'MM365_DB_UNREACHABLE',
      message: 'The database did not answer.',
    });
  });

  it('answers an unexpected failure with 500 and a generic message that leaks nothing', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('MM365_INTERNAL');
    expect(res.body).not.toContain('hunter2');
    expect(res.json().error.message).toContain(res.headers['x-request-id']);
  });

  it('never answers 500 to whatever a client sends', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.constantFrom('/echo', '/healthz', '/items/1', '/metrics', '/x'),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data',
        ),
        fc.string({ maxLength: 300 }),
        async (method, url, type, payload) => {
          const res = await app.inject({ method, url, headers: { 'content-type': type }, payload });
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400) expect(res.json().error.code).toMatch(/^MM365_HTTP_/);
        },
      ),
      { numRuns: 150 },
    );
  });
});
