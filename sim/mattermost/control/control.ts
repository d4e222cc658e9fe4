import { timingSafeEqual } from 'node:crypto';
import { createSession } from '../auth.ts';
import { applyConfigPatch } from '../config.ts';
import { invalidParam, SimError } from '../errors.ts';
import type { RequestContext, Result } from '../http/context.ts';
import { ok } from '../http/context.ts';
import type { FaultSpec } from '../http/faults.ts';

/**
 * The control API under `/_sim`, for tests and the product's e2e harness. Not part of Mattermost.
 *
 * Auth: `Authorization: Bearer <controlToken>` or `X-Sim-Control-Token: <controlToken>` (the token is in the ready
 * line). The Mattermost admin token is not accepted: control is a different trust domain.
 *
 * Routes (JSON in and out):
 * - `GET /_sim/ready` → the ready object; `POST /_sim/reset {seed?}` → fresh world (the start seed by default), new ready;
 *   a bad seed is 400 and leaves the world as it was.
 * - `GET /_sim/config`, `PATCH /_sim/config {Section:{Key:value}}` → the resulting config.
 * - `GET /_sim/clock` → `{now}`; `POST /_sim/clock/advance {ms}`; `POST /_sim/clock/set {at}` (never backwards).
 * - `POST /_sim/faults {method?, path, status?, id?, message?, times?, delay_ms?}` → `{id}` (no status: delay only);
 *   `GET`/`DELETE /_sim/faults`.
 * - `GET /_sim/counters` → `{requests:{"METHOD /route":n}, callbacks:{kind:n}, websocket:{…}}`.
 * - `GET /_sim/channels/:channel_id/post-log` → every create/edit/delete/ephemeral of the channel, in order.
 * - `POST /_sim/websocket/drop {user_id?}` → `{dropped}` (sockets cut, resume state kept);
 *   `POST /_sim/websocket/restart` (state forgotten: clients get a new hello).
 * - `POST /_sim/sessions {username}` → `{token, user_id}`: a fresh login session for any user.
 */
export interface ControlHooks {
  controlToken: string;
  ready(): unknown;
  reset(seed: unknown): Promise<unknown>;
  addFault(spec: FaultSpec): string;
  listFaults(): unknown;
  clearFaults(): void;
}

export function requireControl(ctx: RequestContext, hooks: ControlHooks): void {
  const header = ctx.request.headers['x-sim-control-token'];
  const authz = ctx.request.headers.authorization;
  const given =
    typeof header === 'string' ? header : typeof authz === 'string' ? authz.replace(/^bearer\s+/i, '') : '';
  const a = Buffer.from(given);
  const b = Buffer.from(hooks.controlToken);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new SimError(401, 'api.sim.control.unauthorized', 'The control API needs the control token.');
  }
}

type ControlHandler = (ctx: RequestContext, hooks: ControlHooks) => Result | Promise<Result>;

export const controlHandlers: Record<string, ControlHandler> = {
  'GET /_sim/ready': (_ctx, hooks) => ok(hooks.ready()),
  'POST /_sim/reset': async (ctx, hooks) => {
    try {
      return ok(await hooks.reset((ctx.body as { seed?: unknown } | undefined)?.seed));
    } catch (e) {
      // A bad seed leaves the current world in place and says why.
      if (e instanceof TypeError || e instanceof SimError)
        throw new SimError(400, 'api.sim.seed.invalid', e.message);
      throw e;
    }
  },
  'GET /_sim/config': (ctx) => ok(ctx.world.state.config),
  'PATCH /_sim/config': (ctx) => {
    try {
      applyConfigPatch(ctx.world.state.config, ctx.body);
    } catch (e) {
      throw new SimError(400, 'api.sim.config.invalid', String(e instanceof Error ? e.message : e));
    }
    return ok(ctx.world.state.config);
  },
  'GET /_sim/clock': (ctx) => ok({ now: ctx.world.clock.now() }),
  'POST /_sim/clock/advance': async (ctx) => {
    const ms = (ctx.body as { ms?: unknown } | undefined)?.ms;
    if (typeof ms !== 'number' || ms < 0) throw invalidParam('ms');
    await ctx.world.clock.advance(ms);
    return ok({ now: ctx.world.clock.now() });
  },
  'POST /_sim/clock/set': async (ctx) => {
    const at = (ctx.body as { at?: unknown } | undefined)?.at;
    if (typeof at !== 'number') throw invalidParam('at');
    try {
      await ctx.world.clock.set(at);
    } catch (e) {
      throw new SimError(400, 'api.sim.clock.backwards', String(e instanceof Error ? e.message : e));
    }
    return ok({ now: ctx.world.clock.now() });
  },
  'POST /_sim/faults': (ctx, hooks) => {
    try {
      return ok({ id: hooks.addFault(ctx.body as FaultSpec) }, 201);
    } catch (e) {
      throw new SimError(400, 'api.sim.fault.invalid', String(e instanceof Error ? e.message : e));
    }
  },
  'GET /_sim/faults': (_ctx, hooks) => ok(hooks.listFaults()),
  'DELETE /_sim/faults': (_ctx, hooks) => {
    hooks.clearFaults();
    return ok({ status: 'OK' });
  },
  'GET /_sim/counters': (ctx) => {
    const s = ctx.world.state;
    return ok({
      requests: Object.fromEntries(s.requestCounts),
      callbacks: Object.fromEntries(s.callbackCounts),
      websocket: ctx.world.hub.counters(),
    });
  },
  'GET /_sim/channels/:channel_id/post-log': (ctx) => {
    const id = ctx.params.channel_id ?? '';
    if (!ctx.world.state.channels.has(id))
      throw new SimError(404, 'app.channel.get.existing.app_error', 'Unable to find the existing channel.');
    return ok(ctx.world.state.postLog.get(id) ?? []);
  },
  'POST /_sim/websocket/drop': (ctx) => {
    const userId = (ctx.body as { user_id?: unknown } | undefined)?.user_id;
    return ok({ dropped: ctx.world.hub.drop(typeof userId === 'string' ? userId : undefined) });
  },
  'POST /_sim/websocket/restart': (ctx) => {
    ctx.world.hub.restart();
    return ok({ status: 'OK' });
  },
  'POST /_sim/sessions': (ctx) => {
    const username = (ctx.body as { username?: unknown } | undefined)?.username;
    const user = typeof username === 'string' ? ctx.world.state.userByUsername(username) : undefined;
    if (!user) throw invalidParam('username');
    const session = createSession(ctx.world.state, user.id, 'login');
    return ok({ token: session.token, user_id: user.id });
  },
};
