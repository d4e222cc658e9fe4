import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AdminLogForwarder, adminLogMarker } from '../../../src/core/admin-log.ts';
import { createLogger } from '../../../src/core/log.ts';

function setup(adminLevel: 'warn' | 'error', verbose = false, now = () => 0) {
  const sent: string[] = [];
  const forwarder = new AdminLogForwarder({ verbose, now });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const log = createLogger({ log: { level: 'info', format: 'json', adminLevel } }, sink, forwarder);
  return { sent, forwarder, log, attach: () => forwarder.attach(async (t) => void sent.push(t)) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('admin log DMs', () => {
  it('copies lines at or above the chosen level, prefixed with the level', async () => {
    const { sent, log, attach } = setup('warn');
    attach();
    log.info('routine');
    log.warn('renewal failed');
    log.error('graph down');
    await tick();
    expect(sent).toEqual(['(log WARN) renewal failed', '(log ERROR) graph down']);
  });

  it('appends the context as a JSON block when verbose, with secrets already redacted', async () => {
    const { sent, log, attach } = setup('error', true);
    attach();
    log.error({ userId: 'u1', accessToken: 'at-secret' }, 'token refresh failed');
    await tick();
    expect(sent[0]).toMatch(/^\(log ERROR\) token refresh failed\n```json\n/);
    expect(sent[0]).toContain('"userId": "u1"');
    expect(sent[0]).not.toContain('at-secret');
  });

  it('keeps what was logged before the edge was up and sends it on attach', async () => {
    const { sent, log, attach } = setup('warn');
    log.warn('early');
    await tick();
    expect(sent).toEqual([]);
    attach();
    expect(sent).toEqual(['(log WARN) early']);
  });

  it('sends at most 10 DMs a minute and reports how many it held back', async () => {
    let now = 0;
    const { sent, log, attach } = setup('warn', false, () => now);
    attach();
    for (let i = 0; i < 25; i++) log.warn(`storm ${i}`);
    await tick();
    expect(sent).toHaveLength(10);
    now = 61_000;
    log.warn('after the storm');
    await tick();
    expect(sent[10]).toBe(
      '(log WARN) after the storm\n_(15 more log lines were not sent to avoid flooding this DM)_',
    );
  });

  it('never forwards lines logged while forwarding, and survives a failing DM', async () => {
    const forwarder = new AdminLogForwarder({ verbose: false });
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const log = createLogger({ log: { level: 'info', format: 'json', adminLevel: 'warn' } }, sink, forwarder);
    let attempts = 0;
    forwarder.attach(async () => {
      attempts++;
      log.error({ [adminLogMarker()]: true }, 'could not DM admins');
      throw new Error('Mattermost down');
    });
    log.error('first');
    await tick();
    await tick();
    expect(attempts).toBe(1);
  });

  it('is off with level none', async () => {
    const forwarder = new AdminLogForwarder({ verbose: false });
    const sent: string[] = [];
    forwarder.attach(async (t) => void sent.push(t));
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const log = createLogger({ log: { level: 'info', format: 'json', adminLevel: 'none' } }, sink, forwarder);
    log.error('nothing to admins');
    await tick();
    expect(sent).toEqual([]);
  });
});
