import type { MmChannelId, MmTeamId, MmUserId } from '../ids.ts';

/**
 * Slash commands as data. A domain declares each subcommand as a record (name, help, prerequisites,
 * handler); the router in this folder parses the text, enforces the prerequisites, renders help and turns
 * errors into friendly replies. Vendor-neutral: the Mattermost edge turns a CommandReply into its wire format.
 */

/** Who is asking, and what the router already knows about them. */
export interface CommandCaller {
  userId: MmUserId;
  channelId: MmChannelId;
  teamId: MmTeamId;
  /** System admin or listed in mattermost.adminUserIds. */
  isAdmin: boolean;
  /** Has a connected Microsoft account in good standing for this command's feature. */
  isConnected: boolean;
  /**
   * Connected for this feature once, but the connection stopped working (sign-in expired or revoked): they
   * must reconnect, and are told so rather than told to connect (the Calendar plugin's "marked inactive").
   */
  isInactive?: boolean;
}

export interface CommandContext extends CommandCaller {
  /** The subcommand's arguments, split like a shell would (quotes group words). */
  args: string[];
  /** The text after the subcommand name, as typed. */
  rest: string;
  /** Request id for log lines and error references. */
  requestId: string;
  /**
   * Lets the handler open a dialog (form) for this invocation; Mattermost honours it for 30 s after the
   * command was typed. Empty when the transport has none.
   */
  triggerId: string;
}

/**
 * What the user sees. `ephemeral` (the default) shows only to the caller; `inChannel` posts for everyone.
 * Work that takes longer than a moment returns a reply now ("Working on it…") and reports later by DM.
 */
export interface CommandReply {
  text: string;
  visibility?: 'ephemeral' | 'inChannel';
}

export interface Subcommand {
  name: string;
  aliases?: readonly string[];
  /** One line for help, starting with a verb: "Show today's meetings". */
  summary: string;
  /** Arguments after the name, for help: "[time]". */
  usage?: string;
  /** Refuse, with a connect hint, unless the caller has a connected account. */
  needsAccount?: boolean;
  /** Hidden from and refused to non-admins. */
  adminOnly?: boolean;
  run(ctx: CommandContext): Promise<CommandReply>;
}

export interface CommandSet {
  /** Without the slash: "mscalendar". */
  trigger: string;
  /** For the autocomplete list in Mattermost. */
  description: string;
  /** Autocomplete hint, e.g. "[command]". */
  hint: string;
  /** What a user who is not connected should type, shown when a needsAccount subcommand is refused. */
  connectHint: string;
  subcommands: readonly Subcommand[];
}
