import type { InactiveReason } from '../core/accounts/index.ts';
import type { MmUserId } from '../core/ids.ts';

/**
 * What the accounts domain needs from the edges (house style rule 2: domains own their ports; the
 * Microsoft and Mattermost edges satisfy them, and this folder never imports an edge).
 */

/** Outcome of using a user's stored Microsoft session. */
export type SessionCheck = { ok: true } | { ok: false; reason: InactiveReason };

export interface MicrosoftSessions {
  /**
   * Refreshes the user's delegated token now (a refresh token unused for 90 days dies, so using it keeps it
   * alive). Resolves `{ok:false, reason}` when the session is dead for good (expired, revoked, consent
   * withdrawn); throws on a passing failure (network, 5xx, 429), which the job retries.
   */
  refresh(mmUserId: MmUserId): Promise<SessionCheck>;
  /** Deletes everything stored for the user's Microsoft session (token cache). Idempotent. */
  forget(mmUserId: MmUserId): Promise<void>;
}

export interface UserMessenger {
  /** Sends a DM from the bot to the user. */
  dm(mmUserId: MmUserId, markdown: string): Promise<void>;
}

export interface ConnectLinks {
  /** A link that starts connecting the user's Microsoft account again. */
  reconnectUrl(mmUserId: MmUserId): Promise<string>;
}
