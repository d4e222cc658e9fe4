import type { CommandSet } from '../../core/commands/index.ts';
import { isAppError } from '../../core/errors.ts';
import { isMattermostError } from '../client/http.ts';
import type { MattermostRest } from '../client/rest.ts';
import type { CommandTokenStore } from '../ports.ts';
import { inspectBot } from './bootstrap.ts';

/** One line of `mm365 doctor`: pass, warn or fail, with the exact fix when it is not a pass. */
export interface Check {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

export interface DiagnoseDeps {
  rest: MattermostRest;
  commands: CommandTokenStore;
  sets: readonly CommandSet[];
  commandUrl: string;
  oauth: { clientId: string } | undefined;
  /** `<publicUrl>/mattermost/oauth/callback`. */
  redirectUri: string;
}

/**
 * The Mattermost checks of doctor, against the live server: the token, the bot and its roles, our commands
 * in each of its teams (URL and stored token), the OAuth app (or the warning that signed links are the weaker
 * set-up), and whether Mattermost can call us back (it runs `/<trigger> help` as the bot). Never throws:
 * every failure is a check. Makes no changes except that help command.
 */
export async function diagnose(deps: DiagnoseDeps): Promise<Check[]> {
  const checks: Check[] = [];
  let identity: Awaited<ReturnType<typeof inspectBot>>;
  try {
    identity = await inspectBot(deps.rest);
  } catch (err) {
    const bad = isMattermostError(err, 401);
    checks.push({
      name: 'mattermost.bot',
      status: 'fail',
      detail: bad ? 'Mattermost rejected mattermost.botToken (401).' : (err as Error).message,
      fix:
        bad || (isAppError(err) && err.code === 'MM365_MM_NOT_A_BOT')
          ? 'Create a bot account (System Console → Integrations → Bot Accounts), create a token for it, and set mattermost.botToken.'
          : 'Check mattermost.url and that Mattermost is up.',
    });
    return checks;
  }
  checks.push({
    name: 'mattermost.bot',
    status: 'pass',
    detail: `Token belongs to the bot @${identity.username}.`,
  });
  checks.push(
    identity.missing.length === 0
      ? { name: 'mattermost.bot-roles', status: 'pass', detail: 'The bot is a system admin.' }
      : {
          name: 'mattermost.bot-roles',
          status: 'fail',
          detail: identity.missing.join(' '),
          fix: `PUT /api/v4/users/${identity.userId}/roles {"roles":"system_user system_admin"}`,
        },
  );

  const teams = await deps.rest.getMyTeams().catch(() => []);
  if (teams.length === 0) {
    checks.push({
      name: 'mattermost.commands',
      status: 'fail',
      detail: 'The bot belongs to no team, so no slash command is registered.',
      fix: 'Add the bot to each team that should have the commands (Main Menu → Invite People, or POST /api/v4/teams/{team_id}/members).',
    });
  }
  for (const team of teams) {
    const problems: string[] = [];
    const listed = await deps.rest.listCommands(team.id).catch(() => undefined);
    for (const set of deps.sets) {
      const cmd = listed?.find((c) => c.trigger === set.trigger && c.delete_at === 0);
      const stored = await deps.commands.token(team.id, set.trigger);
      if (!cmd) problems.push(`/${set.trigger} is missing`);
      else if (cmd.url !== deps.commandUrl) problems.push(`/${set.trigger} calls ${cmd.url}`);
      else if (!stored || stored !== cmd.token)
        problems.push(`/${set.trigger}'s token is not the one we hold`);
    }
    checks.push(
      problems.length === 0
        ? {
            name: `mattermost.commands.${team.name}`,
            status: 'pass',
            detail: `Commands registered in ${team.name}.`,
          }
        : {
            name: `mattermost.commands.${team.name}`,
            status: 'fail',
            detail: `${problems.join('; ')} in team ${team.name}.`,
            fix: 'Restart the service (it registers the commands at start and every 15 minutes); if another integration owns the trigger, rename or delete its command.',
          },
    );
  }

  if (!deps.oauth) {
    checks.push({
      name: 'mattermost.oauth-app',
      status: 'warn',
      detail:
        'No OAuth app: web sign-in uses single-use links the bot DMs, which whoever holds the link can use for 10 minutes.',
      fix: `Register an OAuth 2.0 app in Mattermost (System Console → Integrations → OAuth 2.0 Applications) with callback URL ${deps.redirectUri}, then set mattermost.oauthClientId and oauthClientSecret. That is the safer set-up.`,
    });
  } else {
    const app = await deps.rest.getOAuthApp(deps.oauth.clientId).catch(() => undefined);
    checks.push(
      !app
        ? {
            name: 'mattermost.oauth-app',
            status: 'fail',
            detail: `Mattermost has no OAuth app ${deps.oauth.clientId}.`,
            fix: 'Check mattermost.oauthClientId.',
          }
        : app.callback_urls.includes(deps.redirectUri)
          ? {
              name: 'mattermost.oauth-app',
              status: 'pass',
              detail: 'The OAuth app exists and lists our callback URL.',
            }
          : {
              name: 'mattermost.oauth-app',
              status: 'fail',
              detail: `The OAuth app's callback URLs do not include ${deps.redirectUri}.`,
              fix: `Add ${deps.redirectUri} to the app's callback URLs.`,
            },
    );
  }

  const first = teams[0];
  const set = deps.sets[0];
  if (first && set) {
    try {
      const channel = await deps.rest.getChannelByName(first.id, 'town-square');
      await deps.rest.executeCommand(channel.id, `/${set.trigger} help`);
      checks.push({
        name: 'mattermost.callbacks',
        status: 'pass',
        detail: `Mattermost reached ${deps.commandUrl}.`,
      });
    } catch (err) {
      const host = new URL(deps.commandUrl).hostname;
      checks.push({
        name: 'mattermost.callbacks',
        status: 'fail',
        detail: `Mattermost could not run /${set.trigger} against ${deps.commandUrl}: ${(err as Error).message}`,
        fix: `Make ${deps.commandUrl} reachable from the Mattermost server; if ${host} is a private or loopback address, add it to ServiceSettings.AllowedUntrustedInternalConnections.`,
      });
    }
  }
  return checks;
}
