import { WebSocket } from 'ws';
import type { Logger } from '../../core/log.ts';
import type { MattermostRest } from '../client/rest.ts';
import type { MmEvent, MmEventHandler } from '../events.ts';
import type { ChannelCursorStore } from '../ports.ts';
import { fromCatchUp, fromMattermostPost, fromSocketEvent } from './convert.ts';

export interface BotSocketDeps {
  /** Mattermost's site URL (http[s]); the socket is `<ws[s]>/api/v4/websocket`. */
  baseUrl: string;
  token: string;
  rest: MattermostRest;
  cursors: ChannelCursorStore;
  log: Logger;
  botUserId: () => string;
  /** First reconnect delay, doubled per failure up to maxReconnectMs. Defaults 1 s / 30 s. */
  minReconnectMs?: number;
  maxReconnectMs?: number;
  /** App-level ping period; a socket silent for two periods is replaced. Default 30 s. */
  pingMs?: number;
}

interface Frame {
  event?: string;
  data?: Record<string, unknown>;
  seq?: number;
  seq_reply?: number;
}

/**
 * The bot's WebSocket (reference §1.14), written on `ws` so the upgrade carries `Authorization: Bearer`,
 * the only way Mattermost lets a connection resume.
 *
 * Contract:
 * - Reconnects after any drop with `?connection_id=&sequence_number=<next expected>`; Mattermost then replays
 *   what was missed and sends no hello. A `hello` means a fresh connection (first start, resume refused, server
 *   restart): every channel with a stored cursor is caught up with `GET /channels/{id}/posts?since=`.
 * - A sequence gap closes the socket (4001, as the official client) and resumes from the expected number.
 * - Events are converted (convert.ts) and delivered to subscribers one at a time in arrival order; each post
 *   seen moves its channel's cursor forward, so a catch-up after a restart starts where we stopped.
 * - stop() closes the socket and waits for delivery in progress.
 */
