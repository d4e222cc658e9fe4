import { type Kysely, sql } from 'kysely';

/**
 * v2 (compatible with v1+): the Microsoft edge's tables, all new (v1 replicas ignore them).
 * - microsoft_token_cache: msal's serialized token cache per partition (one connected user), vault-sealed.
 * - microsoft_notification: Graph change/lifecycle notifications recorded before the 202; dedup key unique
 *   among unprocessed rows, so a redelivery while one is pending is a no-op.
 * - microsoft_subscription: our Graph subscriptions, with the clientState kept only as a hash and a lease
 *   that keeps replicas from renewing or recreating the same one at once.
 * - microsoft_certificate: the certificates rich notifications are encrypted for; private keys vault-sealed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('microsoft_token_cache')
    .addColumn('partition', 'text', (c) => c.primaryKey())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('microsoft_notification')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('processed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('microsoft_notification_pending_key')
    .on('microsoft_notification')
    .column('dedupe_key')
    .unique()
    .where(sql.ref('processed_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('microsoft_subscription')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('graph_id', 'text', (c) => c.unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('owner_key', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('change_type', 'text', (c) => c.notNull())
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('include_resource_data', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('lifetime_minutes', 'integer', (c) => c.notNull())
    .addColumn('client_state_hash', 'text')
    .addColumn('certificate_id', 'text')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('microsoft_subscription_target', ['kind', 'owner_key', 'resource'])
    .execute();
  await db.schema
    .createIndex('microsoft_subscription_expiry')
    .on('microsoft_subscription')
    .column('expires_at')
    .execute();

  await db.schema
    .createTable('microsoft_certificate')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('certificate', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();
}
