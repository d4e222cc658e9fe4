import type { Kysely } from 'kysely';
import type { Vault } from '../core/vault/index.ts';
import type { Database } from './schema.ts';

export interface MattermostCommandTable {
  team_id: string;
  trigger: string;
  command_id: string;
  token_ciphertext: string;
  url: string;
  updated_at: Date;
}

const context = (teamId: string, trigger: string) => `mattermost_command:${teamId}:${trigger}`;

/**
 * Our slash command in each team and the token Mattermost gave it (the proof an incoming command is
 * Mattermost's). The token is sealed with the vault, bound to its (team, trigger).
 */
export class MattermostCommands {
  readonly #db: Kysely<Database>;
  readonly #vault: Vault;

  constructor(db: Kysely<Database>, vault: Vault) {
    this.#db = db;
    this.#vault = vault;
  }

  async save(row: { teamId: string; trigger: string; commandId: string; token: string; url: string }) {
    const values = {
      command_id: row.commandId,
      token_ciphertext: this.#vault.seal(row.token, context(row.teamId, row.trigger)),
      url: row.url,
      updated_at: new Date(),
    };
    await this.#db
      .insertInto('mattermost_command')
      .values({ team_id: row.teamId, trigger: row.trigger, ...values })
      .onConflict((oc) => oc.columns(['team_id', 'trigger']).doUpdateSet(values))
      .execute();
  }

  async token(teamId: string, trigger: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('mattermost_command')
      .select('token_ciphertext')
      .where('team_id', '=', teamId)
      .where('trigger', '=', trigger)
      .executeTakeFirst();
    return row ? this.#vault.openText(row.token_ciphertext, context(teamId, trigger)).text : undefined;
  }

  async list(): Promise<{ teamId: string; trigger: string; commandId: string; url: string }[]> {
    const rows = await this.#db
      .selectFrom('mattermost_command')
      .select(['team_id', 'trigger', 'command_id', 'url'])
      .orderBy('team_id')
      .orderBy('trigger')
      .execute();
    return rows.map((r) => ({ teamId: r.team_id, trigger: r.trigger, commandId: r.command_id, url: r.url }));
  }
}
