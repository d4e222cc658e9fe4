import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/core/config/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';

const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A throwaway database on the PostgreSQL server at `serverUrl`, for one benchmark run, so a benchmark
 * never touches existing data; `drop()` removes it. Undefined when nothing answers at that URL.
 */
async function scratchDatabase(
  serverUrl: string,
): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const name = `mm365_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * Runs `body` once per driver on a fresh store: PGlite in memory, then a scratch PostgreSQL database (skipped,
 * and said so, when PostgreSQL does not answer at TEST_DATABASE_URL). Closes and drops what it opened.
 */
export async function forEachDriver(
  body: (store: Store, driver: 'pglite' | 'pg') => Promise<void>,
): Promise<void> {
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
      await body(store, driver);
    } finally {
      await store.close();
      await scratch?.drop();
    }
  }
}
