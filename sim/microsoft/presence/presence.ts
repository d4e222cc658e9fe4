/**
 * Presence (graph-api.md §3): per-user sessions set by apps (`setPresence`), a user-preferred presence, and the
 * aggregation Teams applies: the preferred presence wins while at least one session exists; otherwise the
 * highest-priority live session (DoNotDisturb > Busy > Available > Away/BeRightBack); no session → Offline.
 * Sessions and preferences expire on the sim clock. Values are PascalCase, as Graph returns them.
 */
import type { Handler, SimContext } from '../context.ts';
import { denied, directoryUser, principalOf } from '../graph/auth.ts';
import { badRequest, GraphError } from '../graph-error.ts';
import type { PresenceRecord, UserRecord } from '../state.ts';

const SESSION_PAIRS = [
  'Available/Available',
  'Busy/InACall',
  'Busy/InAConferenceCall',
  'Away/Away',
  'DoNotDisturb/Presenting',
];
const PREFERRED_PAIRS = [
  'Available/Available',
  'Busy/Busy',
  'DoNotDisturb/DoNotDisturb',
  'BeRightBack/BeRightBack',
  'Away/Away',
  'Offline/OffWork',
];
const PRIORITY: Record<string, number> = {
  DoNotDisturb: 5,
  Busy: 4,
  Available: 3,
  BeRightBack: 2,
  Away: 2,
  Offline: 0,
};
/** A session that never expires: the user's own Teams client (seeded for signed-in demo users). */
export const CLIENT_SESSION = 'teams-client';

export function presenceOf(ctx: SimContext, userId: string): PresenceRecord {
  let p = ctx.state.presence.get(userId);
  if (!p) {
    p = { userId, sessions: new Map(), preferred: null, statusMessage: null, sequence: 1 };
    ctx.state.presence.set(userId, p);
  }
  return p;
}

export function aggregate(ctx: SimContext, p: PresenceRecord): { availability: string; activity: string } {
  const now = ctx.clock.now();
  for (const [id, s] of p.sessions) if (s.expiresAt <= now) p.sessions.delete(id);
  if (p.preferred && p.preferred.expiresAt <= now) p.preferred = null;
  if (p.sessions.size === 0) return { availability: 'Offline', activity: 'Offline' };
  if (p.preferred) return { availability: p.preferred.availability, activity: p.preferred.activity };
  let best = { availability: 'Offline', activity: 'Offline' };
  for (const s of p.sessions.values()) {
    if ((PRIORITY[s.availability] ?? 0) > (PRIORITY[best.availability] ?? 0)) best = s;
  }
  return { availability: best.availability, activity: best.activity };
}

export function presenceJson(ctx: SimContext, userId: string): Record<string, unknown> {
  const p = presenceOf(ctx, userId);
  const a = aggregate(ctx, p);
  const msg =
    p.statusMessage && (p.statusMessage.expiresAt === null || p.statusMessage.expiresAt > ctx.clock.now())
      ? p.statusMessage
      : null;
  return {
    id: userId,
    availability: a.availability,
    activity: a.activity,
    sequenceNumber: String(p.sequence).padStart(12, '0'),
    statusMessage: msg
      ? {
          message: { content: msg.content, contentType: msg.contentType },
          expiryDateTime: msg.expiresAt
            ? { dateTime: new Date(msg.expiresAt).toISOString().replace('Z', '0000'), timeZone: 'UTC' }
            : null,
          publishedDateTime: new Date(msg.publishedAt).toISOString(),
        }
      : null,
    outOfOfficeSettings: { message: null, isOutOfOffice: false },
  };
}

/** ISO 8601 duration (PTnHnM / PnD subset Graph documents) → ms. */
function durationMs(v: unknown, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(String(v));
  if (!m || String(v) === 'P' || String(v) === 'PT')
    throw badRequest(`Invalid expirationDuration '${String(v)}'.`);
  return (
    ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 +
    Number(m[4] ?? 0) * 1000
  );
}

function changed(ctx: SimContext, u: UserRecord): void {
  presenceOf(ctx, u.id).sequence++;
  ctx.notifier.emit({ kind: 'presence', changeType: 'updated', userId: u.id });
}

function presenceUser(req: Parameters<Handler>[0], ctx: SimContext): UserRecord {
  const u = directoryUser(req, ctx);
  return u;
}

