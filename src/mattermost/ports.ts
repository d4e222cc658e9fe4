import type { MmUserId } from '../core/ids.ts';

/**
 * What the Mattermost edge needs from the rest of the product, declared here and satisfied by others: the
 * `src/store/mattermost-*.ts` tables (structurally; the edge never imports the store) and the accounts layer.
 * The composition root passes implementations in. Every method may throw the store's errors
 * (MM365_DB_UNREACHABLE); none of them talks to Mattermost.
 */

/** Our slash commands per team, with the token Mattermost gave each (stored encrypted). */
export interface CommandTokenStore {
  /** Insert or replace the row of (teamId, trigger). */
  save(row: {
    teamId: string;
    trigger: string;
    commandId: string;
    token: string;
    url: string;
  }): Promise<void>;
  /** The token stored for (teamId, trigger), or undefined. */
  token(teamId: string, trigger: string): Promise<string | undefined>;
}

/**
 * Idempotency records for creating posts (house style rule 7). `begin` is atomic: the first caller for a key
 * gets `fresh: true`; later callers see the record (with the post id once `complete` ran).
 */
export interface PostIntentStore {
  begin(
    key: string,
    channelId: string,
    now: Date,
  ): Promise<{ fresh: boolean; postId: string | null; startedAt: Date }>;
  complete(key: string, postId: string): Promise<void>;
}

export interface UserTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token stops working (ms since epoch). */
  expiresAt: number;
}

/** A user's Mattermost OAuth tokens, encrypted at rest, with a version for atomic refresh rotation. */
export interface UserTokenStore {
  get(userId: string): Promise<(UserTokens & { version: number }) | undefined>;
  /** Store fresh tokens from a sign-in: replaces any row, bumps the version, clears a refresh lease. */
  put(userId: string, tokens: UserTokens): Promise<void>;
  /**
   * Take the right to refresh: succeeds for exactly one caller while the row is still at `version` and no
   * unexpired lease is held. The winner must call completeRefresh or releaseRefresh.
   */
  claimRefresh(userId: string, version: number, leaseUntil: Date, now: Date): Promise<boolean>;
  /** Write the rotated tokens if the row is still at `version`; bumps it. False if someone else moved it. */
  completeRefresh(userId: string, version: number, tokens: UserTokens): Promise<boolean>;
  releaseRefresh(userId: string, version: number): Promise<void>;
  delete(userId: string): Promise<void>;
}

export interface OAuthFlow {
  nonce: string;
  /** sha256 of the browser-binding cookie the flow was started with. */
  bindingHash: string;
  codeVerifier: string;
  returnTo: string;
  /** Set when the flow came from a link sent to one user: the sign-in must be that user. */
  expectedUserId: string | null;
  expiresAt: Date;
}

/** OAuth flows in progress; the PKCE verifier is stored encrypted. */
export interface OAuthFlowStore {
  create(flow: OAuthFlow): Promise<void>;
  /**
   * Marks the flow used and returns it, only if it exists, is unused, unexpired at `now` and was started by
   * the browser holding `bindingHash`. Atomic: of two callbacks with the same state, one wins.
   */
  consume(nonce: string, bindingHash: string, now: Date): Promise<OAuthFlow | undefined>;
}

/** Browser sessions bound to a Mattermost user; only the sha256 of the cookie value is stored. */
export interface WebSessionStore {
  create(idHash: string, userId: string, expiresAt: Date): Promise<void>;
  find(idHash: string, now: Date): Promise<{ userId: string } | undefined>;
  delete(idHash: string): Promise<void>;
}

/** Single-use links: `use` is true the first time a link id is presented, false ever after. */
export interface LinkUseStore {
  use(linkId: string, userId: string, now: Date): Promise<boolean>;
}

/** Per channel, the newest `update_at` the bot has seen: where a REST catch-up starts after a lost socket. */
export interface ChannelCursorStore {
  all(): Promise<{ channelId: string; since: number }[]>;
  /** Moves the cursor forward only (never back). */
  advance(channelId: string, since: number): Promise<void>;
}

/** Provided by the accounts layer: is this user's Microsoft account connected for the command's feature? */
export interface AccountStatusPort {
  isConnected(userId: MmUserId, trigger: string): Promise<boolean>;
  /** Connected for the command's feature but marked inactive (must reconnect). Optional: false when absent. */
  isInactive?(userId: MmUserId, trigger: string): Promise<boolean>;
}

export interface MattermostStores {
  commands: CommandTokenStore;
  postIntents: PostIntentStore;
  userTokens: UserTokenStore;
  oauthFlows: OAuthFlowStore;
  webSessions: WebSessionStore;
  linkUses: LinkUseStore;
  channelCursors: ChannelCursorStore;
}
