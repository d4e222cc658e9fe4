import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Config, loadConfig } from '../../src/core/config/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';

/**
 * The two storage drivers every store and jobs test runs on. PostgreSQL is the server at
 * TEST_DATABASE_URL (default: the local one on 127.0.0.1:5432 with trust auth, as .ci/run sets up); each
 * test store gets a database of its own, dropped on close, so files run in parallel without sharing rows.
 */
export const drivers = ['pglite', 'pg'] as const;
export type TestDriver = (typeof drivers)[number];

export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestStore {
  store: Store;
  config: Config;
  close(): Promise<void>;
}

export async function openTestStore(
  driver: TestDriver,
  overrides: Record<string, string> = {},
): Promise<TestStore> {
  if (driver === 'pglite') {
    const config = loadConfig({ env: { MM365_DATA_DIR: 'memory://', LOG_LEVEL: 'silent', ...overrides } });
    const store = openStore(config);
    return { store, config, close: () => store.close() };
  }
  const name = `mm365_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${testDatabaseUrl} (${(err as Error).message}). Run \`bash scripts/ensure-postgres.sh\` or set TEST_DATABASE_URL.`,
    );
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  const config = loadConfig({ env: { DATABASE_URL: url.toString(), LOG_LEVEL: 'silent', ...overrides } });
  const store = openStore(config);
  return {
    store,
    config,
    async close() {
      await store.close();
      const c = new pg.Client({ connectionString: testDatabaseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
