/**
 * Access tokens for the benchmark, minted by the Microsoft simulator's control API (`POST /_sim/tokens`) and
 * kept until five minutes before they expire on the SIMULATED clock.
 *
 * Why not msal (as the product does): msal decides a cached token is fresh by the wall clock, while the
 * simulator checks expiry on its own clock; a simulated day in minutes would make every cached token look
 * fresh to msal and expired to Graph. Token calls go to Entra, not Graph, so they are not in the Graph counts
 * either way; they are counted apart here.
 */
import type { Clock } from '../../src/core/clock.ts';

export class SimTokens {
  readonly #control: string;
  readonly #controlToken: string;
  readonly #clock: Clock;
  readonly #cache = new Map<string, { token: string; expiresAt: number }>();
  /** Tokens minted (the product would make one Entra token request for each). */
  issued = 0;

  constructor(ready: { control: string; controlToken: string }, clock: Clock) {
    this.#control = ready.control;
    this.#controlToken = ready.controlToken;
    this.#clock = clock;
  }

  /** A delegated token of the simulator user `userKey` for `clientId` (its consented scopes). */
  user(userKey: string, clientId: string, forceRefresh = false): Promise<string> {
    return this.#get(`${clientId}|${userKey}`, { user: userKey, clientId }, forceRefresh);
  }

  /** An app-only token for `clientId` (its application permissions). */
  app(clientId: string): Promise<string> {
    return this.#get(`${clientId}|app`, { app: true, clientId }, false);
  }

  async #get(key: string, body: Record<string, unknown>, force: boolean): Promise<string> {
    const hit = this.#cache.get(key);
    if (hit && !force && hit.expiresAt - 5 * 60_000 > this.#clock.now()) return hit.token;
    const res = await fetch(`${this.#control}/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.#controlToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sim token for ${key}: ${res.status} ${await res.text()}`);
    const t = (await res.json()) as { access_token: string; expires_in: number };
    this.issued++;
    this.#cache.set(key, { token: t.access_token, expiresAt: this.#clock.now() + t.expires_in * 1000 });
    return t.access_token;
  }
}
