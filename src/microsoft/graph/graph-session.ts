import type { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { type BatchItem, type BatchResult, sendBatch } from './batch.ts';
import type { GraphCall, GraphClient, GraphResponse, SessionOptions } from './graph-client.ts';
import '../errors.ts'; // registers this folder's MM365_* codes, so AppError knows their HTTP status

interface Page<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** One round of a delta query: what changed since the cursor, and the cursor to keep for next time. */
export interface DeltaResult<T> {
  /** Items created or updated (tombstones excluded). */
  items: T[];
  /** Ids Graph reported as removed (`@removed`). */
  removed: string[];
  /** The link to resume from: the deltaLink when `hasMore` is false, else the nextLink to continue with. */
  cursor: string;
  /** True when the page budget ran out before Graph's last page; call again with `cursor`. */
  hasMore: boolean;
}

/**
 * Graph calls for one principal (a user's delegated token or the app's) and one feature. Created per use;
 * holds no state of its own.
 */
export class GraphSession {
  readonly #client: GraphClient;
  readonly #options: SessionOptions;

  constructor(client: GraphClient, options: SessionOptions) {
    this.#client = client;
    this.#options = options;
  }

  request<T = unknown>(call: GraphCall): Promise<GraphResponse<T>> {
    return this.#client.request<T>(this.#options, call);
  }

  /** GET (by default) and return the parsed body. */
  async json<T = unknown>(call: Omit<GraphCall, 'method'> & { method?: GraphCall['method'] }): Promise<T> {
    const res = await this.request<T>({ method: 'GET', ...call });
    return res.body;
  }

  /**
   * Like json(), validating the body with `schema` (house style rule 3: vendor payloads are checked at the
   * edge). A body that does not match fails with MM365_GRAPH_RESPONSE_INVALID naming the first issue.
   */
  async parse<S extends z.ZodType>(
    schema: S,
    call: Omit<GraphCall, 'method'> & { method?: GraphCall['method'] },
  ): Promise<z.output<S>> {
    const body = await this.json<unknown>(call);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError(
        'MM365_GRAPH_RESPONSE_INVALID',
        `Graph ${call.route ?? call.path.split('?')[0]} answered an unexpected shape: ${issue?.path.join('.') || '(body)'} ${issue?.message ?? ''}`,
      );
    }
    return parsed.data;
  }

  /** Follows `@odata.nextLink` verbatim (it must stay on the Graph host), one page at a time. */
  async *pages<T>(call: Omit<GraphCall, 'method'>): AsyncGenerator<T[]> {
    let next: GraphCall | undefined = { method: 'GET', ...call };
    const route = call.route;
    while (next) {
      const page: Page<T> = (await this.request<Page<T>>(next)).body ?? {};
      yield page.value ?? [];
      const link = page['@odata.nextLink'];
      next = link
        ? {
            method: 'GET',
            path: link,
            ...(route ? { route } : {}),
            ...(call.headers ? { headers: call.headers } : {}),
          }
        : undefined;
    }
  }

  /** Every item of a collection, stopping with MM365_GRAPH_RESPONSE_INVALID past `maxItems` (a runaway guard). */
  async all<T>(call: Omit<GraphCall, 'method'>, maxItems = 10_000): Promise<T[]> {
    const out: T[] = [];
    for await (const page of this.pages<T>(call)) {
      out.push(...page);
      if (out.length > maxItems) {
        throw new AppError('MM365_GRAPH_RESPONSE_INVALID', `More than ${maxItems} items at ${call.path}.`);
      }
    }
    return out;
  }

  batch(
    items: readonly BatchItem[],
    options: { maxRounds?: number; signal?: AbortSignal } = {},
  ): Promise<BatchResult[]> {
    return sendBatch(this.#client, this.#options, items, options);
  }

  /**
   * Items since a cursor (house style rule 9): `start` is the first delta call (`/me/calendarView/delta?…`) or
   * a cursor a previous round returned. Follows nextLinks up to `maxPages`. A cursor Graph no longer knows
   * fails with MM365_GRAPH_DELTA_EXPIRED: the caller starts over without a cursor.
   */
  async delta<T extends { id?: string }>(
    start: string,
    options: { maxPages?: number; headers?: Record<string, string>; route?: string } = {},
  ): Promise<DeltaResult<T>> {
    const maxPages = options.maxPages ?? 50;
    const items: T[] = [];
    const removed: string[] = [];
    let link = start;
    for (let page = 0; page < maxPages; page++) {
      const body: Page<T & { '@removed'?: unknown }> =
        (
          await this.request<Page<T & { '@removed'?: unknown }>>({
            method: 'GET',
            path: link,
            ...(options.route ? { route: options.route } : {}),
            ...(options.headers ? { headers: options.headers } : {}),
          })
        ).body ?? {};
      for (const item of body.value ?? []) {
        if (item['@removed'] !== undefined && item.id) removed.push(item.id);
        else items.push(item);
      }
      const delta = body['@odata.deltaLink'];
      if (delta) return { items, removed, cursor: delta, hasMore: false };
      const next = body['@odata.nextLink'];
      if (!next) {
        throw new AppError(
          'MM365_GRAPH_RESPONSE_INVALID',
          'A delta page had neither a nextLink nor a deltaLink.',
        );
      }
      link = next;
    }
    return { items, removed, cursor: link, hasMore: true };
  }
}
