import type { Command } from 'commander';
import { buildApp } from '../../app.ts';
import { createLogger } from '../../core/log.ts';
import { runDoctor } from '../../wiring/doctor.ts';
import { loadConfigOrExit } from '../load-config.ts';
import { type Sandbox, sandboxBanner, startSandbox, wantsSandbox } from '../sandbox.ts';

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
      const base = loadConfigOrExit(program.opts().config);
      let sandbox: Sandbox | undefined;
      try {
        if (wantsSandbox(base)) sandbox = await startSandbox(base, createLogger(base));
      } catch (err) {
        process.stderr.write(`mm365: ${(err as Error).message}\n`);
        process.exit(2);
      }
      const config = sandbox?.config ?? base;
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
        app
          .stop()
          .then(() => sandbox?.close())
          .then(
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
        if (sandbox) {
          // doctor cannot open the sandbox's embedded database from another process, so the sandbox runs it.
          const checks = await runDoctor(app);
          // Stopped meanwhile: the checks failed because everything was closing; the banner would mislead.
          if (!signalled) process.stdout.write(sandboxBanner(sandbox, checks));
        }
      } catch (err) {
        // A signal during start-up (or the sandbox's doctor run) stops the app under the work still going;
        // that work failing is the shutdown, not a start-up failure: the signal handler exits.
        if (signalled) return;
        app.log.fatal({ err }, 'start-up failed');
        await app.stop().catch(() => {});
        await sandbox?.close();
        process.exit(1);
      }
    });
}