export class BotSocket {
  readonly #d: BotSocketDeps;
  readonly #handlers: MmEventHandler[] = [];
  #ws: WebSocket | undefined;
  #connectionId = '';
  #nextSeq = 0;
  #stopped = true;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #pinger: NodeJS.Timeout | undefined;
  #lastHeard = 0;
  #chain: Promise<void> = Promise.resolve();
  #hellos = 0;
  #firstHello: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(deps: BotSocketDeps) {
    this.#d = deps;
  }

  subscribe(handler: MmEventHandler): () => void {
    this.#handlers.push(handler);
    return () => {
      const i = this.#handlers.indexOf(handler);
      if (i >= 0) this.#handlers.splice(i, 1);
    };
  }

  /** The current connection id ('' before the first hello). */
  get connectionId(): string {
    return this.#connectionId;
  }

  /** Fresh connections (hellos) so far: 1 after start, +1 for each resume Mattermost refused. */
  get hellos(): number {
    return this.#hellos;
  }

  /** Connects and resolves after the first hello (and its catch-up); rejects if the first connect fails. */
  start(): Promise<void> {
    this.#stopped = false;
    // A (re)start is a fresh connection: what happened meanwhile comes from the stored cursors' catch-up.
    this.#connectionId = '';
    const first = new Promise<void>((resolve, reject) => {
      this.#firstHello = { resolve, reject };
    });
    this.#connect();
    const ping = this.#d.pingMs ?? 30_000;
    this.#pinger = setInterval(() => this.#ping(ping), ping);
    this.#pinger.unref();
    return first;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#pinger);
    this.#ws?.close(1000);
    this.#ws = undefined;
    await this.#chain;
  }

  /** Drops the socket as a network failure would (for tests and for a stuck socket): it reconnects. */
  drop(): void {
    this.#ws?.terminate();
  }

  #url(): string {
    const url = new URL(`${this.#d.baseUrl.replace(/^http/, 'ws')}/api/v4/websocket`);
    if (this.#connectionId) {
      url.searchParams.set('connection_id', this.#connectionId);
      url.searchParams.set('sequence_number', String(this.#nextSeq));
    }
    return url.toString();
  }

  #connect(): void {
    const ws = new WebSocket(this.#url(), { headers: { Authorization: `Bearer ${this.#d.token}` } });
    this.#ws = ws;
    ws.on('open', () => {
      this.#failures = 0;
      this.#lastHeard = Date.now();
    });
    ws.on('message', (raw) => {
      this.#lastHeard = Date.now();
      let frame: Frame;
      try {
        frame = JSON.parse(String(raw)) as Frame;
      } catch {
        return;
      }
      this.#onFrame(ws, frame);
    });
    ws.on('error', (err) => {
      this.#d.log.warn({ err: err.message }, 'Mattermost WebSocket error');
      if (this.#firstHello && this.#hellos === 0) {
        this.#firstHello.reject(err);
        this.#firstHello = undefined;
        this.#stopped = true;
      }
    });
    ws.on('close', () => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      if (this.#stopped) return;
      const min = this.#d.minReconnectMs ?? 1000;
      const delay = Math.min(this.#d.maxReconnectMs ?? 30_000, min * 2 ** this.#failures++);
      this.#timer = setTimeout(() => this.#connect(), delay);
    });
  }

  #onFrame(ws: WebSocket, frame: Frame): void {
    if (frame.seq_reply !== undefined || frame.event === undefined) return;
    if (frame.event === 'hello') {
      this.#connectionId = String(frame.data?.connection_id ?? '');
      this.#nextSeq = (frame.seq ?? 0) + 1;
      this.#hellos++;
      const first = this.#firstHello;
      this.#firstHello = undefined;
      this.#enqueue(async () => {
        await this.#catchUp();
        first?.resolve();
      });
      return;
    }
    if (frame.seq !== this.#nextSeq) {
      this.#d.log.warn({ expected: this.#nextSeq, got: frame.seq }, 'WebSocket sequence gap; resuming');
      ws.close(4001, 'sequence gap');
      return;
    }
    this.#nextSeq++;
    const event = frame.event;
    const data = frame.data ?? {};
    this.#enqueue(async () => {
      let converted: MmEvent | undefined;
      try {
        converted = fromSocketEvent(event, data, this.#d.botUserId());
      } catch (err) {
        this.#d.log.warn({ err, event }, 'ignoring a malformed WebSocket event');
        return;
      }
      if (converted) await this.#deliver(converted);
    });
  }

  #enqueue(task: () => Promise<void>): void {
    this.#chain = this.#chain.then(task).catch((err: unknown) => {
      this.#d.log.error({ err }, 'WebSocket event handling failed');
    });
  }

  async #deliver(event: MmEvent): Promise<void> {
    for (const handler of [...this.#handlers]) {
      try {
        await handler(event);
      } catch (err) {
        this.#d.log.error({ err, kind: event.kind }, 'a Mattermost event subscriber failed');
      }
    }
    if ('post' in event) await this.#d.cursors.advance(event.post.channelId, event.post.updateAt);
  }

  /** REST catch-up of every channel we hold a cursor for, oldest change first. */
  async #catchUp(): Promise<void> {
    for (const { channelId, since } of await this.#d.cursors.all()) {
      try {
        const list = await this.#d.rest.getPostsSince(channelId, since);
        const posts = Object.values(list.posts ?? {})
          .map((p) => fromMattermostPost(p))
          .sort((a, b) => a.updateAt - b.updateAt);
        for (const p of posts) await this.#deliver(fromCatchUp(p, since));
      } catch (err) {
        this.#d.log.error({ err, channelId }, 'catch-up of a channel failed');
      }
    }
  }

  #ping(periodMs: number): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.#lastHeard > 2 * periodMs) {
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify({ action: 'ping', seq: Date.now() % 1_000_000_000 }));
  }
}
