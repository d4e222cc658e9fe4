import { type MigrationResultSet, Migrator } from 'kysely/migration';
import { AppError } from '../core/errors.ts';
import type { Store } from './db.ts';
import { migrations } from './migrations/index.ts';

export interface MigrationReport {
  applied: string[];
  current: string | undefined;
}

/**
 * Brings the schema to the newest version. Safe to run from several replicas at once: Kysely's migrator
 * takes a lock row, so one applies and the others find nothing left to do. A failure leaves the database
 * at the last migration that succeeded and throws MM365_MIGRATION_FAILED naming the one that failed.
 */
export async function migrateToLatest(store: Store): Promise<MigrationReport> {
  const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  const failed = result.results?.find((r) => r.status === 'Error');
  if (result.error || failed) {
    const cause = result.error;
    throw new AppError(
      'MM365_MIGRATION_FAILED',
      `Database migration ${failed?.migrationName ?? ''} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const all = await migrator.getMigrations();
  const executed = all.filter((m) => m.executedAt !== undefined);
  return {
    applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    current: executed.at(-1)?.name,
  };
}
