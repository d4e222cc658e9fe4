import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { graphError, parseGraphErrorBody } from './graph-error.ts';
import { createGraphMetrics, type GraphFeature, type GraphMetrics } from './graph-metrics.ts';
import { MailboxLimiter } from './mailbox-limiter.ts';
import { backoffMs, retryAfterMs } from './retry-after.ts';
import { routeTemplate } from './route-template.ts';
import '../errors.ts'; // registers this folder's MM365_* codes, so AppError knows their HTTP status

export type GraphMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Where a call's bearer token comes from; `forceRefresh` after Graph refused one with 401. */
export type TokenSource = (options: { forceRefresh: boolean }) => Promise<string>;

export interface GraphCall {
  method: GraphMethod;
  /** Relative to the Graph base (`/me/events`), or an absolute link Graph gave us (nextLink, deltaLink). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Metric label; default: the path with ids masked. */
  route?: string;
  /** Concurrency key (at most 4 in flight per key); default: the `/users/{id}` of the path, or the session's for `/me`. */
  mailbox?: string;
  /**
   * Safe to send twice: GET/PUT/DELETE are; PATCH and POST only when the caller says so (a transactionId on an
   * event create). Decides whether a timeout, a network error or a 504 is retried; 429 and 503 (the request was
   * refused, not run) are always retried.
   */
  idempotent?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** `bytes`: the body is returned as a Buffer (hostedContents/$value, file content); default parses JSON. */
  responseType?: 'json' | 'bytes';
}

