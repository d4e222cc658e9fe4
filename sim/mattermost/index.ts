import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimClock } from '../shared/clock.ts';
import { FaultInjector } from './http/faults.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { routeTable } from './http/route-table.ts';
import { buildServer } from './http/server.ts';
import { CallbackClient } from './integrations/callback-client.ts';
import { applySeed, type ReadyWorld } from './seed.ts';
import { SimState } from './state.ts';
import { attachWebSocket } from './websocket/endpoint.ts';
import { WebSocketHub } from './websocket/hub.ts';
import type { World } from './world.ts';

export type { ConfigPatch, SimConfig } from './config.ts';
export type { ReadyWorld, Seed } from './seed.ts';
export { DEMO_SEED } from './seed.ts';

/**
 * The Mattermost server simulator's front door.
 *
 * Contract: `startMattermostSim` listens (port 0 = a free port, host 127.0.0.1 by default), seeds the world (the
 * demo seed unless `seed` is given), and resolves with `ready`, the object the CLI prints as one JSON line:
 * `{ready:true, url, adminToken, controlToken, users:{name:{id,token,password}}, bots:{…}, teams:{name:{id,
 * channels:{name:id}}}}`. `close()` stops the listener, cuts every socket and disposes the clock if the sim
 * created it. Nothing here is shared between two sims: tests may run several side by side.
 */
export interface MattermostSimReady extends ReadyWorld {
  ready: true;
  url: string;
  controlToken: string;
}

export interface MattermostSim {
  ready: MattermostSimReady;
  url: string;
  clock: SimClock;
  /** Direct access to the world for in-process tests (prefer the control API from other processes). */
  world: World;
  close(): Promise<void>;
}

export const SIM_VERSION = '11.9.0.sim';

export async function startMattermostSim(
  opts: { port?: number; host?: string; seed?: unknown; clock?: SimClock } = {},
): Promise<MattermostSim> {
  const ownClock = opts.clock === undefined;
  const clock = opts.clock ?? new SimClock();
  const host = opts.host ?? '127.0.0.1';
  const controlToken = randomBytes(24).toString('base64url');
  // The hub, the callback client and the limiter read `world.state` lazily, so `reset` can swap the state.
  const world: World = {
    state: new SimState(clock, ''),
    clock,
    siteUrl: '',
    version: SIM_VERSION,
    hub: new WebSocketHub(() => world.state, SIM_VERSION),
    callbacks: new CallbackClient(() => world.state),
  };
  const faults = new FaultInjector();
  const limiter = new RateLimiter(() => world.state);
  let ready: MattermostSimReady | undefined;

  /** Builds a fresh state from `seed` (the start seed when undefined); the old state stays if the seed is bad. */
  const reseed = (seed: unknown): MattermostSimReady => {
    const state = new SimState(clock, world.siteUrl);
    const readyWorld = applySeed(state, seed ?? opts.seed);
    state.config.ServiceSettings.SiteURL = world.siteUrl;
    world.hub.restart();
    world.state = state;
    limiter.reset();
    faults.clear();
    ready = { ready: true, url: world.siteUrl, controlToken, ...readyWorld };
    return ready;
  };
  const currentReady = (): MattermostSimReady => {
    if (!ready) throw new Error('the simulator is not seeded yet');
    return ready;
  };

  const app = await buildServer(
    world,
    routeTable({
      controlToken,
      ready: currentReady,
      reset: async (seed) => reseed(seed),
      addFault: (spec) => faults.add(spec),
      listFaults: () => faults.list(),
      clearFaults: () => faults.clear(),
    }),
    faults,
    limiter,
  );
  const wss = attachWebSocket(app.server as Server, world);
  // Idempotent: a CLI may close on a signal and again in a finally.
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      world.hub.restart();
      for (const client of wss.clients) client.terminate();
      wss.close();
      await app.close();
      if (ownClock) clock.dispose();
    })();
    return closing;
  };
  await app.listen({ port: opts.port ?? 0, host });
  const address = app.server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  world.siteUrl = `http://${urlHost}:${address.port}`;
  try {
    reseed(opts.seed);
  } catch (e) {
    await close();
    throw e;
  }

  const sim: MattermostSim = {
    get ready() {
      return currentReady();
    },
    url: world.siteUrl,
    clock,
    world,
    close,
  };
  return sim;
}
