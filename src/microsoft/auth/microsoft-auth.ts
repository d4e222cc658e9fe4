import * as msal from '@azure/msal-node';
import type { Feature } from '../../core/accounts/account.ts';
import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { MicrosoftEndpoints } from '../clouds.ts';
import { fromMsalError } from './auth-errors.ts';
import { qualifiedScopes } from './scopes.ts';
import type { TokenCacheStore } from './token-cache-store.ts';
import '../errors.ts'; // registers this folder's MM365_* codes, so AppError knows their HTTP status

export interface MicrosoftAuthDeps {
  endpoints: MicrosoftEndpoints;
  clientId: string;
  clientSecret: string;
  cache: TokenCacheStore;
  log: Logger;
}

export interface AuthorizeRequest {
  feature: Feature;
  /** Must match a redirect URI of the app registration exactly (loopback hosts: any port). */
  redirectUri: string;
  /** Opaque to us here: the caller signs it and checks it on return (binds the browser to the user). */
  state: string;
  loginHint?: string;
  prompt?: 'select_account' | 'consent' | 'login';
}

/** What a finished sign-in proved, before anything is stored. */
export interface RedeemedSignIn {
  tenantId: string;
  entraUserId: string;
  username: string;
  displayName: string;
  grantedScopes: string[];
  accessToken: string;
  /**
   * Stores this sign-in's tokens as the cache of `partition`, replacing what was there. Call it only once
   * the accounts layer accepted the sign-in (e-mail policy, one account per user): a refused sign-in then
   * leaves the user's existing connection untouched.
   */
  persist(partition: string): Promise<void>;
}

/**
 * Entra ID through msal-node's confidential client: auth code + PKCE for users, client credentials for the
 * app. User tokens live in msal's cache serialized per partition in our database (TokenCacheStore); each
 * call builds a short-lived client over its own partition, so two users' caches never share memory and any
 * replica can refresh any user. Authority metadata is fetched once per process and handed to every client.
 */
export class MicrosoftAuth {
  readonly #deps: MicrosoftAuthDeps;
  readonly #app: msal.ConfidentialClientApplication;
  #metadata: Promise<string> | undefined;
  /** In-flight user token lookups: a burst of calls for one user shares one cache read and one refresh. */
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(deps: MicrosoftAuthDeps) {
    this.#deps = deps;
    // App-only tokens stay in this client's memory cache: msal returns the cached one until it is near
    // expiry, so client credentials hit Entra about once an hour per process.
    this.#app = new msal.ConfidentialClientApplication(this.#config());
  }

