import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../core/config/index.ts';
import { AppError } from '../core/errors.ts';
import type { Database } from './schema.ts';

export type DriverName = 'pg' | 'pglite';

/**
 * One database, two drivers, one SQL dialect (PostgreSQL 17 either way).
 * `pg` when database.url is set; otherwise embedded PGlite persisted under dataDir/pglite, or in memory when
 * dataDir is the literal "memory://" (tests). Constructing does no I/O beyond opening the embedded files;
 * the first query connects.
 */
export interface Store {
  readonly db: Kysely<Database>;
  readonly driver: DriverName;
  /** For the job runner: the connection string (pg), or the embedded instance it must share (PGlite). */
  readonly jobsConnection:
    | { kind: 'pg'; connectionString: string; max: number }
    | { kind: 'pglite'; pglite: PGlite };
  /** Resolves when the database answers a trivial query; throws MM365_DB_UNREACHABLE otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function openStore(config: Pick<Config, 'database'>): Store {
  const { url, dataDir, poolMax } = config.database;
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: poolMax });
    // An idle client losing its server (restart, failover) emits here; without a listener it would crash the process.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return makeStore(db, 'pg', {
      kind: 'pg',
      connectionString: url,
      max: Math.max(2, Math.ceil(poolMax / 2)),
    });
  }
  let location: string;
  if (dataDir === 'memory://') location = 'memory://';
  else {
    location = resolve(join(dataDir, 'pglite'));
    mkdirSync(location, { recursive: true });
  }
  const unlock = location === 'memory://' ? () => {} : lockDataDir(location);
  const pglite = new PGlite(location);
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return makeStore(db, 'pglite', { kind: 'pglite', pglite }, unlock);
}

function makeStore(
  db: Kysely<Database>,
  driver: DriverName,
  jobsConnection: Store['jobsConnection'],
  unlock: () => void = () => {},
): Store {
  let closed = false;
  return {
    db,
    driver,
    jobsConnection,
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (cause) {
        throw new AppError(
          'MM365_DB_UNREACHABLE',
          `The ${driver} database did not answer: ${(cause as Error).message}`,
          { cause },
        );
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
      } finally {
        unlock();
      }
    },
  };
}

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it. A lock file
 * with our pid keeps that from happening; a lock left by a process that no longer runs is taken over.
 * Returns the function that releases it. Throws MM365_DB_IN_USE naming the holder.
 */
function lockDataDir(location: string): () => void {
  const lock = join(location, 'mm365.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lock, 'utf8'));
      if (!isRunning(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      throw new AppError(
        'MM365_DB_IN_USE',
        `The embedded database in ${location} is in use by process ${holder} (is mm365 start running?). Stop it first, or use PostgreSQL (DATABASE_URL) to run several mm365 processes at once.`,
      );
    }
  }
  throw new AppError('MM365_DB_IN_USE', `Could not lock the embedded database in ${location}.`);
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
