import type { CalendarEvent } from '../ports.ts';
import type { CalendarChange, CalendarRound } from '../sync/calendar-sync.ts';

/** What happened to a meeting the user is invited to. */
export type NoticeKind = 'new' | 'updated' | 'cancelled' | 'removed';

/** The fields a person cares about; a change to anything else (their own response, body, categories) is silent. */
export type WatchedField = 'when' | 'subject' | 'where' | 'attendees' | 'join';

/** One DM to send, decided from a sync round's changes. */
export interface InvitationNotice {
  kind: NoticeKind;
  /** The meeting as it is now (as it was, for `removed`): for a series, its earliest instance this round touched. */
  event: CalendarEvent;
  /** The meeting before the change (`updated`, `cancelled`, `removed`). */
  before: CalendarEvent | null;
  /** For `updated`: what changed, in display order. */
  changed: WatchedField[];
  /**
   * A whole recurring series rather than one meeting: `instances` is how many of its instances this round
   * touched in this way, `masterId` the series to answer.
   */
  series: { masterId: string; instances: number } | null;
  /** What the notice is about (an event id, or `series:<master id>`): part of the DM's idempotency key. */
  about: string;
}

const watched: readonly WatchedField[] = ['when', 'subject', 'where', 'attendees', 'join'];

const emails = (e: CalendarEvent) =>
  e.attendees
    .map((a) => a.email || a.name.toLowerCase())
    .sort()
    .join('\n');

/** The watched fields that differ between two copies of one meeting. */
export function changedFields(before: CalendarEvent, after: CalendarEvent): WatchedField[] {
  const differs: Record<WatchedField, boolean> = {
    when:
      before.start.getTime() !== after.start.getTime() ||
      before.end.getTime() !== after.end.getTime() ||
      before.isAllDay !== after.isAllDay,
    subject: before.subject.trim() !== after.subject.trim(),
    where: before.location.trim() !== after.location.trim(),
    attendees: emails(before) !== emails(after),
    join: (before.joinUrl ?? '') !== (after.joinUrl ?? ''),
  };
  // A trimmed occurrence (delta sent only its timing and no master filled it) says nothing about the rest.
  if (before.partial || after.partial) return differs.when ? ['when'] : [];
  return watched.filter((f) => differs[f]);
}

const isOrganizers = (e: CalendarEvent) => e.isOrganizer || e.response === 'organizer';

/** The single-meeting decision for one change, or null when it is not news to the user. */
function classify(
  round: CalendarRound,
  c: CalendarChange,
): Omit<InvitationNotice, 'series' | 'about'> | null {
  const at = round.at.getTime();
  const { before, after } = c;
  if ((after && isOrganizers(after)) || (!after && before && isOrganizers(before))) return null;
  if (!before && after) {
    if (after.end.getTime() <= at || after.isCancelled) return null;
    // A full round slides the window forward: what starts beyond the old end only came into view.
    const prev = round.previousWindow;
    if (round.full && prev && after.start.getTime() >= prev.end.getTime()) return null;
    return { kind: 'new', event: after, before: null, changed: [] };
  }
  if (before && after) {
    if (after.end.getTime() <= at && before.end.getTime() <= at) return null;
    if (after.isCancelled) {
      return before.isCancelled ? null : { kind: 'cancelled', event: after, before, changed: [] };
    }
    // Reinstated after a cancellation (rare): it is back on, say so as an invitation.
    if (before.isCancelled) return { kind: 'new', event: after, before: null, changed: [] };
    const changed = changedFields(before, after);
    return changed.length === 0 ? null : { kind: 'updated', event: after, before, changed };
  }
  if (before && !after) {
    // Ended (or swept out of the window by its start moving on), cancelled already (told then) or declined
    // (Outlook moves a declined invitation to Deleted Items): not news.
    if (before.end.getTime() <= at || before.isCancelled || before.response === 'declined') return null;
    return { kind: 'removed', event: before, before, changed: [] };
  }
  return null;
}

/**
 * An event whose id changed (moved to another calendar folder) arrives as a removal plus a creation with
 * the same iCalUId: pair them into one update.
 */
