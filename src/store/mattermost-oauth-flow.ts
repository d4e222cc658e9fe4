import type { Kysely } from 'kysely';
import type { Vault } from '../core/vault/index.ts';
import type { Database } from './schema.ts';

export interface MattermostOAuthFlowTable {
  nonce: string;
  binding_hash: string;
  verifier_ciphertext: string;
  return_to: string;
  expected_user_id: string | null;
  expires_at: Date;
  used_at: Date | null;
}

interface Flow {
  nonce: string;
  bindingHash: string;
  codeVerifier: string;
  returnTo: string;
  expectedUserId: string | null;
  expiresAt: Date;
}

const ctx = (nonce: string) => `mattermost_oauth_flow:${nonce}`;

/**
 * "Sign in with Mattermost" flows in progress. The row is what makes a state single-use and bound to the
 * browser that started it; the PKCE verifier never leaves the server and is sealed at rest.
 */
export class MattermostOAuthFlows {
  readonly #db: Kysely<Database>;
  readonly #vault: Vault;

  constructor(db: Kysely<Database>, vault: Vault) {
    this.#db = db;
    this.#vault = vault;
  }

  async create(flow: Flow): Promise<void> {
    await this.#db
      .insertInto('mattermost_oauth_flow')
      .values({
        nonce: flow.nonce,
        binding_hash: flow.bindingHash,
        verifier_ciphertext: this.#vault.seal(flow.codeVerifier, ctx(flow.nonce)),
        return_to: flow.returnTo,
        expected_user_id: flow.expectedUserId,
        expires_at: flow.expiresAt,
        used_at: null,
      })
      .execute();
    // Flows left unfinished are no use to anyone after they expire.
    await this.#db
      .deleteFrom('mattermost_oauth_flow')
      .where('expires_at', '<', new Date(Date.now() - 86_400_000))
      .execute();
  }

  async consume(nonce: string, bindingHash: string, now: Date): Promise<Flow | undefined> {
    const row = await this.#db
      .updateTable('mattermost_oauth_flow')
      .set({ used_at: now })
      .where('nonce', '=', nonce)
      .where('binding_hash', '=', bindingHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      nonce: row.nonce,
      bindingHash: row.binding_hash,
      codeVerifier: this.#vault.openText(row.verifier_ciphertext, ctx(row.nonce)).text,
      returnTo: row.return_to,
      expectedUserId: row.expected_user_id,
      expiresAt: new Date(row.expires_at),
    };
  }
}
