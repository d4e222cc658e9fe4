import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.ts';

export interface MicrosoftSubscriptionTable {
  id: string;
  graph_id: string | null;
  kind: string;
  owner_key: string;
  resource: string;
  change_type: string;
  /** JSON: {"kind":"app"} or {"kind":"user","partition":…,"feature":…}. */
  auth: string;
  include_resource_data: boolean;
  lifetime_minutes: number;
  client_state_hash: string | null;
  certificate_id: string | null;
  expires_at: Date | null;
  status: string;
  lease_owner: string | null;
  lease_until: Date | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface SubscriptionTarget {
  kind: string;
  ownerKey: string;
  resource: string;
  changeType: string;
  auth: string;
  includeResourceData: boolean;
  lifetimeMinutes: number;
}

export interface SubscriptionRecord extends SubscriptionTarget {
  id: string;
  graphId: string | null;
  clientStateHash: string | null;
  certificateId: string | null;
  expiresAt: Date | null;
  status: string;
  lastError: string | null;
}

export type SubscriptionChange = Partial<
  Pick<
    SubscriptionRecord,
    'graphId' | 'clientStateHash' | 'certificateId' | 'expiresAt' | 'status' | 'lastError'
  >
>;

/**
 * Our Graph subscriptions, one row per (kind, owner, resource). Satisfies the Microsoft edge's
 * SubscriptionStore. Replicas coordinate through a lease (`claim`): whoever holds it may call Graph for that
 * row; the lease expires on its own, so a crashed holder blocks no one for long.
 */
export class MicrosoftSubscriptions {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** The row for the target, created (status `pending`) when there is none. */
  async upsert(target: SubscriptionTarget): Promise<SubscriptionRecord> {
    await this.#db
      .insertInto('microsoft_subscription')
      .values({
        id: randomUUID(),
        graph_id: null,
        kind: target.kind,
        owner_key: target.ownerKey,
        resource: target.resource,
        change_type: target.changeType,
        auth: target.auth,
        include_resource_data: target.includeResourceData,
        lifetime_minutes: target.lifetimeMinutes,
        client_state_hash: null,
        certificate_id: null,
        expires_at: null,
        status: 'pending',
        lease_owner: null,
        lease_until: null,
        last_error: null,
        created_at: new Date(),
        updated_at: new Date(),
      })
      .onConflict((oc) =>
        oc.columns(['kind', 'owner_key', 'resource']).doUpdateSet({
          change_type: target.changeType,
          auth: target.auth,
          include_resource_data: target.includeResourceData,
          lifetime_minutes: target.lifetimeMinutes,
          updated_at: new Date(),
        }),
      )
      .execute();
    const row = await this.#db
      .selectFrom('microsoft_subscription')
      .selectAll()
      .where('kind', '=', target.kind)
      .where('owner_key', '=', target.ownerKey)
      .where('resource', '=', target.resource)
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async get(id: string): Promise<SubscriptionRecord | undefined> {
    const row = await this.#db
      .selectFrom('microsoft_subscription')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async getByGraphId(graphId: string): Promise<SubscriptionRecord | undefined> {
    const row = await this.#db
      .selectFrom('microsoft_subscription')
      .selectAll()
      .where('graph_id', '=', graphId.toLowerCase())
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async listByOwner(ownerKey: string, kind?: string): Promise<SubscriptionRecord[]> {
    let q = this.#db.selectFrom('microsoft_subscription').selectAll().where('owner_key', '=', ownerKey);
    if (kind) q = q.where('kind', '=', kind);
    return (await q.orderBy('id').execute()).map(toRecord);
  }

  /** Rows with no live Graph subscription, or one expiring before `before`; oldest expiry first. */
  async listDue(before: Date, limit: number): Promise<SubscriptionRecord[]> {
    const rows = await this.#db
      .selectFrom('microsoft_subscription')
      .selectAll()
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '<', before)]))
      .orderBy('expires_at', (ob) => ob.asc().nullsFirst())
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  /** Takes the row's lease until `until` unless another holder's lease is still running. */
  async claim(id: string, owner: string, now: Date, until: Date): Promise<boolean> {
    const r = await this.#db
      .updateTable('microsoft_subscription')
      .set({ lease_owner: owner, lease_until: until })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]),
      )
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.#db
      .updateTable('microsoft_subscription')
      .set({ lease_owner: null, lease_until: null })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async update(id: string, change: SubscriptionChange): Promise<void> {
    await this.#db
      .updateTable('microsoft_subscription')
      .set({
        ...(change.graphId !== undefined ? { graph_id: change.graphId?.toLowerCase() ?? null } : {}),
        ...(change.clientStateHash !== undefined ? { client_state_hash: change.clientStateHash } : {}),
        ...(change.certificateId !== undefined ? { certificate_id: change.certificateId } : {}),
        ...(change.expiresAt !== undefined ? { expires_at: change.expiresAt } : {}),
        ...(change.status !== undefined ? { status: change.status } : {}),
        ...(change.lastError !== undefined ? { last_error: change.lastError } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('microsoft_subscription').where('id', '=', id).execute();
  }
}

function toRecord(r: Selectable<MicrosoftSubscriptionTable>): SubscriptionRecord {
  return {
    id: r.id,
    graphId: r.graph_id,
    kind: r.kind,
    ownerKey: r.owner_key,
    resource: r.resource,
    changeType: r.change_type,
    auth: r.auth,
    includeResourceData: r.include_resource_data,
    lifetimeMinutes: r.lifetime_minutes,
    clientStateHash: r.client_state_hash,
    certificateId: r.certificate_id,
    expiresAt: r.expires_at,
    status: r.status,
    lastError: r.last_error,
  };
}
