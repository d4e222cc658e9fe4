import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { isMattermostError, type MattermostHttp } from '../client/http.ts';
import type { UserTokens } from '../ports.ts';

const tokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().default(''),
  expires_in: z.number().nonnegative(),
  token_type: z.string(),
});

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
  /** `<publicUrl>/mattermost/oauth/callback`, exactly as registered in the OAuth app. */
  redirectUri: () => string;
}

/**
 * We as an OAuth 2.0 client of Mattermost (reference §1.16): a confidential client with PKCE S256. Neither
 * exchange is retried after a 5xx or a lost answer: a code dies when redeemed and a refresh rotates both
 * tokens, so a blind repeat could only fail or lose the new tokens. Refusals are MM365_MM_OAUTH_FAILED.
 */
export class MattermostOAuthClient {
  readonly #http: MattermostHttp;
  readonly #config: OAuthClientConfig;

  constructor(http: MattermostHttp, config: OAuthClientConfig) {
    this.#http = http;
    this.#config = config;
  }

  authorizeUrl(state: string, challenge: string): string {
    const url = new URL(`${this.#http.baseUrl}/oauth/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.#config.clientId,
      redirect_uri: this.#config.redirectUri(),
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  exchangeCode(code: string, verifier: string, now: number): Promise<UserTokens> {
    return this.#token(
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.#config.redirectUri(),
        code_verifier: verifier,
      },
      now,
    );
  }

  refresh(refreshToken: string, now: number): Promise<UserTokens> {
    return this.#token(
      { grant_type: 'refresh_token', refresh_token: refreshToken, redirect_uri: this.#config.redirectUri() },
      now,
    );
  }

  async #token(form: Record<string, string>, now: number): Promise<UserTokens> {
    let raw: unknown;
    try {
      raw = await this.#http.json({
        method: 'POST',
        path: '/oauth/access_token',
        form: { ...form, client_id: this.#config.clientId, client_secret: this.#config.clientSecret },
        token: null,
        idempotent: false,
      });
    } catch (err) {
      if (isMattermostError(err) && err.httpStatus >= 400 && err.httpStatus < 500 && err.httpStatus !== 429) {
        throw new AppError('MM365_MM_OAUTH_FAILED', 'Mattermost refused the sign-in. Please sign in again.', {
          cause: err,
          details: { serverErrorId: err.serverErrorId },
        });
      }
      throw err;
    }
    const t = tokenAnswer.parse(raw);
    return {
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      expiresAt: now + t.expires_in * 1000,
    };
  }
}
