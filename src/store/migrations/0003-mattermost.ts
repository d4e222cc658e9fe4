import { type Kysely, sql } from 'kysely';

/**
 * v3 (compatible with v2+): the Mattermost edge's tables, all new, so older replicas are unaffected.
 * - mattermost_command: our slash command per (team, trigger) and its token (encrypted).
 * - mattermost_post_intent: idempotency records for post creation (a retry never posts twice).
 * - mattermost_user_token: a user's Mattermost OAuth tokens (encrypted), versioned for atomic rotation.
 * - mattermost_oauth_flow: OAuth flows in progress (state nonce, browser binding, PKCE verifier encrypted).
 * - mattermost_web_session: browser sessions bound to a Mattermost user (cookie stored as a hash).
 * - mattermost_link_use: single-use sign-in links already used.
 * - mattermost_channel_cursor: newest update_at seen per channel, where catch-up starts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('mattermost_command')
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('command_id', 'text', (c) => c.notNull())
    .addColumn('token_ciphertext', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('mattermost_command_pk', ['team_id', 'trigger'])
    .execute();
  await db.schema
    .createTable('mattermost_post_intent')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('post_id', 'text')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('mattermost_user_token')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('access_ciphertext', 'text', (c) => c.notNull())
    .addColumn('refresh_ciphertext', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('lease_until', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createTable('mattermost_oauth_flow')
    .addColumn('nonce', 'text', (c) => c.primaryKey())
    .addColumn('binding_hash', 'text', (c) => c.notNull())
    .addColumn('verifier_ciphertext', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text', (c) => c.notNull())
    .addColumn('expected_user_id', 'text')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('mattermost_web_session')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema
    .createTable('mattermost_link_use')
    .addColumn('link_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('mattermost_channel_cursor')
    .addColumn('channel_id', 'text', (c) => c.primaryKey())
    .addColumn('since', 'bigint', (c) => c.notNull())
    .execute();
}
