import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number 0–65535');
  return n;
}

function readSeed(file: string | undefined): unknown {
  if (!file) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    process.stderr.write(`mm365: cannot read seed file ${file}: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

/**
 * `mm365 sim microsoft|mattermost`: run a simulator on its own. Prints exactly one JSON line (the sim's
 * ready object) to stdout when it is ready, then runs until SIGTERM/SIGINT.
 * The simulators are test infrastructure, loaded only by this command, never by the service.
 */
export function simCommand(program: Command): void {
  const sim = program
    .command('sim')
    .description('Run a simulator of Microsoft 365 or Mattermost for tests and the sandbox.');
  for (const [name, description] of [
    ['microsoft', 'Entra ID + Microsoft Graph over HTTPS, with a generated CA.'],
    ['mattermost', 'Mattermost REST v4 + WebSocket.'],
  ] as const) {
    sim
      .command(name)
      .description(description)
      .option('-p, --port <n>', 'port to listen on (0 picks a free one)', port, 0)
      .option('--seed <file>', 'JSON seed replacing the built-in demo data')
      .action(async (opts: { port: number; seed?: string }) => {
        const seed = readSeed(opts.seed);
        const running =
          name === 'microsoft'
            ? await (await import('../../../sim/microsoft/index.ts')).startMicrosoftSim({
                port: opts.port,
                seed,
              })
            : await (await import('../../../sim/mattermost/index.ts')).startMattermostSim({
                port: opts.port,
                seed,
              });
        process.stdout.write(`${JSON.stringify(running.ready)}\n`);
        const stop = () => {
          running.close().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
  }
}
