/**
 * Starts a Microsoft sim for one test file and makes this process trust its CA. Node 24's
 * `tls.setDefaultCACertificates` covers both `https.request` (msal-node's HttpClient) and the global `fetch`
 * (the Graph client), so no vendor client needs patching. The previous default set is restored on close.
 */
import tls from 'node:tls';
import { type MicrosoftSim, startMicrosoftSim } from '../../../sim/microsoft/index.ts';

export interface Harness {
  sim: MicrosoftSim;
  control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** A delegated access token for a seed user, straight from the control API. */
  tokenFor(user: string, scopes?: string[], lifetimeSeconds?: number): Promise<string>;
  appToken(roles?: string[]): Promise<string>;
  /** Raw Graph call with a bearer token (path relative to /v1.0). */
  graph(
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(opts: Parameters<typeof startMicrosoftSim>[0] = {}): Promise<Harness> {
  const sim = await startMicrosoftSim({ port: 0, ...opts });
  const previous = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...previous, sim.caPem]);
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sim.ready.control}${path}`, {
      method,
      headers: { authorization: `Bearer ${sim.ready.controlToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  };
  return {
    sim,
    control,
    async tokenFor(user, scopes, lifetimeSeconds) {
      const r = await control<{ access_token: string }>('POST', '/tokens', { user, scopes, lifetimeSeconds });
      return r.access_token;
    },
    async appToken(roles) {
      const r = await control<{ access_token: string }>('POST', '/tokens', { app: true, roles });
      return r.access_token;
    },
    graph(token, method, path, body, headers = {}) {
      return fetch(`${sim.ready.graph}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
    async close() {
      await sim.close();
      tls.setDefaultCACertificates(previous);
    },
  };
}

/** Test-side JSON reader: assertions navigate freely, the expectations themselves check the shape. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary Graph JSON.
export type AnyJson = any;
export const json = async (res: Response): Promise<AnyJson> => res.json();
