import { type Kysely, type Selectable, sql } from 'kysely';
import type { AccountRepository, ConnectedAccount, Feature, InactiveReason } from '../core/accounts/index.ts';
import { AppError } from '../core/errors.ts';
import type { EntraUserId, MmUserId, TenantId } from '../core/ids.ts';
import type { Database } from './schema.ts';

export interface ConnectedAccountTable {
  mm_user_id: string;
  tenant_id: string;
  entra_user_id: string;
  mail: string | null;
  user_principal_name: string;
  display_name: string;
  features: string[];
  status: 'active' | 'inactive';
  inactive_reason: string | null;
  inactive_notified_at: Date | null;
  connected_at: Date;
  updated_at: Date;
}

function toAccount(row: Selectable<ConnectedAccountTable>): ConnectedAccount {
  return {
    mmUserId: row.mm_user_id as MmUserId,
    microsoft: {
      tenantId: row.tenant_id as TenantId,
      entraUserId: row.entra_user_id as EntraUserId,
      mail: row.mail,
      userPrincipalName: row.user_principal_name,
      displayName: row.display_name,
    },
    features: row.features as Feature[],
    status: row.status,
    inactiveReason: row.inactive_reason as InactiveReason | null,
    inactiveNotifiedAt: row.inactive_notified_at,
    connectedAt: row.connected_at,
    updatedAt: row.updated_at,
  };
}

/** Unique violation on the Microsoft identity: someone else holds it (a race AccountService could not see). */
function isMicrosoftKeyTaken(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  return (
    e.code === '23505' &&
    (e.constraint === 'connected_account_microsoft_key' ||
      /connected_account_microsoft_key/.test(e.message ?? ''))
  );
}

/** AccountRepository over the connected_account table (contract in src/core/accounts/account.ts). */
export class ConnectedAccounts implements AccountRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get(mmUserId: MmUserId): Promise<ConnectedAccount | undefined> {
    const row = await this.#db
      .selectFrom('connected_account')
      .selectAll()
      .where('mm_user_id', '=', mmUserId)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async findByMicrosoft(tenantId: TenantId, entraUserId: EntraUserId): Promise<ConnectedAccount | undefined> {
    const row = await this.#db
      .selectFrom('connected_account')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('entra_user_id', '=', entraUserId)
      .executeTakeFirst();
    return row && toAccount(row);
  }

  async save(a: ConnectedAccount): Promise<void> {
    const row = {
      mm_user_id: a.mmUserId,
      tenant_id: a.microsoft.tenantId,
      entra_user_id: a.microsoft.entraUserId,
      mail: a.microsoft.mail,
      user_principal_name: a.microsoft.userPrincipalName,
      display_name: a.microsoft.displayName,
      features: a.features,
      status: a.status,
      inactive_reason: a.inactiveReason,
      inactive_notified_at: a.inactiveNotifiedAt,
      connected_at: a.connectedAt,
      updated_at: a.updatedAt,
    };
    try {
      await this.#db
        .insertInto('connected_account')
        .values(row)
        .onConflict((oc) =>
          oc.column('mm_user_id').doUpdateSet(({ ref }) => ({
            tenant_id: ref('excluded.tenant_id'),
            entra_user_id: ref('excluded.entra_user_id'),
            mail: ref('excluded.mail'),
            user_principal_name: ref('excluded.user_principal_name'),
            display_name: ref('excluded.display_name'),
            features: ref('excluded.features'),
            status: ref('excluded.status'),
            inactive_reason: ref('excluded.inactive_reason'),
            inactive_notified_at: ref('excluded.inactive_notified_at'),
            updated_at: ref('excluded.updated_at'),
          })),
        )
        .execute();
    } catch (err) {
      if (isMicrosoftKeyTaken(err)) {
        throw new AppError(
          'MM365_ACCOUNT_TAKEN',
          `The Microsoft account ${a.microsoft.userPrincipalName} is already connected to another Mattermost user.`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async delete(mmUserId: MmUserId): Promise<void> {
    await this.#db.deleteFrom('connected_account').where('mm_user_id', '=', mmUserId).execute();
  }

  async markInactive(mmUserId: MmUserId, reason: InactiveReason, at: Date): Promise<boolean> {
    // The first marking since the last (re)connect claims the notification; row locking makes a concurrent
    // second call re-read inactive_notified_at and fall through to the plain update.
    const first = await this.#db
      .updateTable('connected_account')
      .set({ status: 'inactive', inactive_reason: reason, inactive_notified_at: at, updated_at: at })
      .where('mm_user_id', '=', mmUserId)
      .where('inactive_notified_at', 'is', null)
      .returning('mm_user_id')
      .executeTakeFirst();
    if (first) return true;
    await this.#db
      .updateTable('connected_account')
      .set({ status: 'inactive', inactive_reason: reason, updated_at: at })
      .where('mm_user_id', '=', mmUserId)
      .execute();
    return false;
  }

  async listActive(feature: Feature, after: MmUserId | null, limit: number): Promise<ConnectedAccount[]> {
    let q = this.#db
      .selectFrom('connected_account')
      .selectAll()
      .where('status', '=', 'active')
      .where(sql<boolean>`${feature} = any(features)`)
      .orderBy('mm_user_id')
      .limit(limit);
    if (after) q = q.where('mm_user_id', '>', after);
    return (await q.execute()).map(toAccount);
  }
}
