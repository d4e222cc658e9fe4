import { afterEach, describe, expect, it } from 'vitest';
import { AccountService, type MicrosoftIdentity } from '../../src/core/accounts/index.ts';
import { ManualClock } from '../../src/core/clock.ts';
import type { EntraUserId, MmUserId, TenantId } from '../../src/core/ids.ts';
import { ConnectedAccounts, migrateToLatest } from '../../src/store/index.ts';
import { drivers, openTestStore, type TestStore } from '../helpers/database.ts';

const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47' as TenantId;
const alice = { userId: 'a'.repeat(26) as MmUserId, email: 'alice@contoso.example' };
const mallory = { userId: 'm'.repeat(26) as MmUserId, email: 'alice@contoso.example' };
const aliceMs: MicrosoftIdentity = {
  tenantId: tenant,
  entraUserId: '11111111-1111-1111-1111-111111111111' as EntraUserId,
  mail: 'alice@contoso.example',
  userPrincipalName: 'alice@contoso.example',
  displayName: 'Alice',
};
const otherMs: MicrosoftIdentity = {
  ...aliceMs,
  entraUserId: '22222222-2222-2222-2222-222222222222' as EntraUserId,
  userPrincipalName: 'alice2@contoso.example',
};

describe.each(drivers)('connected accounts on %s', (driver) => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function service(policy = { requireMatchingEmail: true, allowList: [] as string[] }) {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
    const clock = new ManualClock();
    return {
      accounts: new AccountService(new ConnectedAccounts(t.store.db), policy, clock),
      clock,
      repo: new ConnectedAccounts(t.store.db),
    };
  }

  it('connects a feature, then a second feature with the same account, keeping one row', async () => {
    const { accounts, clock } = await service();
    const first = await accounts.connect({ mattermost: alice, microsoft: aliceMs, feature: 'calendar' });
    expect(first.features).toEqual(['calendar']);
    clock.advance(60_000);
    const second = await accounts.connect({ mattermost: alice, microsoft: aliceMs, feature: 'teams' });
    expect(second.features).toEqual(['calendar', 'teams']);
    expect(second.connectedAt).toEqual(first.connectedAt);
    const stored = await accounts.get(alice.userId);
    expect(stored).toMatchObject({ status: 'active', features: ['calendar', 'teams'], microsoft: aliceMs });
    expect(await accounts.isConnected(alice.userId, 'teams')).toBe(true);
  });

  it('refuses a Microsoft account already connected to another Mattermost user', async () => {
    const { accounts } = await service();
    await accounts.connect({ mattermost: alice, microsoft: aliceMs, feature: 'calendar' });
    await expect(
      accounts.connect({ mattermost: mallory, microsoft: aliceMs, feature: 'calendar' }),
    ).rejects.toMatchObject({
      code: 'MM365_ACCOUNT_TAKEN',
    });
    expect(await accounts.get(mallory.userId)).toBeUndefined();
  });

  it('keeps the one-to-one rule when two users connect the same account at once', async () => {
    const { accounts } = await service();
    const results = await Promise.allSettled([
      accounts.connect({ mattermost: alice, microsoft: aliceMs, feature: 'calendar' }),
      accounts.connect({ mattermost: mallory, microsoft: aliceMs, feature: 'calendar' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'MM365_ACCOUNT_TAKEN' });
  });

  it('refuses a second, different Microsoft account for the same Mattermost user', async () => {
    const { accounts } = await service({ requireMatchingEmail: false, allowList: [] });
    await accounts.connect({ mattermost: alice, microsoft: aliceMs, feature: 'calendar' });
    await expect(
      accounts.connect({ mattermost: alice, microsoft: otherMs, feature: 'teams' }),
    ).rejects.toMatchObject({
      code: 'MM365_ACCOUNT_OTHER_CONNECTED',
    });
  });

  it('applies the e-mail policy before storing anything', async () => {
    const { accounts } = await service();
    await expect(
      accounts.connect({
        mattermost: alice,
        microsoft: { ...aliceMs, mail: 'someone@else.example' },
        feature: 'calendar',
      }),
    ).rejects.toMatchObject({ code: 'MM365_ACCOUNT_EMAIL_MISMATCH' });
    expect(await accounts.get(alice.userId)).toBeUndefined();
  });

  it('marks an account inactive once per outage, skips it in active lists, and clears it on reconnect', async () => {
    const { accounts } = await service();
    await accounts.connect({ mattermost: alice, microsoft: aliceMs, feature: 'calendar' });
    const claims = await Promise.all(
      [1, 2, 3].map(() => accounts.markInactive(alice.userId, 'refresh_expired')),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await accounts.markInactive(alice.userId, 'revoked')).toBe(false);
    expect(await accounts.get(alice.userId)).toMatchObject({ status: 'inactive', inactiveReason: 'revoked' });
    expect(await accounts.isConnected(alice.userId, 'calendar')).toBe(false);
    expect(await accounts.listActive('calendar', null, 10)).toEqual([]);

    await accounts.connect({ mattermost: alice, microsoft: aliceMs, feature: 'calendar' });
    expect(await accounts.get(alice.userId)).toMatchObject({
      status: 'active',
      inactiveReason: null,
      inactiveNotifiedAt: null,
    });
    expect(await accounts.markInactive(alice.userId, 'refresh_expired')).toBe(true);
  });

  it('disconnects one feature, then the last one removes the account', async () => {
    const { accounts } = await service();
    await accounts.connect({ mattermost: alice, microsoft: aliceMs, feature: 'calendar' });
    await accounts.connect({ mattermost: alice, microsoft: aliceMs, feature: 'teams' });
    expect(await accounts.disconnect(alice.userId, 'teams')).toEqual({
      wasConnected: true,
      remaining: ['calendar'],
    });
    expect(await accounts.disconnect(alice.userId, 'teams')).toEqual({
      wasConnected: false,
      remaining: ['calendar'],
    });
    expect(await accounts.disconnect(alice.userId, 'calendar')).toEqual({
      wasConnected: true,
      remaining: [],
    });
    expect(await accounts.get(alice.userId)).toBeUndefined();
    expect(await accounts.disconnect(alice.userId)).toEqual({ wasConnected: false, remaining: [] });
    // The Microsoft account is free again for another user.
    await accounts.connect({ mattermost: mallory, microsoft: aliceMs, feature: 'calendar' });
  });

  it('pages through active accounts of a feature in a stable order', async () => {
    const { accounts } = await service({ requireMatchingEmail: false, allowList: [] });
    const ids = ['b', 'c', 'd', 'e', 'f'].map((c) => c.repeat(26) as MmUserId);
    for (const [i, id] of ids.entries()) {
      const ms = { ...aliceMs, entraUserId: `0000000${i}-0000-0000-0000-000000000000` as EntraUserId };
      await accounts.connect({
        mattermost: { userId: id, email: 'x@contoso.example' },
        microsoft: ms,
        feature: i === 4 ? 'teams' : 'calendar',
      });
    }
    const page1 = await accounts.listActive('calendar', null, 2);
    const page2 = await accounts.listActive('calendar', page1.at(-1)?.mmUserId ?? null, 2);
    const page3 = await accounts.listActive('calendar', page2.at(-1)?.mmUserId ?? null, 2);
    expect([...page1, ...page2, ...page3].map((a) => a.mmUserId)).toEqual(ids.slice(0, 4));
  });
});
