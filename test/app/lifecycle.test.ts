import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/core/config/index.ts';
import { createLogger } from '../../src/core/log.ts';
import { defineQueue } from '../../src/jobs/index.ts';
import { migrations as allMigrations } from '../../src/store/migrations/index.ts';
import { waitFor } from '../helpers/wait.ts';

function get(url: string): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

function testApp() {
  const config = loadConfig({
    env: { MM365_DATA_DIR: 'memory://', PORT: '0', MM365_SERVER_SHUTDOWN_GRACE_MS: '5000' },
  });
  return buildApp(config, { log: createLogger({ log: { level: 'silent', format: 'json' } }) });
}

describe('app lifecycle', () => {
  it('migrates, starts jobs and listens; stop drains an in-flight request and a running job, then refuses new work', async () => {
    const app = testApp();
    let releaseRequest: (() => void) | undefined;
    app.http.get('/slow', async () => {
      await new Promise<void>((r) => {
        releaseRequest = r;
      });
      return { finished: true };
    });
    const slowJob = defineQueue({ name: 'test.slow', schema: z.object({}) });
    let jobStarted = false;
    let jobFinished = false;
    app.jobs.register(
      slowJob,
      async () => {
        jobStarted = true;
        await new Promise((r) => setTimeout(r, 800));
        jobFinished = true;
      },
      { pollingIntervalSeconds: 0.5 },
    );

    const { url, migrations } = await app.start();
    expect(migrations.current).toBe(Object.keys(allMigrations).sort().at(-1));
    expect((await get(`${url}/readyz`)).status).toBe(200);

    await app.jobs.send(slowJob, {});
    await waitFor('the job to start', () => jobStarted);
    const inFlight = get(`${url}/slow`);
    await waitFor('the request to reach its handler', () => releaseRequest !== undefined);

    const stopped = app.stop();
    // While draining, the in-flight request is still served to completion.
    setTimeout(() => releaseRequest?.(), 300);
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ finished: true });
    // Keep-alive clients are told to hang up, so close() does not wait for their idle sockets.
    expect(res.connection).toBe('close');
    await stopped;
    expect(jobFinished).toBe(true);
    await expect(get(`${url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
    // A second stop is a no-op, not an error.
    await expect(app.stop()).resolves.toBeUndefined();
  });

  it('keeps stored secrets across restarts on the same data folder', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'mm365-app-'));
    const config = loadConfig({ env: { MM365_DATA_DIR: dir, PORT: '0' } });
    const log = createLogger({ log: { level: 'silent', format: 'json' } });
    const first = buildApp(config, { log });
    await first.start();
    await first.secrets.put('mattermost.botToken', 'bot-token-value');
    const token = (await first.signer()).sign('rsvp', { e: 1 }, Date.now() + 60_000);
    await first.stop();
    const second = buildApp(config, { log });
    await second.start();
    expect(await second.secrets.get('mattermost.botToken')).toBe('bot-token-value');
    // The signing key survives too: a button sent before a restart still verifies after it.
    expect((await second.signer()).verify('rsvp', token, Date.now())).toEqual({ e: 1 });
    await second.stop();
  });
});
