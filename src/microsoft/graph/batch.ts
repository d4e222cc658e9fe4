import { AppError } from '../../core/errors.ts';
import type { GraphClient, GraphMethod, SessionOptions } from './graph-client.ts';
import { graphError, parseGraphErrorBody } from './graph-error.ts';
import { backoffMs, retryAfterMs } from './retry-after.ts';
import { routeTemplate } from './route-template.ts';
import '../errors.ts'; // registers this folder's MM365_* codes, so AppError knows their HTTP status

export interface BatchItem {
  /** Unique within one batch() call. */
  id: string;
  method: GraphMethod;
  /** Relative to the version root, without `/v1.0`: `/users/{id}/calendarView?…`. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Ids of items in the same chunk of 20 this one waits for. */
  dependsOn?: string[];
}

export interface BatchResult {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Set when status is not 2xx: the coded error for that item. */
  error?: AppError;
}

export const batchLimit = 20;

interface RawResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * JSON batching: items go in chunks of 20 (Graph's limit), chunks one after another. Graph answers each item
 * on its own, so a throttled item (429 inside a 200 batch, its own Retry-After) is sent again in a later
 * batch after the longest Retry-After among them, never earlier; items depending on it (424) go with it.
 * 503 items are retried the same way. The outer call gets the client's usual retries. Results come back in
 * the order of `items`; an item that still fails carries `error`.
 */
export async function sendBatch(
  client: GraphClient,
  session: SessionOptions,
  items: readonly BatchItem[],
  options: { maxRounds?: number; signal?: AbortSignal } = {},
): Promise<BatchResult[]> {
  const ids = new Set<string>();
  for (const item of items) {
    if (ids.has(item.id))
      throw new AppError('MM365_GRAPH_BAD_REQUEST', `Batch item id ${item.id} is repeated.`);
    ids.add(item.id);
  }
  const results = new Map<string, BatchResult>();
  const maxRounds = options.maxRounds ?? 6;
  for (let start = 0; start < items.length; start += batchLimit) {
    let pending = items.slice(start, start + batchLimit);
    for (let round = 0; pending.length > 0; round++) {
      const answered = await postChunk(client, session, pending, options.signal);
      const retry: BatchItem[] = [];
      let waitMs = 0;
      for (const item of pending) {
        const r = answered.get(item.id);
        const status = r?.status ?? 500;
        const retriable = status === 429 || status === 503 || status === 424;
        if (retriable && round + 1 < maxRounds) {
          retry.push(item);
          if (status !== 424) {
            const after = retryAfterMs(
              r?.headers?.['retry-after'] ?? r?.headers?.['Retry-After'],
              Date.now(),
            );
            waitMs = Math.max(waitMs, after ?? backoffMs(round));
          }
          continue;
        }
        results.set(item.id, toResult(item, r));
      }
      // Only dependents of a retried item are worth resending; a 424 whose prerequisite succeeded is final.
      const retriedIds = new Set(retry.filter((i) => answered.get(i.id)?.status !== 424).map((i) => i.id));
      pending = retry.filter(
        (i) => answered.get(i.id)?.status !== 424 || (i.dependsOn ?? []).some((d) => retriedIds.has(d)),
      );
      for (const i of retry) if (!pending.includes(i)) results.set(i.id, toResult(i, answered.get(i.id)));
      if (pending.length > 0) {
        client.metrics.retries.inc({ reason: 'batch-item' }, pending.length);
        await client.sleep(waitMs + 50, options.signal);
      }
    }
  }
  return items.map((i) => results.get(i.id) as BatchResult);
}

async function postChunk(
  client: GraphClient,
  session: SessionOptions,
  chunk: readonly BatchItem[],
  signal?: AbortSignal,
): Promise<Map<string, RawResponse>> {
  const inChunk = new Set(chunk.map((i) => i.id));
  const requests = chunk.map((item) => {
    const headers = { ...item.headers };
    if (item.body !== undefined) headers['content-type'] ??= 'application/json';
    const dependsOn = (item.dependsOn ?? []).filter((d) => inChunk.has(d));
    return {
      id: item.id,
      method: item.method,
      url: item.url,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(item.body !== undefined ? { body: item.body } : {}),
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
    };
  });
  const mailboxes = chunk
    .map((i) => client.mailboxOf(i.url, session))
    .filter((m): m is string => m !== undefined);
  // Graph runs the items of one mailbox against its 4-concurrent limit: hold one slot per mailbox involved.
  const release = await client.limiter.acquireAll(mailboxes);
  try {
    const res = await client.request<{ responses?: RawResponse[] }>(session, {
      method: 'POST',
      path: '/$batch',
      route: '/$batch',
      body: { requests },
      // Nothing in a batch runs when Graph refuses the batch itself; items that ran are answered item by item.
      idempotent: false,
      ...(signal ? { signal } : {}),
    });
    const map = new Map<string, RawResponse>();
    for (const r of res.body?.responses ?? []) map.set(String(r.id), r);
    for (const item of chunk) {
      const r = map.get(item.id);
      client.metrics.batchItems.inc({
        route: routeTemplate(item.url),
        status: String(r?.status ?? 'missing'),
      });
    }
    return map;
  } finally {
    release();
  }
}

function toResult(item: BatchItem, r: RawResponse | undefined): BatchResult {
  if (!r) {
    return {
      id: item.id,
      status: 500,
      headers: {},
      body: undefined,
      error: new AppError(
        'MM365_GRAPH_RESPONSE_INVALID',
        `The batch response has no answer for item ${item.id}.`,
      ),
    };
  }
  const headers = Object.fromEntries(
    Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  const result: BatchResult = { id: item.id, status: r.status, headers, body: r.body };
  if (r.status >= 400) {
    const envelope = parseGraphErrorBody(JSON.stringify(r.body ?? {}));
    const after = retryAfterMs(headers['retry-after'], Date.now());
    result.error = graphError({
      status: r.status,
      graphCode: envelope.code,
      message: envelope.message ?? `status ${r.status}`,
      requestId: envelope.requestId,
      route: routeTemplate(item.url),
      ...(after === undefined ? {} : { retryAfterMs: after }),
    });
  }
  return result;
}
