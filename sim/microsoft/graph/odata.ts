/**
 * OData conventions shared by every collection: allowed system query options, server-driven paging with an
 * absolute `@odata.nextLink` (`$skip`), `$top`, `Prefer: odata.maxpagesize`, and `$select`.
 */
import type { SimContext, SimRequest, SimResponse } from '../context.ts';
import { badRequest, queryOptionNotAllowed } from '../graph-error.ts';

/** Rejects any `$option` the resource does not support, as Graph does. */
export function checkQueryOptions(req: SimRequest, allowed: readonly string[]): void {
  for (const key of Object.keys(req.query)) {
    if (!key.startsWith('$')) continue;
    if (!allowed.includes(key)) throw queryOptionNotAllowed(key);
  }
}

export function parsePrefer(req: SimRequest): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.prefer ?? '').split(',')) {
    const m = /^\s*([\w.-]+)\s*(?:=\s*"?([^"]*)"?)?\s*$/.exec(part);
    if (m?.[1]) out.set(m[1].toLowerCase(), m[2] ?? '');
  }
  return out;
}

export interface PageOptions {
  /** Page size when the client asks for none. */
  defaultSize: number;
  /** Largest `$top` the resource accepts; beyond it Graph answers 400 (Teams) or caps (Outlook). */
  maxTop: number;
  rejectOverMax?: boolean;
}

export interface Page<T> {
  items: T[];
  nextLink: string | null;
  preferenceApplied: string | null;
}

export function paginate<T>(all: readonly T[], req: SimRequest, ctx: SimContext, opts: PageOptions): Page<T> {
  const prefer = parsePrefer(req);
  let size = opts.defaultSize;
  let preferenceApplied: string | null = null;
  const maxPage = prefer.get('odata.maxpagesize');
  if (maxPage !== undefined && /^\d+$/.test(maxPage)) {
    size = Math.max(1, Math.min(Number(maxPage), opts.maxTop));
    preferenceApplied = `odata.maxpagesize=${size}`;
  }
  const top = req.query.$top;
  if (top !== undefined) {
    if (!/^\d+$/.test(top) || Number(top) < 1) badRequestTop(top);
    const n = Number(top);
    if (n > opts.maxTop && opts.rejectOverMax) {
      throw badRequest(`Invalid page size requested. The page size must be between 1 and ${opts.maxTop}.`);
    }
    size = Math.min(n, opts.maxTop);
  }
  const skipRaw = req.query.$skip ?? '0';
  if (!/^\d+$/.test(skipRaw)) throw badRequest(`Invalid value '${skipRaw}' for $skip.`);
  const skip = Number(skipRaw);
  const items = all.slice(skip, skip + size);
  let nextLink: string | null = null;
  if (skip + size < all.length) {
    nextLink = linkWith(ctx, req, { $skip: String(skip + size) });
  }
  return { items, nextLink, preferenceApplied };
}

/**
 * An absolute link to the same resource with some query parameters replaced. `$` stays literal in keys, as in
 * Graph's own links (`?$skip=2`), because some clients match on it.
 */
export function linkWith(ctx: SimContext, req: SimRequest, replace: Record<string, string | null>): string {
  const merged: Record<string, string> = { ...req.query };
  for (const [k, v] of Object.entries(replace)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  const qs = Object.entries(merged)
    .map(([k, v]) => `${encodeURIComponent(k).replace(/%24/g, '$')}=${encodeURIComponent(v)}`)
    .join('&');
  return `${ctx.urls.base}${req.path}${qs ? `?${qs}` : ''}`;
}

function badRequestTop(top: string): never {
  throw badRequest(`Invalid value '${top}' for $top. Expected a positive integer.`);
}

/** Applies `$select` (comma list); `id` and `@odata.*` annotations are always kept, as Graph does. */
export function applySelect<T extends object>(item: T, req: SimRequest): Partial<T> {
  const sel = req.query.$select;
  if (!sel) return item;
  const wanted = new Set(sel.split(',').map((s) => s.trim()));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'id' || k.startsWith('@odata') || wanted.has(k)) out[k] = v;
  }
  return out as Partial<T>;
}

/** Builds a collection response: `@odata.context`, `value`, and `@odata.nextLink` when more pages exist. */
export function collection<T extends object>(
  ctx: SimContext,
  req: SimRequest,
  contextFragment: string,
  all: readonly T[],
  opts: PageOptions,
): SimResponse {
  const page = paginate(all, req, ctx, opts);
  const body: Record<string, unknown> = {
    '@odata.context': `${ctx.urls.graph}/$metadata#${contextFragment}`,
    value: page.items.map((i) => applySelect(i, req)),
  };
  if (page.nextLink) body['@odata.nextLink'] = page.nextLink;
  const headers: Record<string, string> = {};
  if (page.preferenceApplied) headers['Preference-Applied'] = page.preferenceApplied;
  return { status: 200, body, headers };
}

export function entity<T extends object>(ctx: SimContext, req: SimRequest, contextFragment: string, item: T) {
  return {
    status: 200,
    body: { '@odata.context': `${ctx.urls.graph}/$metadata#${contextFragment}`, ...applySelect(item, req) },
  };
}
