/**
 * One Microsoft sim + one migrated test store for a test file, with the product's own trust path: the sim's
 * CA file goes through trustExtraCa (what microsoft.caFile does in production). The default CA set is
 * restored on close so files do not leak trust into each other.
 */
import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { type MicrosoftSim, startMicrosoftSim } from '../../sim/microsoft/index.ts';
import type { Config } from '../../src/core/config/index.ts';
import { Vault } from '../../src/core/vault/index.ts';
import { trustExtraCa } from '../../src/microsoft/clouds.ts';
import type { MicrosoftEdge } from '../../src/microsoft/index.ts';
import { migrateToLatest } from '../../src/store/index.ts';
import { openTestStore, type TestDriver, type TestStore } from '../helpers/database.ts';

export interface MsHarness {
  sim: MicrosoftSim;
  t: TestStore;
  vault: Vault;
  /** The microsoft config section pointing at the sim. */
  microsoft: Config['microsoft'];
  control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startMsHarness(driver: TestDriver = 'pglite'): Promise<MsHarness> {
  const previous = tls.getCACertificates('default');
  const sim = await startMicrosoftSim({ port: 0 });
  trustExtraCa(sim.ready.ca);
  const t = await openTestStore(driver);
  await migrateToLatest(t.store);
  const { ready } = sim;
  const microsoft: Config['microsoft'] = {
    cloud: 'public',
    forceConsent: false,
    tenantId: ready.tenantId,
    clientId: ready.app.clientId,
    clientSecret: ready.app.clientSecret,
    authorityHost: new URL(ready.authority).origin,
    graphUrl: ready.graph,
    caFile: ready.ca,
  };
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${ready.control}${path}`, {
      method,
      headers: { authorization: `Bearer ${ready.controlToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  };
  return {
    sim,
    t,
    vault: new Vault([{ id: 'k1', key: randomBytes(32) }]),
    microsoft,
    control,
    async close() {
      await t.close();
      await sim.close();
      tls.setDefaultCACertificates(previous);
    },
  };
}

/** Plays the browser on the sim's authorize page (auto-approve + login_hint): returns the code. */
export async function followAuthorize(url: string): Promise<{ code: string; state: string | null }> {
  const res = await fetch(url, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
  const location = new URL(res.headers.get('location') ?? '');
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return { code, state: location.searchParams.get('state') };
}

/**
 * Connects `partition` for the calendar as a user would: the edge's sign-in, the sim's authorize page with
 * `mail` as login hint, then the tokens persisted under `partition`.
 */
export async function signInForCalendar(edge: MicrosoftEdge, partition: string, mail: string): Promise<void> {
  const redirectUri = 'http://localhost/oauth2/callback';
  const { url, codeVerifier } = await edge.signIn.start({
    feature: 'calendar',
    redirectUri,
    state: 's',
    loginHint: mail,
  });
  const { code } = await followAuthorize(url);
  const done = await edge.signIn.complete({ feature: 'calendar', code, codeVerifier, redirectUri });
  await done.persist(partition);
}
