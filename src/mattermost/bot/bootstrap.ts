import { AppError } from '../../core/errors.ts';
import { type MmUserId, parseMmUserId } from '../../core/ids.ts';
import type { MattermostRest } from '../client/rest.ts';

/** Who the bot is, once its token has been checked. */
export interface BotIdentity {
  userId: MmUserId;
  username: string;
  isSystemAdmin: boolean;
  /** One line per missing role: what it is needed for and how to grant it. Empty when nothing is missing. */
  missing: string[];
}

/** What the system_admin role gives the bot that no narrower role does on a default Mattermost. */
const SYSTEM_ADMIN_NEEDS = [
  'send ephemeral posts (create_post_ephemeral is given only to system admins)',
  "read and set other users' statuses and custom statuses (edit_other_users)",
  'create users for Teams-only people (create_user when open sign-up is off)',
  'register the slash commands in every team it joins (manage_slash_commands without being team admin)',
];

/**
 * Checks the bot token: it must authenticate (else MattermostError 401), belong to a bot account (else
 * MM365_MM_NOT_A_BOT) and, for the whole product, hold system_admin. A missing role is reported in
 * `missing`, not thrown: commands and DMs work without it, and doctor prints the fix. Does one GET.
 */
export async function inspectBot(rest: MattermostRest): Promise<BotIdentity> {
  const me = await rest.getMe();
  if (!me.is_bot) {
    throw new AppError(
      'MM365_MM_NOT_A_BOT',
      `mattermost.botToken belongs to @${me.username}, which is not a bot account. Create a bot (System Console → Integrations → Bot Accounts), give it the system_admin role, and use its access token.`,
    );
  }
  const roles = (me.roles ?? '').split(/\s+/).filter(Boolean);
  const isSystemAdmin = roles.includes('system_admin');
  const missing = isSystemAdmin
    ? []
    : [
        `The bot @${me.username} lacks the system_admin role (it has: ${roles.join(' ') || 'none'}). It is needed to ${SYSTEM_ADMIN_NEEDS.join('; ')}. Fix: System Console → User Management → Users → @${me.username} → Manage roles → System Admin, or PUT /api/v4/users/${me.id}/roles {"roles":"system_user system_admin"}.`,
      ];
  return { userId: parseMmUserId(me.id), username: me.username, isSystemAdmin, missing };
}

/** The coded error doctor and strict start-up use when the bot lacks roles. */
export function rolesMissingError(identity: BotIdentity): AppError {
  return new AppError('MM365_MM_BOT_ROLES_MISSING', identity.missing.join('\n'), {
    details: { botUserId: identity.userId },
  });
}
