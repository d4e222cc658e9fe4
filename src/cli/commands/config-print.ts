import type { Command } from 'commander';
import { maskedConfig } from '../../core/config/index.ts';
import { loadConfigOrExit } from '../load-config.ts';

/** `mm365 config print`: the effective config (defaults + file + environment) as JSON, secrets masked. */
export function configCommand(program: Command): void {
  const config = program.command('config').description('Inspect the configuration.');
  config
    .command('print')
    .description('Print the effective configuration as JSON with secrets masked.')
    .action(() => {
      const effective = loadConfigOrExit(program.opts().config);
      process.stdout.write(`${JSON.stringify(maskedConfig(effective), null, 2)}\n`);
    });
}
