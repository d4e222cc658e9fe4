/**
 * The sim's outbound HTTP (validation handshakes, notifications): undici with the process's default CAs plus
 * any the control API added (`extraCaPems`), so a receiver with its own test CA can be trusted without
 * touching the process. Every call has a hard timeout: Graph gives a receiver 10 s to validate and 3 s to
 * accept a notification.
 */
import tls from 'node:tls';
import { Agent, fetch } from 'undici';
import type { SimSettings } from '../context.ts';

export type OutboundResult =
  | { ok: true; status: number; contentType: string; text: string }
  | { ok: false; reason: 'timeout' | 'error'; detail: string };

export class Outbound {
  readonly #settings: SimSettings;
  #agent: Agent | null = null;
  #agentKey = '';

  constructor(settings: SimSettings) {
    this.#settings = settings;
  }

  #dispatcher(): Agent {
    const key = this.#settings.extraCaPems.join('\n');
    if (!this.#agent || key !== this.#agentKey) {
      void this.#agent?.close();
      this.#agentKey = key;
      this.#agent = new Agent({
        connect: { ca: [...tls.getCACertificates('default'), ...this.#settings.extraCaPems] },
        keepAliveTimeout: 1_000,
      });
    }
    return this.#agent;
  }

  async post(url: string, body: string, contentType: string, timeoutMs: number): Promise<OutboundResult> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': contentType,
          'user-agent': 'Microsoft-Graph-ChangeTracking/1.0 (simulated)',
        },
        dispatcher: this.#dispatcher(),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      const text = await res.text();
      return { ok: true, status: res.status, contentType: res.headers.get('content-type') ?? '', text };
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError')
        return { ok: false, reason: 'timeout', detail: String(err) };
      return { ok: false, reason: 'error', detail: String((err as { cause?: unknown }).cause ?? err) };
    }
  }

  async close(): Promise<void> {
    await this.#agent?.close();
    this.#agent = null;
  }
}
