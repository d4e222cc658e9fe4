import type { EntraUserId, MmUserId, TenantId } from '../ids.ts';

/** The features a Microsoft account can be connected for; each asks for its own scopes (incremental consent). */
export type Feature = 'calendar' | 'teams';

/** Who signed in to Microsoft, as the Microsoft edge read it from the token and /me. */
export interface MicrosoftIdentity {
  tenantId: TenantId;
  entraUserId: EntraUserId;
  /** `mail` from Graph; null for accounts without a mailbox. */
  mail: string | null;
  userPrincipalName: string;
  displayName: string;
}

/** Why a connection stopped working. */
export type InactiveReason = 'refresh_expired' | 'revoked' | 'consent_withdrawn' | 'account_disabled';

/**
 * One Mattermost user's Microsoft account. Invariants (enforced by AccountService and unique keys):
 * one Microsoft account per Mattermost user, one Mattermost user per Microsoft account (tenant + object id).
 */
export interface ConnectedAccount {
  mmUserId: MmUserId;
  microsoft: MicrosoftIdentity;
  features: Feature[];
  status: 'active' | 'inactive';
  inactiveReason: InactiveReason | null;
  /** Set when the user was told their connection stopped working; cleared on reconnect. */
  inactiveNotifiedAt: Date | null;
  connectedAt: Date;
  updatedAt: Date;
}

/**
 * Storage of connected accounts (implemented in src/store/connected-account.ts).
 * Every write is atomic; `save` fails with MM365_ACCOUNT_TAKEN when the unique Microsoft identity is already
 * held by another Mattermost user, even when two connects race.
 */
export interface AccountRepository {
  get(mmUserId: MmUserId): Promise<ConnectedAccount | undefined>;
  findByMicrosoft(tenantId: TenantId, entraUserId: EntraUserId): Promise<ConnectedAccount | undefined>;
  /** Creates or replaces the row for account.mmUserId. */
  save(account: ConnectedAccount): Promise<void>;
  delete(mmUserId: MmUserId): Promise<void>;
  /**
   * Marks the account inactive. Returns true only for the call that first marks it since the last (re)connect,
   * so exactly one caller sends the "connection lost" DM even when several jobs fail at once.
   */
  markInactive(mmUserId: MmUserId, reason: InactiveReason, at: Date): Promise<boolean>;
  /** Active accounts connected for a feature, in stable order, a page at a time (for keep-alive and sync jobs). */
  listActive(feature: Feature, after: MmUserId | null, limit: number): Promise<ConnectedAccount[]>;
}
