import { isAppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { CommandCaller, CommandReply, CommandSet, Subcommand } from './command.ts';
import { tokenize } from './tokenize.ts';

/**
 * Runs `/<trigger> <sub> …` for a caller. Contract:
 * - empty text, `help`, or an unknown subcommand → help listing only what this caller may run (unknown
 *   also says so);
 * - an admin-only subcommand for a non-admin → the same reply as unknown, so it does not reveal itself;
 * - a needsAccount subcommand for a caller who is not connected → the set's connect hint;
 * - a coded error (AppError) from the handler → its message, which is written for users;
 * - anything else → a generic apology with the request id, and the error logged. Never throws.
 */
export async function runCommand(
  set: CommandSet,
  text: string,
  caller: CommandCaller,
  requestId: string,
  log: Logger,
  triggerId = '',
): Promise<CommandReply> {
  const trimmed = text.trim();
  const [first, ...args] = tokenize(trimmed);
  const name = first?.toLowerCase();
  if (!name || name === 'help') return { text: helpText(set, caller) };

  const sub = findSubcommand(set, name, caller);
  if (!sub) return { text: `Unknown command \`${first}\`.\n\n${helpText(set, caller)}` };
  if (sub.needsAccount && !caller.isConnected) {
    if (caller.isInactive)
      return {
        text: `Your Microsoft account connection has stopped working (the sign-in expired or was revoked), so this cannot run. Connect again with ${set.connectHint}; your settings are kept.`,
      };
    return { text: `You need to connect your Microsoft account first: ${set.connectHint}` };
  }
  const rest = trimmed.slice(trimmed.indexOf(first as string) + (first as string).length).trim();
  try {
    return await sub.run({ ...caller, args, rest, requestId, triggerId });
  } catch (err) {
    if (isAppError(err) && err.status < 500) return { text: err.message };
    log.error({ err, trigger: set.trigger, subcommand: sub.name, requestId }, 'slash command failed');
    if (isAppError(err)) return { text: `${err.message} (reference: ${requestId})` };
    return {
      text: `Something went wrong running \`/${set.trigger} ${sub.name}\`. Please try again; if it keeps failing, give your admin this reference: ${requestId}.`,
    };
  }
}

function findSubcommand(set: CommandSet, name: string, caller: CommandCaller): Subcommand | undefined {
  // A subcommand's own name wins over another one's alias (`info` is a command and was `status`'s alias).
  const sub =
    set.subcommands.find((s) => s.name === name) ?? set.subcommands.find((s) => s.aliases?.includes(name));
  if (!sub || (sub.adminOnly && !caller.isAdmin)) return undefined;
  return sub;
}

/** Help for this caller: admin-only entries only for admins, in declaration order. */
export function helpText(set: CommandSet, caller: Pick<CommandCaller, 'isAdmin'>): string {
  const lines = set.subcommands
    .filter((s) => !s.adminOnly || caller.isAdmin)
    .map(
      (s) =>
        `- \`/${set.trigger} ${s.name}${s.usage ? ` ${s.usage}` : ''}\` — ${s.summary}${s.adminOnly ? ' (admin)' : ''}`,
    );
  return [
    `**/${set.trigger}** — ${set.description}`,
    '',
    ...lines,
    `- \`/${set.trigger} help\` — Show this help`,
  ].join('\n');
}
