import type { Command } from 'commander';
import { isAppError } from '../../core/errors.ts';
import { migrateToLatest, openStore } from '../../store/index.ts';
import { loadConfigOrExit } from '../load-config.ts';

/** `mm365 migrate`: bring the schema to the newest version and say what was applied. */
export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations and exit (start also does this).')
    .action(async () => {
      const config = loadConfigOrExit(program.opts().config);
      const store = openStore(config);
      try {
        const report = await migrateToLatest(store);
        const applied =
          report.applied.length > 0 ? `applied ${report.applied.join(', ')}` : 'nothing to apply';
        process.stdout.write(
          `${store.driver} database: ${applied}; schema at ${report.current ?? '(empty)'}\n`,
        );
      } catch (err) {
        process.stderr.write(`mm365: ${isAppError(err) ? err.message : String(err)}\n`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
