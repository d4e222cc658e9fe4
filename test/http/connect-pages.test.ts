import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config/index.ts';
import { AppError } from '../../src/core/errors.ts';
import type { MmUserId } from '../../src/core/ids.ts';
import { createLogger } from '../../src/core/log.ts';
import { createMetrics } from '../../src/core/metrics/registry.ts';
import { buildHttpServer, connectPages } from '../../src/http/index.ts';

const alice = 'a'.repeat(26) as MmUserId;

describe('connect pages', () => {
  const calls: string[] = [];
  const app = buildHttpServer({
    config: loadConfig({ env: {} }),
    log: createLogger({ log: { level: 'silent', format: 'json' } }),
    metrics: createMetrics(),
    probes: [],
    isDraining: () => false,
  });
  void app.register(
    connectPages({
      paths: { start: '/connect/start', microsoftCallback: '/connect/microsoft/callback' },
      whoIs: async (request, reply) => {
        if (request.headers.cookie === 'mm365_session=alice') return alice;
        await reply.redirect('/mattermost/signin?to=back', 302);
        return undefined;
      },
      start: async (token, user) => {
        calls.push(`start:${token}:${user}`);
        if (token === 'used')
          throw new AppError(
            'MM365_SIGNATURE_EXPIRED',
            'This link or button has expired. Please start again.',
          );
        if (token === 'boom') throw new Error('db down: password=hunter2');
        return 'https://login.example/authorize?x=1';
      },
      complete: async (query, user) => ({
        status: 200,
        title: 'Connected',
        message: `Connected as <b>${query.code}</b> for ${user}`,
      }),
    }),
  );
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  it('sends a signed-in browser on to Microsoft, and asks anyone else to sign in first', async () => {
    const ok = await app.inject({
      url: '/connect/start?token=t1',
      headers: { cookie: 'mm365_session=alice' },
    });
    expect(ok.statusCode).toBe(302);
    expect(ok.headers.location).toBe('https://login.example/authorize?x=1');
    expect(calls).toContain(`start:t1:${alice}`);
    const anon = await app.inject({ url: '/connect/start?token=t1' });
    expect(anon.statusCode).toBe(302);
    expect(anon.headers.location).toBe('/mattermost/signin?to=back');
  });

  it('shows refusals as pages with their status, and hides internal failures', async () => {
    const expired = await app.inject({
      url: '/connect/start?token=used',
      headers: { cookie: 'mm365_session=alice' },
    });
    expect(expired.statusCode).toBe(403);
    expect(expired.headers['content-type']).toContain('text/html');
    expect(expired.body).toContain('This link or button has expired.');
    const broken = await app.inject({
      url: '/connect/start?token=boom',
      headers: { cookie: 'mm365_session=alice' },
    });
    expect(broken.statusCode).toBe(500);
    expect(broken.body).not.toContain('hunter2');
    const missing = await app.inject({ url: '/connect/start' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('missing its token');
  });

  it('renders the result page escaped, uncached and unframeable', async () => {
    const res = await app.inject({
      url: '/connect/microsoft/callback?code=%3Cscript%3E&state=s',
      headers: { cookie: 'mm365_session=alice' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Connected as &lt;b&gt;&lt;script&gt;&lt;/b&gt;');
    expect(res.body).not.toContain('<script>');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});
