import { createRemoteJWKSet, jwtVerify } from 'jose';

/** The app id Graph's change tracking signs validationTokens as (graph-api.md §5.3). */
export const graphChangeTrackingAppId = '0bf30f3b-4a52-48df-9a82-234910c4a086';

/**
 * Checks the `validationTokens` of a rich-notification POST: each is an RS256 JWT signed by Entra ID (JWKS
 * fetched once and cached by jose), for our app (`aud`), from our tenant's issuer (v1 or v2 form), issued to
 * Graph change tracking (`appid`/`azp`), and not expired. Returns false on any failure; never throws.
 */
export class ValidationTokenVerifier {
  readonly #jwks: ReturnType<typeof createRemoteJWKSet>;
  readonly #clientId: string;
  readonly #issuers: string[];

  constructor(options: { jwksUrl: string; clientId: string; tenantId: string; authorityHost: string }) {
    this.#jwks = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 5000 });
    this.#clientId = options.clientId;
    this.#issuers = [
      `https://sts.windows.net/${options.tenantId}/`,
      `${options.authorityHost}/${options.tenantId}/v2.0`,
    ];
  }

  async verifyAll(tokens: readonly string[]): Promise<boolean> {
    if (tokens.length === 0) return false;
    const results = await Promise.all(tokens.map((t) => this.#verify(t)));
    return results.every(Boolean);
  }

  async #verify(token: string): Promise<boolean> {
    try {
      const { payload } = await jwtVerify(token, this.#jwks, {
        audience: this.#clientId,
        issuer: this.#issuers,
        algorithms: ['RS256'],
        clockTolerance: 300,
      });
      const caller = payload.azp ?? (payload as { appid?: unknown }).appid;
      return caller === graphChangeTrackingAppId;
    } catch {
      return false;
    }
  }
}
