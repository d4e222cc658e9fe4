import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/core/config/index.ts';
import { Vault } from '../../src/core/vault/index.ts';
import { migrateToLatest, openStore, StoredSecrets } from '../../src/store/index.ts';
import { figure } from './report.ts';
import { scratchDatabase } from './scratch-db.ts';

const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Encrypted secret writes and reads, one at a time, on each driver (a token refresh is one write). */
export async function storeBench(): Promise<void> {
  for (const driver of ['pglite', 'pg'] as const) {
    const scratch = driver === 'pg' ? await scratchDatabase(pgUrl) : undefined;
    if (driver === 'pg' && !scratch) {
      process.stdout.write(`(pg skipped: nothing answers at ${pgUrl})\n`);
      continue;
    }
    const env: Record<string, string> = scratch
      ? { DATABASE_URL: scratch.url }
      : { MM365_DATA_DIR: 'memory://' };
    const store = openStore(loadConfig({ env }));
    try {
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
    } finally {
      await store.close();
      await scratch?.drop();
    }
  }
}
