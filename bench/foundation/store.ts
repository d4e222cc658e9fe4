import { randomBytes } from 'node:crypto';
import { Vault } from '../../src/core/vault/index.ts';
import { migrateToLatest, StoredSecrets } from '../../src/store/index.ts';
import { figure } from './report.ts';
import { forEachDriver } from './scratch-db.ts';

/** Encrypted secret writes and reads, one at a time, on each driver (a token refresh is one write). */
export async function storeBench(): Promise<void> {
  await forEachDriver(async (store, driver) => {
    await migrateToLatest(store);
    const secrets = new StoredSecrets(store.db, new Vault([{ id: 'k1', key: randomBytes(32) }]));
    const token = randomBytes(1100).toString('base64url');
    const n = 2000;
    let t = performance.now();
    for (let i = 0; i < n; i++) await secrets.put(`user:${i}`, token);
    figure(
      `${driver}: stored secret put`,
      n / ((performance.now() - t) / 1000),
      'ops/s',
      `${n} sequential upserts`,
    );
    t = performance.now();
    for (let i = 0; i < n; i++) await secrets.get(`user:${i}`);
    figure(
      `${driver}: stored secret get`,
      n / ((performance.now() - t) / 1000),
      'ops/s',
      `${n} sequential reads`,
    );
  });
}
