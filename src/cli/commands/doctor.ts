import type { Command } from 'commander';
import { loadConfig } from '../../core/config/index.ts';
import { isAppError } from '../../core/errors.ts';
import { migrateToLatest, openStore } from '../../store/index.ts';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * `mm365 doctor`: one pass/fail line per check with the fix. For now it checks only the configuration and
 * the database (and says so); the Mattermost and Microsoft checks arrive with the connector core.
 * Exit code 0 when every check passes, 1 otherwise.
 */
export function doctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('Check the deployment and print what to fix (currently: configuration and database only).')
    .action(async () => {
      const checks: Check[] = [];
      let config: ReturnType<typeof loadConfig> | undefined;
      try {
        const file: string | undefined = program.opts().config;
        config = loadConfig(file ? { file } : {});
        checks.push({ name: 'configuration', ok: true, detail: 'valid' });
      } catch (err) {
        checks.push({
          name: 'configuration',
          ok: false,
          detail: isAppError(err) ? err.message : String(err),
        });
      }
      if (config) {
        const store = openStore(config);
        try {
          await store.ping();
          const report = await migrateToLatest(store);
          checks.push({
            name: `database (${store.driver})`,
            ok: true,
            detail: `reachable; schema at ${report.current ?? '(empty)'}`,
          });
        } catch (err) {
          const fix =
            store.driver === 'pg'
              ? ' Fix: check DATABASE_URL and that PostgreSQL is running.'
              : ' Fix: check that database.dataDir is writable.';
          checks.push({
            name: `database (${store.driver})`,
            ok: false,
            detail: `${(err as Error).message}.${fix}`,
          });
        } finally {
          await store.close().catch(() => {});
        }
      }
      for (const c of checks) process.stdout.write(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
      process.stdout.write(
        'NOTE  Mattermost and Microsoft 365 checks are not implemented yet (they come with the connector core).\n',
      );
      process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
    });
}
