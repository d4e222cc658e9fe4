/**
 * `POST /v1.0/$batch` (graph-api.md §6.3): up to 20 requests with relative URLs, unique ids and `dependsOn`.
 * Each item runs through the full pipeline (token, permissions, throttling, faults) with the outer request's
 * Authorization; items whose prerequisite failed get 424. Responses come back in shuffled order, as Graph
 * promises no order. Items run sequentially in dependency order: the sim answers in microseconds, so Outlook's
 * "4 in parallel" rule has nothing to limit.
 */
import type { Handler } from '../context.ts';
import { badRequest, graphErrorBody } from '../graph-error.ts';

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

function validate(body: unknown): BatchItem[] {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests)) throw badRequest('Invalid batch payload format.');
  if (requests.length === 0) throw badRequest('Invalid batch payload format.');
  if (requests.length > 20) throw badRequest('The number of requests in a batch exceeds the limit of 20.');
  const ids = new Set<string>();
  const items: BatchItem[] = [];
  for (const r of requests as Record<string, unknown>[]) {
    const id = r?.id;
    if (typeof id !== 'string' || id === '') throw badRequest('Every batch request must have a string id.');
    if (ids.has(id)) throw badRequest(`Batch request ids must be unique. Duplicate id '${id}'.`);
    ids.add(id);
    const method = typeof r.method === 'string' ? r.method.toUpperCase() : '';
    if (!METHODS.has(method))
      throw badRequest(`Invalid method '${String(r.method)}' in batch request '${id}'.`);
    if (typeof r.url !== 'string' || r.url === '') throw badRequest(`Missing url in batch request '${id}'.`);
    if (/^[a-z]+:\/\//i.test(r.url))
      throw badRequest(`Invalid request URI '${r.url}'. Batch URLs must be relative.`);
    if (r.body !== undefined) {
      const ct = Object.entries((r.headers as Record<string, string>) ?? {}).find(
        ([k]) => k.toLowerCase() === 'content-type',
      );
      if (!ct) throw badRequest(`Content-Type header is required for batch request '${id}' with a body.`);
    }
    if (
      r.dependsOn !== undefined &&
      (!Array.isArray(r.dependsOn) || r.dependsOn.some((d) => typeof d !== 'string'))
    ) {
      throw badRequest(`dependsOn of batch request '${id}' must be an array of ids.`);
    }
    items.push({
      id,
      method,
      url: r.url,
      headers: (r.headers as Record<string, string>) ?? {},
      body: r.body,
      dependsOn: (r.dependsOn as string[]) ?? [],
    });
  }
  for (const it of items) {
    for (const d of it.dependsOn ?? []) {
      if (!ids.has(d) || d === it.id)
        throw badRequest(`Batch request '${it.id}' depends on unknown request '${d}'.`);
    }
  }
  // Reject cycles up front: Graph refuses them as malformed.
  const state = new Map<string, number>();
  const visit = (id: string) => {
    if (state.get(id) === 2) return;
    if (state.get(id) === 1) throw badRequest('Batch request dependencies contain a cycle.');
    state.set(id, 1);
    for (const d of items.find((i) => i.id === id)?.dependsOn ?? []) visit(d);
    state.set(id, 2);
  };
  for (const it of items) visit(it.id);
  return items;
}

export const batch: Handler = async (req, ctx) => {
  const items = validate(req.body);
  const results = new Map<
    string,
    { id: string; status: number; headers: Record<string, string>; body?: unknown }
  >();
  const run = async (it: BatchItem): Promise<void> => {
    if (results.has(it.id)) return;
    for (const d of it.dependsOn ?? []) {
      const dep = items.find((i) => i.id === d);
      if (dep) await run(dep);
    }
    const failed = (it.dependsOn ?? []).some((d) => (results.get(d)?.status ?? 500) >= 400);
    if (failed) {
      results.set(it.id, {
        id: it.id,
        status: 424,
        headers: { 'Content-Type': 'application/json' },
        body: graphErrorBody(
          'FailedDependency',
          'Failed dependency.',
          req.requestId,
          req.clientRequestId,
          ctx.clock.now(),
        ),
      });
      return;
    }
    // The Graph JS SDK's BatchRequestContent keeps the version segment ("/v1.0/me") when given absolute
    // URLs; Graph evidently accepts that, so a leading "/v1.0" is tolerated [inf].
    const relative = it.url.replace(/^\/?v1\.0(?=\/)/, '');
    const url = `/v1.0${relative.startsWith('/') ? '' : '/'}${relative}`;
    const headers: Record<string, string> = { ...(it.headers ?? {}) };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const isJson = Object.entries(headers).some(
      ([k, v]) => k.toLowerCase() === 'content-type' && /json/i.test(v),
    );
    const payload = it.body === undefined ? undefined : isJson ? JSON.stringify(it.body) : String(it.body);
    const res = await ctx.dispatch({ method: it.method, url, headers, body: payload });
    const outHeaders: Record<string, string> = {};
    for (const k of [
      'content-type',
      'retry-after',
      'location',
      'cache-control',
      'odata-version',
      'preference-applied',
    ]) {
      const v = res.headers[k];
      if (v) outHeaders[k.replace(/(^|-)\w/g, (c) => c.toUpperCase())] = v;
    }
    let body: unknown;
    if (res.body.length > 0) {
      const ct = res.headers['content-type'] ?? '';
      body = /json/i.test(ct) ? JSON.parse(res.body.toString('utf8')) : res.body.toString('base64');
    }
    results.set(it.id, {
      id: it.id,
      status: res.status,
      headers: outHeaders,
      ...(body === undefined ? {} : { body }),
    });
  };
  for (const it of items) await run(it);
  const responses = [...results.values()];
  for (let i = responses.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [responses[i], responses[j]] = [
      responses[j] as (typeof responses)[number],
      responses[i] as (typeof responses)[number],
    ];
  }
  return { status: 200, body: { responses } };
};
