import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.ts';
import { Vault } from '../../../src/core/vault/index.ts';
import { NotificationCertificates } from '../../../src/microsoft/subscriptions/certificates.ts';
import { migrateToLatest } from '../../../src/store/index.ts';
import { MicrosoftCertificates } from '../../../src/store/microsoft-certificate.ts';
import { MicrosoftNotifications } from '../../../src/store/microsoft-notification.ts';
import { MicrosoftSubscriptions } from '../../../src/store/microsoft-subscription.ts';
import { MicrosoftTokenCaches } from '../../../src/store/microsoft-token-cache.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

describe.each(drivers)('Microsoft edge tables on %s', (driver) => {
  // One database per driver for the file (opening PGlite is the slow part); each test uses its own table.
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(() => t.close());
  const open = async () => t;

  it('token cache: sealed per partition, unreadable when moved, re-sealed with the new key on read', async () => {
    const { store } = await open();
    const caches = new MicrosoftTokenCaches(store.db, new Vault([k1]));
    await caches.save('p1', '{"RefreshToken":{"x":{"secret":"rt-secret"}}}');
    expect(await caches.load('p1')).toContain('rt-secret');
    const raw = await sql<{
      ciphertext: string;
      key_id: string;
    }>`select ciphertext, key_id from microsoft_token_cache`.execute(store.db);
    expect(raw.rows[0]?.ciphertext).not.toContain('rt-secret');
    await sql`insert into microsoft_token_cache (partition, ciphertext, key_id) values ('p2', ${raw.rows[0]?.ciphertext}, 'k1')`.execute(
      store.db,
    );
    await expect(caches.load('p2')).rejects.toMatchObject({ code: 'MM365_VAULT_TAMPERED' });

    const rotated = new MicrosoftTokenCaches(store.db, new Vault([k2, k1]));
    expect(await rotated.load('p1')).toContain('rt-secret');
    const after = await sql<{
      key_id: string;
    }>`select key_id from microsoft_token_cache where partition = 'p1'`.execute(store.db);
    expect(after.rows[0]?.key_id).toBe('k2');
    await caches.delete('p1');
    expect(await rotated.load('p1')).toBeUndefined();
  });

  it('notifications: a pending key is recorded once; the enqueue runs in the same transaction', async () => {
    const { store } = await open();
    const inbox = new MicrosoftNotifications(store.db);
    const row = { dedupeKey: 'k', kind: 'change' as const, subscriptionId: 's1', body: '{}' };
    const enqueued: string[] = [];
    const enqueue = async (_tx: unknown, r: { id: string }) => {
      enqueued.push(r.id);
    };
    expect(await inbox.record([row, row], enqueue)).toHaveLength(1);
    expect(await inbox.record([row], enqueue)).toHaveLength(0);
    expect(enqueued).toHaveLength(1);
    await inbox.markProcessed(enqueued[0] ?? '', new Date());
    // Once processed, the same content is a new change (e.g. a second edit of the same message).
    expect(await inbox.record([row], enqueue)).toHaveLength(1);

    // A failing enqueue rolls the insert back: a row never exists without its job.
    const failing = { ...row, dedupeKey: 'other' };
    await expect(
      inbox.record([failing], async () => {
        throw new Error('queue down');
      }),
    ).rejects.toThrow('queue down');
    const n = await sql<{
      n: string;
    }>`select count(*)::text as n from microsoft_notification where dedupe_key = 'other'`.execute(store.db);
    expect(n.rows[0]?.n).toBe('0');

    // A row whose job gave up stays pending; the retention job abandons it so its key accepts new deliveries.
    const stuck = { ...row, dedupeKey: 'stuck' };
    expect(await inbox.record([stuck], enqueue)).toHaveLength(1);
    expect(await inbox.record([stuck], enqueue)).toHaveLength(0);
    expect(await inbox.abandonPending(new Date(Date.now() + 1000), new Date())).toBeGreaterThanOrEqual(1);
    expect(await inbox.record([stuck], enqueue)).toHaveLength(1);
    expect(await inbox.purgeProcessed(new Date(Date.now() + 1000))).toBeGreaterThanOrEqual(2);
  });

  it('subscriptions: one row per target, a lease only one holder gets until it expires', async () => {
    const { store } = await open();
    const subs = new MicrosoftSubscriptions(store.db);
    const target = {
      kind: 'calendar.events',
      ownerKey: 'p1',
      resource: '/users/x/events',
      changeType: 'created',
      auth: '{"kind":"app"}',
      includeResourceData: false,
      lifetimeMinutes: 4320,
    };
    const a = await subs.upsert(target);
    const b = await subs.upsert({ ...target, changeType: 'created,updated' });
    expect(b.id).toBe(a.id);
    expect(b.changeType).toBe('created,updated');
    const now = new Date();
    const later = new Date(now.getTime() + 60_000);
    expect(await subs.claim(a.id, 'r1', now, later)).toBe(true);
    expect(await subs.claim(a.id, 'r2', now, later)).toBe(false);
    expect(
      await subs.claim(a.id, 'r2', new Date(later.getTime() + 1), new Date(later.getTime() + 60_000)),
    ).toBe(true);
    await subs.release(a.id, 'r2');
    expect(await subs.claim(a.id, 'r1', now, later)).toBe(true);

    await subs.update(a.id, {
      graphId: 'ABCDEF00-0000-4000-8000-000000000000',
      expiresAt: new Date(now.getTime() + 3600_000),
    });
    expect((await subs.getByGraphId('abcdef00-0000-4000-8000-000000000000'))?.id).toBe(a.id);
    expect(await subs.listDue(new Date(now.getTime() + 7200_000), 10)).toHaveLength(1);
    expect(await subs.listDue(now, 10)).toHaveLength(0);
    expect(await subs.listByOwner('p1')).toHaveLength(1);
  });

  it('certificates: the newest is current, older ones retired but still readable, keys sealed', async () => {
    const { store } = await open();
    const certs = new MicrosoftCertificates(store.db, new Vault([k1]));
    const notAfter = new Date(Date.now() + 86_400_000);
    await certs.add(
      { id: 'c1', certificateDer: 'AAA', privateKeyPem: 'PEM-1', notAfter },
      new Date(Date.now() - 1000),
    );
    await certs.add({ id: 'c2', certificateDer: 'BBB', privateKeyPem: 'PEM-2', notAfter }, new Date());
    expect((await certs.current())?.id).toBe('c2');
    expect((await certs.get('c1'))?.privateKeyPem).toBe('PEM-1');
    expect((await certs.get('c1'))?.retiredAt).not.toBeNull();
    const raw = await sql<{ private_key: string }>`select private_key from microsoft_certificate`.execute(
      store.db,
    );
    expect(raw.rows.every((r) => r.private_key.startsWith('mm365v1.'))).toBe(true);
  });

  it('rotates our notification certificate when it nears its end, keeping the old one for in-flight notifications', async () => {
    const { store } = await open();
    await sql`delete from microsoft_certificate`.execute(store.db);
    const clock = new ManualClock(Date.now());
    const certs = new NotificationCertificates(new MicrosoftCertificates(store.db, new Vault([k1])), clock, {
      validityDays: 40,
      rotateBeforeDays: 30,
    });
    const first = await certs.current();
    expect((await certs.current()).id).toBe(first.id);
    clock.advance(9 * 86_400_000);
    expect((await certs.current()).id).toBe(first.id);
    clock.advance(2 * 86_400_000); // 29 days left: inside the rotation window
    const second = await certs.current();
    expect(second.id).not.toBe(first.id);
    expect((await certs.get(first.id))?.privateKeyPem).toBe(first.privateKeyPem);
    expect((await certs.get(first.id))?.retiredAt).not.toBeNull();
  });
});
