import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { Vault } from '../../src/core/vault/index.ts';
import { migrateToLatest, StoredSecrets } from '../../src/store/index.ts';
import { migrations } from '../../src/store/migrations/index.ts';

/** Every migration, in order, and the newest: tests must not hard-code them, since each feature adds its own. */
const allMigrations = Object.keys(migrations).sort();
const newest = allMigrations.at(-1);

import { drivers, openTestStore, type TestStore } from '../helpers/database.ts';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

describe.each(drivers)('store on %s', (driver) => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('migrates an empty database to the newest version, and a second run applies nothing', async () => {
    t = await openTestStore(driver);
    expect(t.store.driver).toBe(driver);
    const first = await migrateToLatest(t.store);
    expect(first.applied).toEqual(allMigrations);
    expect(first.current).toBe(newest);
    const second = await migrateToLatest(t.store);
    expect(second.applied).toEqual([]);
    expect(second.current).toBe(newest);
  });

  it('answers ping, and fails it with a coded error once closed', async () => {
    t = await openTestStore(driver);
    await expect(t.store.ping()).resolves.toBeUndefined();
    await t.store.close();
    await expect(t.store.ping()).rejects.toMatchObject({ code: 'MM365_DB_UNREACHABLE' });
  });

  it('stores secrets encrypted: the plaintext is never in the table', async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
    const secrets = new StoredSecrets(t.store.db, new Vault([k1]));
    await secrets.put('graph.clientSecret', 'super-secret-value');
    const raw = await t.store.db.selectFrom('stored_secret').selectAll().execute();
    expect(raw).toHaveLength(1);
    expect(JSON.stringify(raw)).not.toContain('super-secret-value');
    expect(raw[0]?.key_id).toBe('k1');
    expect(raw[0]?.updated_at).toBeInstanceOf(Date);
    expect(await secrets.get('graph.clientSecret')).toBe('super-secret-value');
    expect(await secrets.get('missing')).toBeUndefined();
  });

  it('overwrites on put and deletes', async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
    const secrets = new StoredSecrets(t.store.db, new Vault([k1]));
    await secrets.put('a', 'one');
    await secrets.put('a', 'two');
    expect(await secrets.get('a')).toBe('two');
    expect(await secrets.delete('a')).toBe(true);
    expect(await secrets.delete('a')).toBe(false);
    expect(await secrets.get('a')).toBeUndefined();
  });

  it('creates a value once even when several callers race, and every caller gets that value', async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
    const secrets = new StoredSecrets(t.store.db, new Vault([k1]));
    let made = 0;
    const values = await Promise.all(
      Array.from({ length: 5 }, () =>
        secrets.getOrCreate('core.signing-key', () => {
          made++;
          return `key-${made}`;
        }),
      ),
    );
    expect(new Set(values).size).toBe(1);
    expect(await secrets.get('core.signing-key')).toBe(values[0]);
    expect(await secrets.getOrCreate('core.signing-key', () => 'another')).toBe(values[0]);
  });

  it('re-encrypts with the new key when a value is read after rotation', async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
    await new StoredSecrets(t.store.db, new Vault([k1])).put('a', 'value-a');
    await new StoredSecrets(t.store.db, new Vault([k1])).put('b', 'value-b');
    const rotated = new StoredSecrets(t.store.db, new Vault([k2, k1]));
    expect(await rotated.countByKey()).toEqual({ k1: 2 });
    expect(await rotated.get('a')).toBe('value-a');
    expect(await rotated.countByKey()).toEqual({ k1: 1, k2: 1 });
    // The old key can be dropped for the re-sealed value.
    expect(await new StoredSecrets(t.store.db, new Vault([k2])).get('a')).toBe('value-a');
  });

  it('refuses a ciphertext copied onto another name', async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
    const secrets = new StoredSecrets(t.store.db, new Vault([k1]));
    await secrets.put('a', 'for-a');
    await secrets.put('b', 'for-b');
    await sql`update stored_secret set ciphertext = (select ciphertext from stored_secret where name = 'a') where name = 'b'`.execute(
      t.store.db,
    );
    await expect(secrets.get('b')).rejects.toMatchObject({ code: 'MM365_VAULT_TAMPERED' });
  });

  it('returns timestamps as Dates and counts as the same types on both drivers', async () => {
    t = await openTestStore(driver);
    const row = await sql<{
      now: Date;
      n: string;
      j: { a: number };
    }>`select now() as now, count(*)::text as n, '{"a":1}'::jsonb as j from (values (1)) v`.execute(
      t.store.db,
    );
    expect(row.rows[0]?.now).toBeInstanceOf(Date);
    expect(row.rows[0]?.n).toBe('1');
    expect(row.rows[0]?.j).toEqual({ a: 1 });
  });
});

describe('store on pg with several replicas', () => {
  it('lets concurrent migrations race safely: one applies, the others find nothing to do', async () => {
    const first = await openTestStore('pg');
    const { openStore } = await import('../../src/store/index.ts');
    const others = [openStore(first.config), openStore(first.config)];
    try {
      const reports = await Promise.all([first.store, ...others].map((s) => migrateToLatest(s)));
      expect(reports.flatMap((r) => r.applied).sort()).toEqual(allMigrations);
      expect(reports.every((r) => r.current === newest)).toBe(true);
    } finally {
      for (const s of others) await s.close();
      await first.close();
    }
  });
});

describe('embedded database lock', () => {
  it('refuses a second opener of the same folder, names the holder, and frees it on close', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadConfig } = await import('../../src/core/config/index.ts');
    const { openStore } = await import('../../src/store/index.ts');
    const config = loadConfig({ env: { MM365_DATA_DIR: mkdtempSync(join(tmpdir(), 'mm365-lock-')) } });
    const first = openStore(config);
    await first.ping();
    expect(() => openStore(config)).toThrow(new RegExp(`in use by process ${process.pid}`));
    await first.close();
    const second = openStore(config);
    await second.ping();
    await second.close();
    // A lock left behind by a process that no longer runs is taken over.
    writeFileSync(join(config.database.dataDir, 'pglite', 'mm365.lock'), '999999999');
    const third = openStore(config);
    await third.ping();
    await third.close();
  });
});
