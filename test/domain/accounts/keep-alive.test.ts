import { afterEach, describe, expect, it } from 'vitest';
import {
  type MicrosoftSessions,
  registerKeepAlive,
  reportDead,
  type SessionCheck,
} from '../../../src/accounts/index.ts';
import { AccountService } from '../../../src/core/accounts/index.ts';
import { systemClock } from '../../../src/core/clock.ts';
import type { EntraUserId, MmUserId, TenantId } from '../../../src/core/ids.ts';
import { createLogger } from '../../../src/core/log.ts';
import { createMetrics } from '../../../src/core/metrics/registry.ts';
import { JobRunner } from '../../../src/jobs/index.ts';
import { ConnectedAccounts, migrateToLatest } from '../../../src/store/index.ts';
import { openTestStore, type TestStore } from '../../helpers/database.ts';
import { waitFor } from '../../helpers/wait.ts';

const log = createLogger({ log: { level: 'silent', format: 'json' } });
const id = (c: string) => c.repeat(26) as MmUserId;

/** A fake Microsoft edge: each user's next refresh outcome is scripted; calls are counted. */
class FakeSessions implements MicrosoftSessions {
  readonly calls: string[] = [];
  readonly script = new Map<string, (SessionCheck | 'throw')[]>();
  async refresh(mmUserId: MmUserId): Promise<SessionCheck> {
    this.calls.push(mmUserId);
    const next = this.script.get(mmUserId)?.shift() ?? { ok: true };
    if (next === 'throw') throw new Error('Graph answered 503');
    return next;
  }
  async forget(): Promise<void> {}
}

describe('keep-alive', () => {
  let t: TestStore | undefined;
  let runner: JobRunner | undefined;
  afterEach(async () => {
    await runner?.stop(1000);
    await t?.close();
  });

  async function setup() {
    t = await openTestStore('pglite');
    await migrateToLatest(t.store);
    const accounts = new AccountService(
      new ConnectedAccounts(t.store.db),
      { requireMatchingEmail: false, allowList: [] },
      systemClock,
    );
    const users = [
      ['a', 'calendar'],
      ['b', 'calendar'],
      ['c', 'teams'],
      ['d', 'calendar'],
    ] as const;
    for (const [i, [c, feature]] of users.entries()) {
      await accounts.connect({
        mattermost: { userId: id(c), email: `${c}@contoso.example` },
        microsoft: {
          tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' as TenantId,
          entraUserId: `0000000${i}-0000-0000-0000-000000000000` as EntraUserId,
          mail: `${c}@contoso.example`,
          userPrincipalName: `${c}@contoso.example`,
          displayName: c,
        },
        feature,
      });
    }
    const sessions = new FakeSessions();
    const dms: { to: string; text: string }[] = [];
    const deps = {
      accounts,
      sessions,
      messenger: { dm: async (to: MmUserId, text: string) => void dms.push({ to, text }) },
      links: { reconnectUrl: async (u: MmUserId) => `https://mm365.example/connect?u=${u}` },
    };
    runner = new JobRunner({
      store: t.store,
      log,
      registry: createMetrics().registry,
      schema: 'pgboss',
      work: true,
    });
    const keepAlive = registerKeepAlive({ ...deps, jobs: runner, log });
    await runner.start();
    return { accounts, sessions, dms, deps, runner, keepAlive };
  }

  it('refreshes every active session, retries a passing failure, and reports a dead one once with a reconnect link', async () => {
    const { accounts, sessions, dms, runner, keepAlive } = await setup();
    sessions.script.set(id('b'), [{ ok: false, reason: 'refresh_expired' }]);
    sessions.script.set(id('d'), ['throw']);
    const { keepAliveSweep, keepAliveCheck } = await import('../../../src/accounts/index.ts');
    await runner.send(keepAliveSweep, {});
    await waitFor(
      'every check to finish',
      async () => (await runner.countJobs(keepAliveCheck)).completed === 4,
      30_000,
    );

    expect(sessions.calls.filter((c) => c === id('d'))).toHaveLength(2);
    expect(new Set(sessions.calls)).toEqual(new Set([id('a'), id('b'), id('c'), id('d')]));
    expect(await accounts.get(id('b'))).toMatchObject({
      status: 'inactive',
      inactiveReason: 'refresh_expired',
    });
    for (const u of ['a', 'c', 'd']) expect((await accounts.get(id(u)))?.status).toBe('active');
    expect(dms).toEqual([
      {
        to: id('b'),
        text: expect.stringContaining(
          `because it was not used for too long. Calendar and Teams features are paused for you until you [reconnect your account](https://mm365.example/connect?u=${id('b')})`,
        ),
      },
    ]);

    // The next sweep skips the inactive account, so no second DM.
    await runner.send(keepAliveSweep, {});
    await waitFor(
      'the second sweep',
      async () => (await runner.countJobs(keepAliveCheck)).completed === 7,
      30_000,
    );
    expect(sessions.calls.filter((c) => c === id('b'))).toHaveLength(1);
    expect(dms).toHaveLength(1);
    await keepAlive.schedule();
    // A passing failure waits for its first retry (5–10 s with backoff's jitter), so this test runs that long.
  }, 45_000);

  it('DMs once even when several features find the same dead session at the same time', async () => {
    const { dms, deps } = await setup();
    await Promise.all([1, 2, 3].map(() => reportDead(deps, id('a'), 'revoked', log)));
    expect(dms).toHaveLength(1);
    expect(dms[0]?.text).toContain('it was signed out or its password changed');
  });
});
