/**
 * Front door of the Microsoft 365 simulator (Entra ID + Microsoft Graph). See docs/simulators/microsoft.md.
 *
 * Contract (others depend on it): `startMicrosoftSim({port, host, seed, clock})` listens on HTTPS (port 0 picks
 * a free one), and resolves with `ready` — the object the CLI prints as one JSON line — plus the clock and
 * `close()`. The sim owns its timers; `close()` cancels them and the server, but leaves a caller-supplied clock
 * usable (it only disposes a clock it created).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SimClock } from '../shared/clock.ts';
import { createTestPki } from '../shared/tls.ts';
import type { SimContext } from './context.ts';
import { type MicrosoftSimReady, readyOf } from './control/control-api.ts';
import { Counters } from './counters.ts';
import { createSigningKeys } from './entra/keys.ts';
import { Faults } from './faults.ts';
import { buildRoutes } from './routes.ts';
import { addApp, addUser, DEMO_SEED, parseSeed } from './seed.ts';
import { applyContentSeed } from './seed-content.ts';
import { BATCH_ITEM_HEADER, buildServer } from './server.ts';
import { defaultSettings } from './settings.ts';
import { SimState } from './state.ts';
import { createNotifier } from './subscriptions/delivery.ts';
import { inertNotifier } from './subscriptions/notifier.ts';
import { Throttle } from './throttle.ts';

export type { MicrosoftSimReady };

export interface MicrosoftSim {
  ready: MicrosoftSimReady;
  clock: SimClock;
  /** PEM of the CA that signed the server certificate (same content as the file at `ready.ca`). */
  caPem: string;
  /** The live context, for in-process tests that want to inspect state. */
  context: SimContext;
  close(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  host?: string;
  seed?: unknown;
  clock?: SimClock;
}

export async function startMicrosoftSim(opts: StartOptions = {}): Promise<MicrosoftSim> {
  // Fail on a bad seed before anything exists, so a CLI with a broken --seed file leaves nothing behind.
  if (opts.seed !== undefined) parseSeed(opts.seed);
  const host = opts.host ?? '127.0.0.1';
  const ownsClock = !opts.clock;
  const clock = opts.clock ?? new SimClock();
  const [pki, keys] = await Promise.all([createTestPki('microsoft-sim'), createSigningKeys()]);
  const settings = defaultSettings();
  const counters = new Counters();
  const faults = new Faults();
  const throttle = new Throttle(clock, settings);
  const ctx: SimContext = {
    state: new SimState(),
    clock,
    keys,
    settings,
    counters,
    faults,
    throttle,
    controlToken: randomBytes(24).toString('base64url'),
    urls: { base: '', authority: '', graph: '', control: '' },
    // Wired below, once the context they close over exists.
    notifier: inertNotifier,
    reseed: async () => {},
    dispatch: async () => {
      throw new Error('microsoft sim: dispatch before the server was built');
    },
  };
  ctx.notifier = createNotifier(ctx);
  ctx.reseed = async (seed: unknown) => {
    ctx.notifier.dispose();
    ctx.state = new SimState();
    faults.clear();
    counters.reset();
    throttle.reset();
    const parsed = parseSeed(seed ?? DEMO_SEED);
    ctx.state.tenant = {
      id: parsed.tenant.id ?? crypto.randomUUID(),
      domain: parsed.tenant.domain,
      displayName: parsed.tenant.displayName,
    };
    for (const u of parsed.users) addUser(ctx.state, u);
    for (const a of parsed.apps) addApp(ctx.state, a, clock.now());
    ctx.notifier = createNotifier(ctx);
    applyContentSeed(ctx, parsed);
    refreshUrls();
  };
  const app = await buildServer(ctx, pki, buildRoutes(pki.caPath));
  ctx.dispatch = async (r) => {
    const res = await app.inject({
      method: r.method as 'GET',
      url: r.url,
      headers: { ...r.headers, [BATCH_ITEM_HEADER]: '1' },
      ...(r.body === undefined ? {} : { payload: r.body as string }),
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = String(v);
    return { status: res.statusCode, headers, body: res.rawPayload };
  };
  let port = 0;
  function refreshUrls(): void {
    const base = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    ctx.urls = {
      base,
      authority: `${base}/${ctx.state.tenant.id}`,
      graph: `${base}/v1.0`,
      control: `${base}/_sim`,
    };
  }
  await app.listen({ port: opts.port ?? 0, host });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  refreshUrls();
  try {
    await ctx.reseed(opts.seed);
  } catch (err) {
    ctx.notifier.dispose();
    await app.close();
    await rm(dirname(pki.caPath), { recursive: true, force: true });
    throw err;
  }
  const sim: MicrosoftSim = {
    get ready() {
      return readyOf(ctx, pki.caPath);
    },
    clock,
    caPem: pki.caPem,
    context: ctx,
    async close() {
      ctx.notifier.dispose();
      if (ownsClock) clock.dispose();
      await app.close();
      // The CA file is per instance; leave no litter in the temp directory.
      await rm(dirname(pki.caPath), { recursive: true, force: true });
    },
  };
  return sim;
}
