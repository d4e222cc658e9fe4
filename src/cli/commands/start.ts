import type { Command } from 'commander';
import { buildApp } from '../../app.ts';
import { loadConfigOrExit } from '../load-config.ts';

/**
 * `mm365 start`: migrate, start jobs, listen; on SIGTERM or SIGINT drain and exit 0. If draining takes
 * longer than server.shutdownGraceMs (+1 s for the database to close), exit 1 so a supervisor notices.
 */
export function startCommand(program: Command): void {
  program
    .command('start')
    .description(
      'Run the service: migrate the database, start jobs, serve HTTP (embedded database unless DATABASE_URL is set).',
    )
    .action(async () => {
      const config = loadConfigOrExit(program.opts().config);
      const app = buildApp(config);
      let signalled = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (signalled) return;
        signalled = true;
        app.log.info({ signal }, 'shutting down: draining requests and jobs');
        const force = setTimeout(() => {
          app.log.error('shutdown grace period passed with work still running; exiting anyway');
          process.exit(1);
        }, config.server.shutdownGraceMs + 1000);
        force.unref();
        app.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            app.log.error({ err }, 'error while shutting down');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      try {
        await app.start();
      } catch (err) {
        app.log.fatal({ err }, 'start-up failed');
        await app.stop().catch(() => {});
        process.exit(1);
      }
    });
}
