import type { Feature, InactiveReason, MicrosoftIdentity } from '../core/accounts/index.ts';
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

/** Web pages need to know which Mattermost user the browser is; the Mattermost edge signs browsers in. */
export interface WebSignIn {
  /**
   * A link for `mmUserId` that signs the browser in to Mattermost as that user (refusing anyone else) and
   * then opens `returnTo`, a path on this service.
   */
  linkFor(mmUserId: MmUserId, returnTo: string): Promise<string>;
}

/** A Mattermost user as the accounts domain needs to see them. */
export interface MattermostUser {
  id: MmUserId;
  username: string;
  email: string;
  isBot: boolean;
}

export interface MattermostDirectory {
  /** The user, or undefined when there is no such (active) user. */
  user(mmUserId: MmUserId): Promise<MattermostUser | undefined>;
}

export interface BotPosts {
  /** Sends a DM from the bot to the user and returns the post id, so the message can be updated later. */
  dmPost(mmUserId: MmUserId, markdown: string): Promise<string>;
  /** Replaces the text of a post the bot made. */
  updatePost(postId: string, markdown: string): Promise<void>;
}

/** The Microsoft sign-in as the connect flow uses it; the Microsoft edge holds the app credentials. */
export interface MicrosoftSignIn {
  /**
   * Entra ID's authorize URL for the feature's scopes (incremental consent), carrying our `state`, and the
   * PKCE verifier, which the flow keeps server-side until the browser comes back.
   */
  authorizeUrl(input: {
    feature: Feature;
    state: string;
    loginHint?: string;
  }): Promise<{ url: string; codeVerifier: string }>;
  /**
   * Redeems the code Entra sent back. Stores nothing: `persist(mmUserId)` keeps the tokens as that user's
   * session, called only once the account rules accepted the sign-in. Throws a coded error for a bad,
   * expired or reused code.
   */
  redeem(input: { feature: Feature; code: string; codeVerifier: string }): Promise<{
    identity: MicrosoftIdentity;
    persist(mmUserId: MmUserId): Promise<void>;
  }>;
}
