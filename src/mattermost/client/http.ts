import { AppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { retryDelayMs } from './retry-delay.ts';

/** Mattermost's error envelope `{id, message, status_code, …}` (reference §1.1). */
export interface MattermostErrorBody {
  id?: string;
  message?: string;
  detailed_error?: string;
  request_id?: string;
  status_code?: number;
}

/**
 * A REST call Mattermost refused or could not be reached for. `httpStatus` is Mattermost's status (0 for a
 * network error or timeout) and `serverErrorId` its error id, to branch on (e.g. `api.bot.create_disabled`).
 */
export class MattermostError extends AppError {
  readonly httpStatus: number;
  readonly serverErrorId: string;

  constructor(
    code: 'MM365_MM_API_ERROR' | 'MM365_MM_UNREACHABLE' | 'MM365_MM_RATE_LIMITED',
    message: string,
    httpStatus: number,
    serverErrorId: string,
    cause?: unknown,
  ) {
    super(code, message, { cause, details: { httpStatus, serverErrorId } });
    this.httpStatus = httpStatus;
    this.serverErrorId = serverErrorId;
  }
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** From the server root, e.g. `/api/v4/users/me` or `/oauth/access_token`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  form?: Record<string, string>;
  /** Another bearer token than the client's (a user's OAuth token); null sends none. */
  token?: string | null;
  /**
   * May the call be repeated after a 5xx or a network error? Defaults to true for GET/PUT/DELETE and false
   * for POST. A 429 is always retried: Mattermost's limiter refuses before the handler runs, so nothing was
   * done. A create must stay false unless the caller has an idempotency record (see messages/).
   */
  idempotent?: boolean;
  timeoutMs?: number;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
}

export interface MattermostHttpOptions {
  /** Mattermost's site URL, without a trailing slash. */
  baseUrl: string;
  token: string;
  log: Logger;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** Attempts in all, the first included. Default 4. */
  maxAttempts?: number;
  /** Backoff base for 5xx/network errors. Default 250 ms. */
  backoffBaseMs?: number;
  /** No single wait is longer than this. Default 30 s. */
  maxDelayMs?: number;
  /** Called before each wait: for metrics and for tests that prove no retry came early. */
  onRetry?: (info: {
    method: string;
    path: string;
    status: number;
    delayMs: number;
    attempt: number;
  }) => void;
}

/**
 * A thin fetch client for Mattermost's REST API with the retry rules of reference §7.1 point 5: timeouts on
 * every attempt; 429 retried after Retry-After / X-RateLimit-Reset (seconds); 5xx and network errors retried
 * with jittered backoff only when the call is idempotent. Never throws anything but MattermostError.
 */
export class MattermostHttp {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffBaseMs: number;
  readonly #maxDelayMs: number;
  readonly #onRetry: MattermostHttpOptions['onRetry'];

  constructor(opts: MattermostHttpOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#token = opts.token;
    this.#log = opts.log;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#maxAttempts = opts.maxAttempts ?? 4;
    this.#backoffBaseMs = opts.backoffBaseMs ?? 250;
    this.#maxDelayMs = opts.maxDelayMs ?? 30_000;
    this.#onRetry = opts.onRetry;
  }

  /** The parsed JSON body of a 2xx answer (undefined for an empty one). */
  async json<T>(spec: RequestSpec): Promise<T> {
    const res = await this.send(spec);
    if (res.text === '') return undefined as T;
    try {
      return JSON.parse(res.text) as T;
    } catch (cause) {
      throw new MattermostError(
        'MM365_MM_API_ERROR',
        `Mattermost answered ${spec.method} ${spec.path} with a body that is not JSON.`,
        res.status,
        '',
        cause,
      );
    }
  }

  /** A 2xx answer, after the retries the spec allows; MattermostError otherwise. */
  async send(spec: RequestSpec): Promise<HttpResult> {
    const idempotent = spec.idempotent ?? spec.method !== 'POST';
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= this.#maxAttempts;
      let res: HttpResult;
      try {
        res = await this.#once(spec);
      } catch (cause) {
        if (!idempotent || last) {
          throw new MattermostError(
            'MM365_MM_UNREACHABLE',
            `Mattermost did not answer ${spec.method} ${spec.path}: ${(cause as Error).message}`,
            0,
            '',
            cause,
          );
        }
        await this.#wait(spec, 0, undefined, attempt);
        continue;
      }
      if (res.status < 300) return res;
      const retryable = res.status === 429 || (res.status >= 500 && idempotent);
      if (!retryable || last) throw this.#refusal(spec, res);
      await this.#wait(spec, res.status, res.headers, attempt);
    }
  }

  async #once(spec: RequestSpec): Promise<HttpResult> {
    const url = new URL(this.baseUrl + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = spec.token === undefined ? this.#token : spec.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (spec.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(spec.json);
    } else if (spec.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(spec.form).toString();
    }
    const response = await fetch(url, {
      method: spec.method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(spec.timeoutMs ?? this.#timeoutMs),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  async #wait(
    spec: RequestSpec,
    status: number,
    headers: Headers | undefined,
    attempt: number,
  ): Promise<void> {
    const delayMs = retryDelayMs(headers, attempt, Date.now(), {
      baseMs: this.#backoffBaseMs,
      maxMs: this.#maxDelayMs,
    });
    this.#onRetry?.({ method: spec.method, path: spec.path, status, delayMs, attempt });
    this.#log.debug({ method: spec.method, path: spec.path, status, delayMs }, 'retrying Mattermost call');
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }

  #refusal(spec: RequestSpec, res: HttpResult): MattermostError {
    let body: MattermostErrorBody = {};
    try {
      body = JSON.parse(res.text) as MattermostErrorBody;
    } catch {
      // A 429 from the limiter (or a proxy's error page) is plain text: the status says it all.
    }
    const id = typeof body.id === 'string' ? body.id : '';
    const what = body.message || res.text.slice(0, 200) || `status ${res.status}`;
    return new MattermostError(
      res.status === 429 ? 'MM365_MM_RATE_LIMITED' : 'MM365_MM_API_ERROR',
      `Mattermost refused ${spec.method} ${spec.path} (${res.status}${id ? ` ${id}` : ''}): ${what}`,
      res.status,
      id,
    );
  }
}

export function isMattermostError(err: unknown, status?: number): err is MattermostError {
  return err instanceof MattermostError && (status === undefined || err.httpStatus === status);
}