export interface GraphResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface GraphClientOptions {
  /** Graph base with version, no trailing slash: `https://graph.microsoft.com/v1.0`. */
  baseUrl: string;
  registry: Registry;
  log: Logger;
  /** Per mailbox; Outlook's documented limit is 4. */
  maxConcurrentPerMailbox?: number;
  /** Attempts per call, the first included. */
  maxAttempts?: number;
  /** A Retry-After longer than this fails the call with MM365_GRAPH_THROTTLED (details.retryAfterMs) for the job to reschedule. */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  /** Waits `ms` at least (tests may observe it); default setTimeout. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface SessionOptions {
  token: TokenSource;
  feature: GraphFeature;
  /** What `/me` means for the concurrency limit (the user's partition or id). */
  mailbox?: string;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Retry-After is a floor: we add this much so a timer firing a hair early still never comes early. */
const retryMarginMs = 50;

/**
 * A thin typed fetch client for Microsoft Graph (decision in docs/architecture.md): retries 429/503 (and
 * 504, timeouts and network errors for idempotent calls) honouring Retry-After, never earlier; at most 4
 * calls in flight per mailbox; a per-attempt timeout; one 401 retry with a refreshed token; errors as coded
 * AppErrors with Graph's code; a metric per attempt and a counter per feature.
 */
export class GraphClient {
  readonly baseUrl: string;
  readonly origin: string;
  readonly metrics: GraphMetrics;
  readonly limiter: MailboxLimiter;
  readonly #log: Logger;
  readonly #maxAttempts: number;
  readonly #maxRetryAfterMs: number;
  readonly #timeoutMs: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: GraphClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.baseUrl).origin;
    this.metrics = createGraphMetrics(options.registry);
    this.limiter = new MailboxLimiter(options.maxConcurrentPerMailbox ?? 4);
    this.#log = options.log;
    this.#maxAttempts = options.maxAttempts ?? 6;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** The absolute URL of a call; refuses a link to another host (it would receive our token). */
  url(call: Pick<GraphCall, 'path' | 'query'>): URL {
    const url = /^https?:\/\//.test(call.path) ? new URL(call.path) : new URL(`${this.baseUrl}${call.path}`);
    if (url.origin !== this.origin) {
      throw new AppError(
        'MM365_GRAPH_RESPONSE_INVALID',
        `Refusing to follow a Graph link to ${url.origin}: it is not ${this.origin}.`,
      );
    }
    for (const [k, v] of Object.entries(call.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  mailboxOf(path: string, session: SessionOptions): string | undefined {
    const bare = path
      .replace(/^https?:\/\/[^/]+/, '')
      .replace(this.baseUrl.replace(/^https?:\/\/[^/]+/, ''), '');
    const users = /^\/users\/([^/?]+)/i.exec(bare);
    if (users?.[1]) return decodeURIComponent(users[1]).toLowerCase();
    if (/^\/me(\/|\?|$)/i.test(bare)) return session.mailbox ? `me:${session.mailbox}` : undefined;
    return undefined;
  }

  /** Sends a call with the retry rules above. Throws a coded AppError for any non-2xx outcome. */
  async request<T = unknown>(session: SessionOptions, call: GraphCall): Promise<GraphResponse<T>> {
    const route = call.route ?? routeTemplate(call.path);
    const idempotent =
      call.idempotent ?? (call.method === 'GET' || call.method === 'PUT' || call.method === 'DELETE');
    const mailbox = call.mailbox ?? this.mailboxOf(call.path, session);
    const url = this.url(call);
    let forceRefresh = false;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= this.#maxAttempts;
      const outcome = await this.#attempt(session, call, url, route, mailbox, forceRefresh);
      if (outcome.kind === 'ok') return outcome.response as GraphResponse<T>;
      const { error } = outcome;
      const details = (error.details ?? {}) as { status?: number; retryAfterMs?: number };
      const status = details.status;
      let wait: number | undefined;
      let reason: string | undefined;
      if (status === 401 && !refreshed) {
        refreshed = true;
        forceRefresh = true;
        reason = '401';
        wait = 0;
      } else if (status === 429 || status === 503 || (status === 504 && idempotent)) {
        reason = String(status);
        wait = details.retryAfterMs ?? backoffMs(attempt);
      } else if (outcome.kind === 'transport' && idempotent) {
        reason = error.code === 'MM365_GRAPH_TIMEOUT' ? 'timeout' : 'network';
        wait = backoffMs(attempt);
      }
      if (wait === undefined || reason === undefined || last) throw error;
      if (wait > this.#maxRetryAfterMs) throw error;
      this.metrics.retries.inc({ reason });
      this.#log.debug({ route, status, waitMs: wait, attempt }, 'Graph call retried');
      if (wait > 0) await this.sleep(wait + retryMarginMs, call.signal);
    }
  }

  async #attempt(
    session: SessionOptions,
    call: GraphCall,
    url: URL,
    route: string,
    mailbox: string | undefined,
    forceRefresh: boolean,
  ): Promise<
    | { kind: 'ok'; response: GraphResponse }
    | { kind: 'http'; error: AppError }
    | { kind: 'transport'; error: AppError }
  > {
    const token = await session.token({ forceRefresh });
    const release = mailbox ? await this.limiter.acquire(mailbox) : () => {};
    const end = this.metrics.duration.startTimer({ route, method: call.method });
    this.metrics.featureCalls.inc({ feature: session.feature });
    const timeout = AbortSignal.timeout(call.timeoutMs ?? this.#timeoutMs);
    const signal = call.signal ? AbortSignal.any([timeout, call.signal]) : timeout;
    let status = 'network';
    try {
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        'client-request-id': randomUUID(),
        ...call.headers,
      };
      let body: string | undefined;
      if (call.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(call.body);
      }
      const res = await fetch(url, { method: call.method, headers, body, signal, redirect: 'manual' });
      if (res.ok && call.responseType === 'bytes') {
        const bytes = Buffer.from(await res.arrayBuffer());
        status = String(res.status);
        return { kind: 'ok', response: { status: res.status, headers: res.headers, body: bytes } };
      }
      const text = await res.text();
      status = String(res.status);
      if (res.ok || (res.status >= 300 && res.status < 400)) {
        let parsed: unknown = text;
        if (text && (res.headers.get('content-type') ?? '').includes('json')) {
          try {
            parsed = JSON.parse(text);
          } catch (cause) {
            throw new AppError('MM365_GRAPH_RESPONSE_INVALID', `Graph ${route} answered invalid JSON.`, {
              cause,
            });
          }
        } else if (!text) parsed = undefined;
        return { kind: 'ok', response: { status: res.status, headers: res.headers, body: parsed } };
      }
      const envelope = parseGraphErrorBody(text);
      const after = retryAfterMs(res.headers.get('retry-after'), Date.now());
      return {
        kind: 'http',
        error: graphError({
          status: res.status,
          graphCode: envelope.code,
          message: envelope.message ?? res.statusText,
          requestId: envelope.requestId ?? res.headers.get('request-id') ?? undefined,
          route,
          ...(after === undefined ? {} : { retryAfterMs: after }),
        }),
      };
    } catch (err) {
      if (isAppError(err)) throw err;
      if (call.signal?.aborted) throw err;
      const timedOut = timeout.aborted;
      status = timedOut ? 'timeout' : 'network';
      return {
        kind: 'transport',
        error: new AppError(
          timedOut ? 'MM365_GRAPH_TIMEOUT' : 'MM365_GRAPH_NETWORK',
          timedOut ? `Graph ${route} did not answer in time.` : `Graph ${route} could not be reached.`,
          { cause: err, details: { route } },
        ),
      };
    } finally {
      release();
      end({ status });
      this.metrics.requests.inc({ route, method: call.method, status });
    }
  }
}
