import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

export interface MicrosoftNotificationTable {
  id: string;
  dedupe_key: string;
  kind: string;
  subscription_id: string;
  /** The notification JSON without its clientState. */
  body: string;
  received_at: Date;
  processed_at: Date | null;
}

export interface InboundNotificationRow {
  dedupeKey: string;
  kind: 'change' | 'lifecycle';
  subscriptionId: string;
  body: string;
}

export interface StoredNotificationRow extends InboundNotificationRow {
  id: string;
  receivedAt: Date;
  processedAt: Date | null;
}

/**
 * Graph notifications recorded before Graph gets its 202 (house style rule 5). `record` inserts and lets the
 * caller enqueue each new row in the same transaction, so a crash after the 202 loses nothing and a row
 * never exists without its job. A notification whose key is already pending is skipped (redelivery);
 * once processed, the same key may be recorded again (a later identical change must not be lost).
 */
export class MicrosoftNotifications {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Returns the rows that were new; `enqueue` ran for each inside the transaction. */
  async record(
    items: readonly InboundNotificationRow[],
    enqueue: (tx: Transaction<Database>, row: StoredNotificationRow) => Promise<unknown>,
  ): Promise<StoredNotificationRow[]> {
    if (items.length === 0) return [];
    return this.#db.transaction().execute(async (tx) => {
      const fresh: StoredNotificationRow[] = [];
      for (const item of items) {
        const inserted = await tx
          .insertInto('microsoft_notification')
          .values({
            id: randomUUID(),
            dedupe_key: item.dedupeKey,
            kind: item.kind,
            subscription_id: item.subscriptionId,
            body: item.body,
            received_at: new Date(),
            processed_at: null,
          })
          .onConflict((oc) => oc.column('dedupe_key').where('processed_at', 'is', null).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!inserted) continue;
        const row = toRow(inserted);
        await enqueue(tx, row);
        fresh.push(row);
      }
      return fresh;
    });
  }

  async get(id: string): Promise<StoredNotificationRow | undefined> {
    const row = await this.#db
      .selectFrom('microsoft_notification')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRow(row) : undefined;
  }

  async markProcessed(id: string, at: Date): Promise<void> {
    await this.#db
      .updateTable('microsoft_notification')
      .set({ processed_at: at })
      .where('id', '=', id)
      .where('processed_at', 'is', null)
      .execute();
  }

  /**
   * Gives up on rows still pending since before `receivedBefore` (their job exhausted its retries), marking
   * them processed at `at` so their key no longer swallows new deliveries. Returns how many.
   */
  async abandonPending(receivedBefore: Date, at: Date): Promise<number> {
    const r = await this.#db
      .updateTable('microsoft_notification')
      .set({ processed_at: at })
      .where('processed_at', 'is', null)
      .where('received_at', '<', receivedBefore)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Deletes processed rows older than `before` (a retention job). Returns how many. */
  async purgeProcessed(before: Date): Promise<number> {
    const r = await this.#db
      .deleteFrom('microsoft_notification')
      .where('processed_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

function toRow(r: MicrosoftNotificationTable): StoredNotificationRow {
  return {
    id: r.id,
    dedupeKey: r.dedupe_key,
    kind: r.kind as 'change' | 'lifecycle',
    subscriptionId: r.subscription_id,
    body: r.body,
    receivedAt: r.received_at,
    processedAt: r.processed_at,
  };
}
