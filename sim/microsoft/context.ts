/**
 * The contracts between the server shell and the resource modules: what a handler gets (`SimRequest`, the
 * running `SimContext`) and what it returns (`SimResponse`). Handlers never see Fastify, so the same handler
 * serves a direct call and a `$batch` item, and unit tests can call it with a literal request.
 */
import type { SimClock } from '../shared/clock.ts';
import type { Counters } from './counters.ts';
import type { SigningKeys } from './entra/keys.ts';
import type { Faults } from './faults.ts';
import type { Principal, SimState, UserRecord } from './state.ts';
import type { Notifier } from './subscriptions/notifier.ts';
import type { Throttle } from './throttle.ts';

export interface SimRequest {
  method: string;
  /** Path without query string, as received (percent-decoded params are in `params`). */
  path: string;
  params: Record<string, string>;
  /** Query parameters, last value wins. */
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: unknown;
  rawBody: Buffer | null;
  requestId: string;
  clientRequestId: string;
  /** Set for Graph routes once the access token is checked. */
  principal: Principal | null;
  /** The route key from the route table ("GET /v1.0/{user}/events"). */
  routeKey: string;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SimSettings {
  /** Token buckets of graph-api.md §6.2 / §4.8; off unless a test turns them on. */
  throttling: { enabled: boolean; scale: number };
  /** Teams getAllMessages metering (graph-api.md §4.7): 'off' (current Graph) or 'evaluation' (500/month). */
  metering: 'off' | 'evaluation';
  /** Graph demands https notification URLs; tests of a plain-http receiver may relax it. */
  allowHttpNotificationUrl: boolean;
  validationTimeoutMs: number;
  notificationTimeoutMs: number;
  /** The slow-endpoint policy of notification delivery (graph-api.md §5.7); see subscriptions/slow-endpoints.ts. */
  slowEndpoint: {
    slowMs: number;
    minSample: number;
    delayPercent: number;
    dropPercent: number;
    windowMs: number;
    delayMs: number;
  };
  /** Extra CA PEMs the sim trusts for outbound calls (webhook receivers with their own test CA). */
  extraCaPems: string[];
}

export interface SimUrls {
  /** https://127.0.0.1:P */
  base: string;
  authority: string;
  graph: string;
  control: string;
}

export interface SimContext {
  state: SimState;
  clock: SimClock;
  keys: SigningKeys;
  urls: SimUrls;
  settings: SimSettings;
  counters: Counters;
  faults: Faults;
  throttle: Throttle;
  notifier: Notifier;
  /** Guards /_sim (Authorization: Bearer <token> or x-sim-control-token). */
  controlToken: string;
  /** Replaces the state from a seed (the control API's reset). */
  reseed(seed: unknown): Promise<void>;
  /** Runs one Graph request through the full pipeline (used by $batch). */
  dispatch(req: { method: string; url: string; headers: Record<string, string>; body?: unknown }): Promise<{
    status: number;
    headers: Record<string, string>;
    body: Buffer;
  }>;
}

export type Handler = (req: SimRequest, ctx: SimContext) => SimResponse | Promise<SimResponse>;

/** Permission rule: the token must hold at least one of the listed scopes (delegated) or roles (app). */
export interface Permissions {
  /** `null`: delegated tokens are refused on this route. */
  delegated: string[] | null;
  /** `null`: app-only tokens are refused (delegated-only APIs, graph-api.md §0.3). */
  application: string[] | null;
}

/** Throttling workload a route is counted under (graph-api.md §6.2, §4.8). */
export type Workload =
  | 'outlook'
  | 'teams-chat-read'
  | 'teams-chat-write'
  | 'teams-channel-read'
  | 'teams-channel-write'
  | 'teams-other'
  | 'presence'
  | 'directory'
  | 'subscriptions'
  | 'files';

export interface RouteSpec {
  handler: Handler;
  /** 'graph' routes need a Graph access token; 'control' routes the control token; 'public' nothing. */
  auth: 'graph' | 'control' | 'public';
  permissions?: Permissions;
  workload?: Workload;
  /** OData system query options the real resource honours; any other `$option` is a 400. */
  query?: string[];
}

/** The mailbox/user a `{user}` route addresses: `/me` (delegated only) or `/users/{id|upn}`. */
export type UserResolver = (req: SimRequest, ctx: SimContext) => UserRecord;
