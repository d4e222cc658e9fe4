import type { SimClock } from '../shared/clock.ts';
import type { CallbackClient } from './integrations/callback-client.ts';
import type { SimState } from './state.ts';
import type { WebSocketHub } from './websocket/hub.ts';

/**
 * Everything a handler may touch: the state, the WebSocket hub that delivers events, and the client that calls
 * integrations back. One World per running simulator; `reset` swaps the state but keeps the hub and the clock.
 */
export interface World {
  state: SimState;
  hub: WebSocketHub;
  callbacks: CallbackClient;
  clock: SimClock;
  /** The server's own base URL (also `ServiceSettings.SiteURL`), used for response_url and OAuth redirects. */
  siteUrl: string;
  /** The version the server reports in `X-Version-Id` and the WebSocket hello. */
  version: string;
}
