import type { Feature } from '../core/accounts/index.ts';
import type { Subcommand } from '../core/commands/index.ts';
import type { ConnectFlow } from './connect-flow.ts';

/**
 * The connection subcommands every feature's slash command has: connect, disconnect, status. The account
 * is shared; the feature decides which scopes are asked and what is disconnected.
 */
export function connectionSubcommands(feature: Feature, flow: ConnectFlow): Subcommand[] {
  return [
    {
      name: 'connect',
      summary: 'Connect your Microsoft account',
      run: (ctx) => flow.request(ctx.userId, feature),
    },
    {
      name: 'disconnect',
      summary: 'Disconnect your Microsoft account',
      run: (ctx) => flow.disconnect(ctx.userId, feature),
    },
    {
      name: 'status',
      aliases: ['info'],
      summary: 'Show which Microsoft account you are connected as',
      run: (ctx) => flow.status(ctx.userId, feature),
    },
  ];
}
