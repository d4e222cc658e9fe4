import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SimState } from '../state.ts';
import { isAllowedInternal, isReservedIp } from './internal-hosts.ts';

/**
 * The server's outbound HTTP client for integrations (slash command URLs, action URLs, dialog URLs).
 *
 * Contract: only http(s) URLs; the host is resolved first and refused when any address is reserved and not
 * allowed by `AllowedUntrustedInternalConnections` (`CallbackRefused`, which each caller maps to the server's
 * error for its route); the request times out after `OutgoingIntegrationRequestsTimeout` seconds; the body read
 * is capped at 1 MB. Every attempt is counted by kind for the control API.
 */
export class CallbackRefused extends Error {}

export interface CallbackResponse {
  status: number;
  contentType: string;
  body: string;
}

export const MAX_RESPONSE_BYTES = 1024 * 1024;

export class CallbackClient {
  readonly #getState: () => SimState;

  constructor(getState: () => SimState) {
    this.#getState = getState;
  }

  async send(
    kind: 'command' | 'action' | 'dialog',
    rawUrl: string,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  ): Promise<CallbackResponse> {
    const state = this.#getState();
    state.count(state.callbackCounts, kind);
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new CallbackRefused(`invalid url ${rawUrl}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new CallbackRefused(`scheme ${url.protocol} not allowed`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let ips: string[];
    if (isIP(host)) ips = [host];
    else {
      try {
        ips = (await lookup(host, { all: true })).map((a) => a.address);
      } catch {
        throw new CallbackRefused(`cannot resolve ${host}`);
      }
    }
    if (
      ips.some(isReservedIp) &&
      !isAllowedInternal(state.config.ServiceSettings.AllowedUntrustedInternalConnections, host, ips)
    ) {
      state.count(state.callbackCounts, `${kind}.refused`);
      throw new CallbackRefused(
        `address forbidden, you may need to set AllowedUntrustedInternalConnections to allow an integration access to your internal network (${host})`,
      );
    }
    const timeoutMs = state.config.ServiceSettings.OutgoingIntegrationRequestsTimeout * 1000;
    const res = await fetch(url, {
      method: init.method,
      headers: init.headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const buf = Buffer.from(await res.arrayBuffer());
    return {
      status: res.status,
      contentType: (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '',
      body: buf.subarray(0, MAX_RESPONSE_BYTES).toString('utf8'),
    };
  }
}
