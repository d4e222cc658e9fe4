/**
 * `GET /{user}/calendarView/delta` (graph-api.md §2.8). The first round pages through every instance in the
 * window (`$skiptoken`), the last page carries `@odata.deltaLink` (`$deltatoken`); later rounds return the
 * instances of items changed since, and `{id, "@removed": {reason: "deleted"}}` tombstones for items deleted or
 * moved out of the window. Tokens are opaque to clients (base64url JSON of window, log position, offset).
 *
 * Deleting a whole series tombstones the master id and every occurrence id from a year back to two years ahead.
 */
import type { Handler, SimContext, SimRequest } from '../context.ts';
import { mailboxUser } from '../graph/auth.ts';
import { linkWith, parsePrefer } from '../graph/odata.ts';
import { badRequest } from '../graph-error.ts';
import { viewInstances, viewWindow } from './event-routes.ts';
import { parseOccurrenceId, preferredZone, renderInstance } from './instances.ts';

interface DeltaToken {
  f: number;
  t: number;
  q: number;
  k?: number;
}

function encode(t: DeltaToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decode(raw: string): DeltaToken {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as DeltaToken;
    if (typeof t.f === 'number' && typeof t.t === 'number' && typeof t.q === 'number') return t;
  } catch {
    // fall through
  }
  throw badRequest('The provided sync state is invalid.', 'SyncStateInvalid');
}

const tombstone = (id: string) => ({
  '@odata.type': '#microsoft.graph.event',
  id,
  '@removed': { reason: 'deleted' },
});

export const calendarViewDelta: Handler = (req, ctx) => {
  const owner = mailboxUser(req, ctx);
  const zone = preferredZone(req);
  const prefer = parsePrefer(req);
  const pageSize = Math.max(1, Math.min(Number(prefer.get('odata.maxpagesize') ?? 10) || 10, 1000));
  const skipToken = req.query.$skiptoken;
  const deltaToken = req.query.$deltatoken;
  const base = (replace: Record<string, string>) =>
    linkWith(ctx, { ...req, query: {} } as SimRequest, replace);

  if (deltaToken) {
    const t = decode(deltaToken);
    const log = (ctx.state.mailboxChanges.get(owner.id) ?? []).filter((c) => c.seq > t.q);
    const ids = [...new Set(log.map((c) => c.eventId))];
    const value: unknown[] = [];
    for (const id of ids) {
      const occ = parseOccurrenceId(id);
      const stored = ctx.state.events.get(occ ? occ.masterId : id);
      if (occ || !stored || stored.mailboxId !== owner.id) {
        value.push(tombstone(id));
        continue;
      }
      const inst = viewInstances(ctx, owner, null, t.f, t.t).filter((i) => i.stored.id === id);
      if (inst.length === 0) value.push(tombstone(id));
      else value.push(...inst.map((i) => renderInstance(i, zone)));
    }
    return page(
      ctx,
      owner.id,
      value,
      base({ $deltatoken: encode({ f: t.f, t: t.t, q: ctx.state.mailboxSeq }) }),
    );
  }

  let t: DeltaToken;
  if (skipToken) t = decode(skipToken);
  else {
    const w = viewWindow(req);
    t = { f: w.from, t: w.to, q: ctx.state.mailboxSeq, k: 0 };
  }
  // The first round is a snapshot as of its start: items written meanwhile come in the next delta round.
  const all = viewInstances(ctx, owner, null, t.f, t.t).filter((i) => i.stored.seq <= t.q);
  const offset = t.k ?? 0;
  const slice = all.slice(offset, offset + pageSize).map((i) => renderInstance(i, zone));
  if (offset + pageSize < all.length) {
    const next = base({ $skiptoken: encode({ ...t, k: offset + pageSize }) });
    return {
      status: 200,
      body: { '@odata.context': ctxUrl(ctx, owner.id), '@odata.nextLink': next, value: slice },
    };
  }
  return page(ctx, owner.id, slice, base({ $deltatoken: encode({ f: t.f, t: t.t, q: t.q }) }));
};

function ctxUrl(ctx: SimContext, userId: string): string {
  return `${ctx.urls.graph}/$metadata#Collection(event)`.replace(
    'Collection',
    `users('${userId}')/calendarView/delta/Collection`,
  );
}

function page(ctx: SimContext, userId: string, value: unknown[], deltaLink: string) {
  return {
    status: 200,
    body: { '@odata.context': ctxUrl(ctx, userId), '@odata.deltaLink': deltaLink, value },
  };
}
