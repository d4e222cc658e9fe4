import type { Command } from '@mattermost/types/integrations';
import type { CommandSet } from '../../core/commands/index.ts';
import type { Logger } from '../../core/log.ts';
import { isMattermostError } from '../client/http.ts';
import type { CommandFields, MattermostRest } from '../client/rest.ts';
import type { CommandTokenStore } from '../ports.ts';

export type CommandOutcome = 'created' | 'updated' | 'unchanged' | 'conflict' | 'failed';

export interface TeamSyncReport {
  teamId: string;
  commands: { trigger: string; outcome: CommandOutcome; detail?: string }[];
}

export interface RegistrarDeps {
  rest: MattermostRest;
  store: CommandTokenStore;
  log: Logger;
  /** Where Mattermost posts slash commands: `<publicUrl>/mattermost/command`. */
  commandUrl: string;
  botUserId: () => string;
  /** The command sets domains registered (read at each sync, so late registrations are picked up). */
  sets: () => readonly CommandSet[];
}

function fieldsOf(set: CommandSet, url: string): CommandFields {
  return {
    trigger: set.trigger,
    url,
    method: 'P',
    auto_complete: true,
    auto_complete_desc: set.description.slice(0, 1024),
    auto_complete_hint: set.hint,
    display_name: set.trigger.slice(0, 64),
    description: set.description.slice(0, 128),
  };
}

function differs(c: Command, f: CommandFields): boolean {
  return (Object.keys(f) as (keyof CommandFields)[]).some((k) => c[k] !== f[k]);
}

/**
 * Registers our slash commands in the teams the bot belongs to. Idempotent: a command the bot already made
 * is updated only when a field (URL, description, hint) differs, and keeps its token; the token is stored
 * (encrypted) for the endpoint to check. A command with our trigger made by someone else is a conflict and
 * left alone, unless it already points at our URL (an admin made it by hand: adopted). Runs at start-up,
 * from the periodic re-check job, and when the bot is added to a team. One team failing never stops others.
 */
export class CommandRegistrar {
  readonly #deps: RegistrarDeps;

  constructor(deps: RegistrarDeps) {
    this.#deps = deps;
  }

  async syncAll(): Promise<TeamSyncReport[]> {
    const teams = await this.#deps.rest.getMyTeams();
    const reports: TeamSyncReport[] = [];
    for (const team of teams) {
      if (team.delete_at) continue;
      reports.push(await this.syncTeam(team.id));
    }
    return reports;
  }

  async syncTeam(teamId: string): Promise<TeamSyncReport> {
    const report: TeamSyncReport = { teamId, commands: [] };
    let existing: Command[];
    try {
      existing = await this.#deps.rest.listCommands(teamId);
    } catch (err) {
      this.#deps.log.error({ err, teamId }, 'could not list slash commands of a team');
      for (const set of this.#deps.sets()) report.commands.push({ trigger: set.trigger, outcome: 'failed' });
      return report;
    }
    for (const set of this.#deps.sets()) {
      try {
        report.commands.push({ trigger: set.trigger, ...(await this.#syncOne(teamId, set, existing)) });
      } catch (err) {
        this.#deps.log.error({ err, teamId, trigger: set.trigger }, 'slash command registration failed');
        report.commands.push({ trigger: set.trigger, outcome: 'failed', detail: (err as Error).message });
      }
    }
    return report;
  }

  async #syncOne(
    teamId: string,
    set: CommandSet,
    existing: Command[],
  ): Promise<{ outcome: CommandOutcome; detail?: string }> {
    const { rest, store, commandUrl, botUserId } = this.#deps;
    const fields = fieldsOf(set, commandUrl);
    const current = existing.find((c) => c.trigger === set.trigger && c.delete_at === 0);
    if (current && current.creator_id !== botUserId() && current.url !== commandUrl) {
      const detail = `/${set.trigger} in team ${teamId} belongs to user ${current.creator_id} and calls ${current.url}; rename or delete it, then the next re-check registers ours.`;
      this.#deps.log.warn({ teamId, trigger: set.trigger, owner: current.creator_id }, detail);
      return { outcome: 'conflict', detail };
    }
    let saved: Command;
    let outcome: CommandOutcome;
    if (!current) {
      saved = await this.#create(teamId, fields);
      outcome = 'created';
    } else if (differs(current, fields)) {
      saved = await rest.updateCommand(current, fields);
      outcome = 'updated';
    } else {
      saved = current;
      outcome = 'unchanged';
    }
    const token = saved.token || current?.token;
    if (!token) throw new Error(`Mattermost did not show the token of /${set.trigger} in team ${teamId}`);
    await store.save({ teamId, trigger: set.trigger, commandId: saved.id, token, url: commandUrl });
    return { outcome };
  }

  /** A create is never repeated blindly: after an unclear failure, list again and adopt what is there. */
  async #create(teamId: string, fields: CommandFields): Promise<Command> {
    try {
      return await this.#deps.rest.createCommand(teamId, fields);
    } catch (err) {
      if (!isMattermostError(err) || (err.httpStatus !== 0 && err.httpStatus < 500)) throw err;
      const again = await this.#deps.rest.listCommands(teamId);
      const made = again.find((c) => c.trigger === fields.trigger && c.delete_at === 0);
      if (made) return made;
      return this.#deps.rest.createCommand(teamId, fields);
    }
  }
}
