/**
 * The untouched @microsoft/microsoft-graph-client pointed at the sim. `customHosts` must hold the host name
 * without the port, or the client silently sends no Authorization header (graph-api.md §12).
 */
import { Client } from '@microsoft/microsoft-graph-client';
import type { Harness } from './sim-harness.ts';

export function graphClient(h: Harness, token: () => Promise<string> | string): Client {
  const base = new URL(h.sim.ready.graph);
  return Client.initWithMiddleware({
    baseUrl: `${base.origin}/`,
    customHosts: new Set([base.hostname]),
    authProvider: { getAccessToken: async () => token() },
  });
}
