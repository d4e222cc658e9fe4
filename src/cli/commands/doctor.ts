import type { Command } from 'commander';
import { buildApp } from '../../app.ts';
import { createLogger } from '../../core/log.ts';
import { runDoctor } from '../../wiring/doctor.ts';
import { loadConfigOrExit } from '../load-config.ts';

const label = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

/**
 * `mm365 doctor`: checks a deployment and prints one line per check with the fix. Exit code 0 when nothing
 * failed (warnings allowed), 1 otherwise. Run it while the service runs, so the webhook and the Mattermost
 * callback can be reached; with the embedded database, the service holds the database, so stop it or use
 * PostgreSQL (doctor then says so).
 */
export function doctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('Check the deployment (database, Mattermost, Microsoft 365) and print what to fix.')
    .action(async () => {
      const config = loadConfigOrExit(program.opts().config);
      let app: ReturnType<typeof buildApp>;
      try {
        app = buildApp(config, { log: createLogger({ log: { level: 'silent', format: 'json' } }) });
      } catch (err) {
        process.stdout.write(`${label.fail}  database: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      try {
        const checks = await runDoctor(app);
        for (const c of checks) {
          process.stdout.write(`${label[c.status]}  ${c.name}: ${c.detail}\n`);
          if (c.fix && c.status !== 'pass') process.stdout.write(`      fix: ${c.fix}\n`);
        }
        process.exitCode = checks.some((c) => c.status === 'fail') ? 1 : 0;
      } finally {
        await app.upstreams?.mattermost.edge.stop().catch(() => {});
        await app.store.close().catch(() => {});
      }
    });
}
