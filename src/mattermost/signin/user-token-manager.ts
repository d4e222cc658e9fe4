import type { Clock } from '../../core/clock.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { UserTokenStore } from '../ports.ts';
import type { MattermostOAuthClient } from './oauth-client.ts';

/** Refresh when less than this is left, so a token handed out still works for the call it is used for. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** A refresh lease longer than any refresh call takes; a crashed holder frees it by expiry. */
const LEASE_MS = 30_000;

/**
 * Hands out a user's Mattermost access token for acting as them, refreshing it when it is near its end.
 * Mattermost rotates both tokens on each refresh and revokes the old session at once, so exactly one caller
 * (across replicas) may refresh: it claims a lease on the row's version, refreshes, and writes the new
 * tokens only if the version has not moved; the others wait for the new version. A refresh Mattermost
 * refuses (token revoked or unknown) deletes the row: the user must sign in again (MM365_MM_USER_TOKEN_MISSING).
 */
export class UserTokenManager {
  readonly #store: UserTokenStore;
  readonly #oauth: MattermostOAuthClient | undefined;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(store: UserTokenStore, oauth: MattermostOAuthClient | undefined, clock: Clock, log: Logger) {
    this.#store = store;
    this.#oauth = oauth;
    this.#clock = clock;
    this.#log = log;
  }

  async accessTokenFor(userId: string, waitMs = 15_000): Promise<string> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const row = await this.#store.get(userId);
      if (!row) throw missing();
      const now = this.#clock.now();
      if (row.expiresAt - now > REFRESH_MARGIN_MS) return row.accessToken;
      if (!this.#oauth || !row.refreshToken) {
        if (row.expiresAt > now) return row.accessToken;
        throw missing();
      }
      if (await this.#store.claimRefresh(userId, row.version, new Date(now + LEASE_MS), new Date(now))) {
        return this.#refresh(userId, row.version, row.refreshToken);
      }
      if (Date.now() > deadline) throw missing();
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async #refresh(userId: string, version: number, refreshToken: string): Promise<string> {
    let tokens: Awaited<ReturnType<MattermostOAuthClient['refresh']>>;
    try {
      tokens = await (this.#oauth as MattermostOAuthClient).refresh(refreshToken, this.#clock.now());
    } catch (err) {
      if (isAppError(err) && err.code === 'MM365_MM_OAUTH_FAILED') {
        this.#log.warn({ userId }, 'Mattermost refused a refresh token; the user must sign in again');
        await this.#store.delete(userId);
        throw missing();
      }
      await this.#store.releaseRefresh(userId, version);
      throw err;
    }
    if (!(await this.#store.completeRefresh(userId, version, tokens))) {
      // Only a sign-in can move the row under our lease; its tokens are the newer ones.
      const row = await this.#store.get(userId);
      if (!row) throw missing();
      return row.accessToken;
    }
    return tokens.accessToken;
  }
}

function missing(): AppError {
  return new AppError(
    'MM365_MM_USER_TOKEN_MISSING',
    'Please sign in with Mattermost again so the integration can act for you.',
  );
}
