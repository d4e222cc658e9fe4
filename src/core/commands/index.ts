export type { CommandCaller, CommandContext, CommandReply, CommandSet, Subcommand } from './command.ts';
export { helpText, runCommand } from './router.ts';
export { tokenize } from './tokenize.ts';