export const getPresence: Handler = (req, ctx) => {
  const u = req.params.presenceId ? ctx.state.users.get(req.params.presenceId) : presenceUser(req, ctx);
  if (!u) throw new GraphError(404, 'NotFound', `User '${req.params.presenceId}' not found.`);
  const p = principalOf(req);
  // Presence.Read covers the signed-in user only; anyone else needs Presence.Read.All.
  if (p.kind === 'delegated' && p.userId !== u.id && !p.scopes.has('Presence.Read.All')) throw denied();
  return {
    status: 200,
    body: {
      '@odata.context': `${ctx.urls.graph}/$metadata#users('${u.id}')/presence/$entity`,
      ...presenceJson(ctx, u.id),
    },
  };
};

export const getPresencesByUserId: Handler = (req, ctx) => {
  const ids = (req.body as { ids?: unknown } | undefined)?.ids;
  if (!Array.isArray(ids) || ids.length === 0) throw badRequest("The 'ids' parameter is required.");
  if (ids.length > 650) throw badRequest('The number of ids must not exceed 650.');
  const value = ids
    .filter((id) => ctx.state.users.has(String(id)))
    .map((id) => presenceJson(ctx, String(id)));
  return {
    status: 200,
    body: { '@odata.context': `${ctx.urls.graph}/$metadata#Collection(microsoft.graph.presence)`, value },
  };
};

export const setPresence: Handler = (req, ctx) => {
  const u = presenceUser(req, ctx);
  const b = (req.body ?? {}) as Record<string, unknown>;
  const sessionId = String(b.sessionId ?? '');
  if (sessionId !== principalOf(req).appId) {
    throw badRequest('The sessionId must be the application (client) id of the caller.');
  }
  const pair = `${String(b.availability)}/${String(b.activity)}`;
  if (!SESSION_PAIRS.includes(pair))
    throw badRequest(`The availability/activity pair '${pair}' is not supported.`);
  const ms = durationMs(b.expirationDuration, 5 * 60_000);
  if (ms < 5 * 60_000 || ms > 4 * 3_600_000)
    throw badRequest('expirationDuration must be between PT5M and PT4H.');
  presenceOf(ctx, u.id).sessions.set(sessionId, {
    sessionId,
    availability: String(b.availability),
    activity: String(b.activity),
    expiresAt: ctx.clock.now() + ms,
  });
  changed(ctx, u);
  return { status: 200 };
};

export const clearPresence: Handler = (req, ctx) => {
  const u = presenceUser(req, ctx);
  const sessionId = String((req.body as { sessionId?: unknown } | undefined)?.sessionId ?? '');
  if (!presenceOf(ctx, u.id).sessions.delete(sessionId))
    throw new GraphError(404, 'NotFound', 'The presence session was not found.');
  changed(ctx, u);
  return { status: 200 };
};

export const setUserPreferredPresence: Handler = (req, ctx) => {
  const u = presenceUser(req, ctx);
  const b = (req.body ?? {}) as Record<string, unknown>;
  const pair = `${String(b.availability)}/${String(b.activity)}`;
  if (!PREFERRED_PAIRS.includes(pair))
    throw badRequest(`The availability/activity pair '${pair}' is not supported.`);
  const long = b.availability === 'Busy' || b.availability === 'DoNotDisturb' ? 86_400_000 : 7 * 86_400_000;
  const ms = durationMs(b.expirationDuration, long);
  presenceOf(ctx, u.id).preferred = {
    availability: String(b.availability),
    activity: String(b.activity),
    expiresAt: ctx.clock.now() + ms,
  };
  changed(ctx, u);
  return { status: 200 };
};

export const clearUserPreferredPresence: Handler = (req, ctx) => {
  const u = presenceUser(req, ctx);
  presenceOf(ctx, u.id).preferred = null;
  changed(ctx, u);
  return { status: 200 };
};

export const setStatusMessage: Handler = (req, ctx) => {
  const u = presenceUser(req, ctx);
  const sm = (req.body as { statusMessage?: Record<string, unknown> } | undefined)?.statusMessage;
  const message = sm?.message as { content?: unknown; contentType?: unknown } | undefined;
  if (!message || typeof message.content !== 'string')
    throw badRequest('statusMessage.message.content is required.');
  const exp = sm?.expiryDateTime as { dateTime?: string } | undefined;
  presenceOf(ctx, u.id).statusMessage = {
    content: message.content,
    contentType: String(message.contentType ?? 'text'),
    expiresAt: exp?.dateTime ? Date.parse(`${exp.dateTime.replace(/Z$/, '').slice(0, 23)}Z`) : null,
    publishedAt: ctx.clock.now(),
  };
  changed(ctx, u);
  return { status: 200 };
};
