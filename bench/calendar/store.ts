/**
 * The calendar benchmark's database: a throwaway PostgreSQL database on the server at TEST_DATABASE_URL
 * (dropped afterwards), or PGlite in memory when asked or when no server answers. PostgreSQL is the default
 * because PGlite's start-up alone takes seconds and it serialises every statement on one connection; the
 * report names the driver used. (bench/foundation/scratch-db.ts does the same for both drivers in turn.)
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/core/config/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type BenchDriver = 'pg' | 'pglite';

export interface BenchStore {
  store: Store;
  driver: BenchDriver;
  close(): Promise<void>;
}

export async function openBenchStore(wanted: BenchDriver | undefined): Promise<BenchStore> {
  if (wanted !== 'pglite') {
    const name = `mm365_bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    const reachable = await admin.connect().then(
      () => true,
      () => false,
    );
    if (reachable) {
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const store = openStore(loadConfig({ env: { DATABASE_URL: url.toString() } }));
      return {
        store,
        driver: 'pg',
        async close() {
          await store.close();
          const c = new pg.Client({ connectionString: serverUrl });
          await c.connect();
          await c.query(`drop database if exists ${name} with (force)`);
          await c.end();
        },
      };
    }
    if (wanted === 'pg') throw new Error(`PostgreSQL does not answer at ${serverUrl}`);
  }
  const store = openStore(loadConfig({ env: { MM365_DATA_DIR: 'memory://' } }));
  return { store, driver: 'pglite', close: () => store.close() };
}