  #config(cachePlugin?: msal.ICachePlugin, authorityMetadata?: string): msal.Configuration {
    const { endpoints, clientId, clientSecret, log } = this.#deps;
    return {
      auth: {
        clientId,
        clientSecret,
        authority: endpoints.authority,
        knownAuthorities: endpoints.knownAuthorities,
        ...(authorityMetadata ? { authorityMetadata } : {}),
      },
      ...(cachePlugin ? { cache: { cachePlugin } } : {}),
      system: {
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: msal.LogLevel.Warning,
          loggerCallback: (_level, message) => log.debug({ part: 'msal' }, message),
        },
      },
    };
  }

  /** The OpenID configuration, once per process (a failure is not cached). */
  async #authorityMetadata(): Promise<string> {
    this.#metadata ??= (async () => {
      const url = `${this.#deps.endpoints.authority}/v2.0/.well-known/openid-configuration`;
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
      return res.text();
    })().catch((err: unknown) => {
      this.#metadata = undefined;
      throw fromMsalError(err, 'Reading the Entra ID configuration');
    });
    return this.#metadata;
  }

  async #client(cachePlugin: msal.ICachePlugin): Promise<msal.ConfidentialClientApplication> {
    return new msal.ConfidentialClientApplication(this.#config(cachePlugin, await this.#authorityMetadata()));
  }

  /** Graph scopes of a feature in this cloud's form. */
  scopes(feature: Feature): string[] {
    return qualifiedScopes(feature, this.#deps.endpoints.graphResource);
  }

  /**
   * The Entra ID authorize URL for a feature's scopes, plus the PKCE verifier the caller keeps (server
   * side, bound to `state`) until the redirect comes back. No network call beyond the one-time metadata.
   */
  async authorizeUrl(req: AuthorizeRequest): Promise<{ url: string; codeVerifier: string }> {
    const crypto = new msal.CryptoProvider();
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const client = await this.#client(scratchCache().plugin);
    const url = await client.getAuthCodeUrl({
      scopes: this.scopes(req.feature),
      redirectUri: req.redirectUri,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      state: req.state,
      responseMode: msal.ResponseMode.QUERY,
      ...(req.loginHint ? { loginHint: req.loginHint } : {}),
      ...(req.prompt ? { prompt: req.prompt } : {}),
    });
    return { url, codeVerifier: verifier };
  }

  /**
   * Redeems the code the browser brought back. Nothing is stored until `persist()` is called.
   * Throws MM365_MICROSOFT_SIGN_IN_FAILED (expired or reused code, wrong verifier, consent refused),
   * MM365_MICROSOFT_CLIENT_CREDENTIALS_INVALID or MM365_MICROSOFT_AUTH_UNAVAILABLE.
   */
  async redeem(input: {
    feature: Feature;
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<RedeemedSignIn> {
    const scratch = scratchCache();
    const client = await this.#client(scratch.plugin);
    let result: msal.AuthenticationResult;
    try {
      result = await client.acquireTokenByCode({
        code: input.code,
        codeVerifier: input.codeVerifier,
        redirectUri: input.redirectUri,
        scopes: this.scopes(input.feature),
      });
    } catch (err) {
      const mapped = fromMsalError(err, 'Signing in to Microsoft');
      if (mapped.code === 'MM365_MICROSOFT_RECONNECT_REQUIRED') {
        throw new AppError(
          'MM365_MICROSOFT_SIGN_IN_FAILED',
          `The Microsoft sign-in failed: ${mapped.message}`,
          {
            cause: err,
            details: mapped.details,
          },
        );
      }
      throw mapped;
    }
    const account = result.account;
    const claims = (result.idTokenClaims ?? {}) as { oid?: string; tid?: string; name?: string };
    if (!account || !claims.oid || !claims.tid) {
      throw new AppError(
        'MM365_MICROSOFT_SIGN_IN_FAILED',
        'The sign-in returned no account (id_token without oid/tid).',
      );
    }
    const cache = this.#deps.cache;
    return {
      tenantId: claims.tid.toLowerCase(),
      entraUserId: claims.oid.toLowerCase(),
      username: account.username,
      displayName: claims.name ?? account.name ?? account.username,
      grantedScopes: result.scopes,
      accessToken: result.accessToken,
      persist: (partition) => cache.save(partition, scratch.data()),
    };
  }

  /**
   * A delegated Graph token for the partition's user with the feature's scopes, refreshed silently when
   * needed (the refreshed cache is written back). Throws MM365_MICROSOFT_RECONNECT_REQUIRED when only a new
   * sign-in can help (details.reason), MM365_MICROSOFT_AUTH_UNAVAILABLE when Entra is unreachable.
   */
  userToken(partition: string, feature: Feature, options: { forceRefresh?: boolean } = {}): Promise<string> {
    const key = `${partition}\n${feature}\n${options.forceRefresh === true}`;
    const running = this.#inFlight.get(key);
    if (running) return running;
    const started = this.#userToken(partition, feature, options.forceRefresh === true).finally(() =>
      this.#inFlight.delete(key),
    );
    this.#inFlight.set(key, started);
    return started;
  }

  async #userToken(partition: string, feature: Feature, forceRefresh: boolean): Promise<string> {
    const client = await this.#client(persistentCache(this.#deps.cache, partition));
    try {
      const [account] = await client.getTokenCache().getAllAccounts();
      if (!account) {
        throw new AppError(
          'MM365_MICROSOFT_RECONNECT_REQUIRED',
          'There is no Microsoft sign-in for this user; connect first.',
          { details: { reason: 'not_connected' } },
        );
      }
      const result = await client.acquireTokenSilent({
        account,
        scopes: this.scopes(feature),
        forceRefresh,
      });
      return result.accessToken;
    } catch (err) {
      throw fromMsalError(err, 'Getting a Microsoft token');
    }
  }

  /** An app-only Graph token (client credentials, `<graph>/.default`), cached until near expiry. */
  async appToken(): Promise<string> {
    try {
      const result = await this.#app.acquireTokenByClientCredential({
        scopes: [`${this.#deps.endpoints.graphResource}/.default`],
      });
      if (!result) throw new AppError('MM365_MICROSOFT_AUTH_UNAVAILABLE', 'Entra ID returned no app token.');
      return result.accessToken;
    } catch (err) {
      throw fromMsalError(err, 'Getting the app token');
    }
  }

  /** Drops the partition's tokens (disconnect). Entra keeps the refresh token valid until it expires. */
  forget(partition: string): Promise<void> {
    return this.#deps.cache.delete(partition);
  }
}

/** An in-memory cache for one sign-in, handed to the store only by persist(). */
function scratchCache(): { plugin: msal.ICachePlugin; data: () => string } {
  let blob = '';
  return {
    plugin: {
      async beforeCacheAccess(ctx) {
        if (blob) ctx.tokenCache.deserialize(blob);
      },
      async afterCacheAccess(ctx) {
        if (ctx.cacheHasChanged) blob = ctx.tokenCache.serialize();
      },
    },
    data: () => blob,
  };
}

/**
 * The partition's cache over the store: loaded once per (short-lived) client, written back whenever msal
 * changed it (a refresh brings a new access and refresh token).
 */
function persistentCache(store: TokenCacheStore, partition: string): msal.ICachePlugin {
  let loaded = false;
  return {
    async beforeCacheAccess(ctx) {
      if (loaded) return;
      const blob = await store.load(partition);
      if (blob) ctx.tokenCache.deserialize(blob);
      loaded = true;
    },
    async afterCacheAccess(ctx) {
      if (ctx.cacheHasChanged) await store.save(partition, ctx.tokenCache.serialize());
    },
  };
}