function pairMoves(changes: readonly CalendarChange[]): CalendarChange[] {
  const createdByUid = new Map<string, number>();
  changes.forEach((c, i) => {
    if (!c.before && c.after?.iCalUId && c.after.type !== 'occurrence') createdByUid.set(c.after.iCalUId, i);
  });
  const used = new Set<number>();
  const out: CalendarChange[] = [];
  changes.forEach((c, i) => {
    if (c.after || !c.before?.iCalUId || c.before.type === 'occurrence') return;
    const j = createdByUid.get(c.before.iCalUId);
    const moved = j === undefined ? undefined : changes[j]?.after;
    if (j === undefined || !moved || used.has(j)) return;
    used.add(i).add(j);
    out.push({ before: c.before, after: moved });
  });
  changes.forEach((c, i) => {
    if (!used.has(i)) out.push(c);
  });
  return out;
}

const seriesOf = (e: CalendarEvent): string | null =>
  e.type === 'seriesMaster' ? e.id : e.type === 'occurrence' ? e.seriesMasterId : null;

const rank: Record<NoticeKind, number> = { cancelled: 0, updated: 1, new: 2, removed: 3 };

/**
 * Decides which DMs a sync round deserves (runs inside the round's transaction: pure, no I/O). Rules:
 * - the first round after connecting is the baseline: nothing;
 * - only meetings the user is invited to (never the organizer's own events);
 * - meetings that ended already are not news; an event entering the window on a full round is not new;
 * - `updated` only when a watched field changed (time, subject, location, attendees, join link) — the
 *   user's own response, free/busy or body changing is silent;
 * - `cancelled` when isCancelled turned true (no RSVP then); `removed` when a future, not cancelled and not
 *   declined meeting left the calendar;
 * - a recurring series is one DM (the master, else its earliest instance touched, with the count), not one
 *   per occurrence; an exception (one occurrence changed on its own) is a DM about that occurrence. When a
 *   series' instances were both removed and added (moved to other dates), that is one `updated`.
 */
export function decideNotices(round: CalendarRound, changes: readonly CalendarChange[]): InvitationNotice[] {
  if (round.first) return [];
  const singles: InvitationNotice[] = [];
  const series = new Map<string, { master: InvitationNotice | null; items: InvitationNotice[] }>();
  for (const c of pairMoves(changes)) {
    const decided = classify(round, c);
    if (!decided) continue;
    const masterId = seriesOf(c.after ?? decided.event);
    if (!masterId) {
      singles.push({ ...decided, series: null, about: decided.event.id });
      continue;
    }
    const group = series.get(masterId) ?? { master: null, items: [] };
    series.set(masterId, group);
    const notice = { ...decided, series: { masterId, instances: 1 }, about: `series:${masterId}` };
    if (decided.event.type === 'seriesMaster') group.master = notice;
    else group.items.push(notice);
  }
  const out = [...singles];
  for (const [masterId, { master, items }] of series) {
    if (master) {
      out.push({ ...master, series: { masterId, instances: Math.max(1, items.length) } });
      continue;
    }
    const byStart = [...items].sort((a, b) => a.event.start.getTime() - b.event.start.getTime());
    const added = byStart.filter((n) => n.kind === 'new');
    const gone = byStart.filter((n) => n.kind === 'removed');
    const first = (list: InvitationNotice[]) => list[0] as InvitationNotice;
    if (added.length > 0 && gone.length > 0) {
      // Instances moved to other dates (their ids name the date): one update from the earliest old to new.
      const before = first(gone).event;
      const after = first(added).event;
      const changed = changedFields(before, after);
      out.push({
        kind: 'updated',
        event: after,
        before,
        changed: changed.length > 0 ? changed : ['when'],
        series: { masterId, instances: added.length },
        about: `series:${masterId}`,
      });
      continue;
    }
    const kind = byStart.map((n) => n.kind).sort((a, b) => rank[a] - rank[b])[0];
    const same = byStart.filter((n) => n.kind === kind);
    if (same.length === 0) continue;
    out.push({ ...first(same), series: { masterId, instances: same.length } });
  }
  return out;
}
