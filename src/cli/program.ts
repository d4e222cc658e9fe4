import { Command } from 'commander';
import { configCommand } from './commands/config-print.ts';
import { doctorCommand } from './commands/doctor.ts';
import { migrateCommand } from './commands/migrate.ts';
import { simCommand } from './commands/sim.ts';
import { startCommand } from './commands/start.ts';
import { tryCommand } from './commands/try.ts';

/** The `mm365` command line: one subcommand per file under commands/. */
export function buildProgram(): Command {
  const program = new Command('mm365')
    .description(
      'mattermost-m365: connects a Mattermost server to Microsoft 365 (Outlook Calendar and Teams).',
    )
    .option(
      '-c, --config <file>',
      'JSON config file (default: $MM365_CONFIG; environment variables override it)',
    )
    .showHelpAfterError();
  startCommand(program);
  migrateCommand(program);
  configCommand(program);
  doctorCommand(program);
  simCommand(program);
  tryCommand(program);
  return program;
}
