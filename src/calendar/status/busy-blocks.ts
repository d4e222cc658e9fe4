import type { CalendarEvent } from '../ports.ts';

/** A stretch of time the user is in meetings: busy events merged when they overlap or nearly touch. */
export interface BusyBlock {
  start: Date;
  end: Date;
  /** The events in it, by start (the first one names the block in messages). */
  events: CalendarEvent[];
}

/** Meetings at most this far apart are one block: no flicker to online for a 5-minute break. */
export const mergeGapMs = 5 * 60_000;

/**
 * Whether an event makes the user busy (decisions in docs/calendar.md, "Status sync"):
 * - showAs `busy`, and `oof` too (out of office during the day is at least as unavailable); tentative,
 *   free and working-elsewhere are not;
 * - not cancelled, not declined, not a series master (its occurrences are what happens);
 * - not all-day: an all-day busy event (a conference day, a deadline marker) would hold DND for 24 h and
 *   hide every real meeting boundary;
 * - no attendee requirement (the plugin's quirk, §11): a focus block the user marked busy is meant to
 *   keep people away just like a meeting.
 */
export function isBusy(e: CalendarEvent): boolean {
  return (
    (e.showAs === 'busy' || e.showAs === 'oof') &&
    !e.isCancelled &&
    e.response !== 'declined' &&
    !e.isAllDay &&
    e.type !== 'seriesMaster' &&
    e.end.getTime() > e.start.getTime()
  );
}

/** Busy events merged into blocks (overlapping, or a gap of at most `gapMs`), by start. */
export function busyBlocks(events: readonly CalendarEvent[], gapMs = mergeGapMs): BusyBlock[] {
  const busy = events.filter(isBusy).sort((a, b) => a.start.getTime() - b.start.getTime());
  const blocks: BusyBlock[] = [];
  for (const e of busy) {
    const last = blocks[blocks.length - 1];
    if (last && e.start.getTime() - last.end.getTime() <= gapMs) {
      if (e.end.getTime() > last.end.getTime()) last.end = e.end;
      last.events.push(e);
    } else {
      blocks.push({ start: e.start, end: e.end, events: [e] });
    }
  }
  return blocks;
}

/**
 * The block the user is in at `now` (start ≤ now + earlyMs < end), if any. `earlyMs` absorbs a job that
 * runs a moment before its time (the job queue's clock is the database's).
 */
export function blockAt(blocks: readonly BusyBlock[], now: number, earlyMs = 2_000): BusyBlock | undefined {
  return blocks.find((b) => b.start.getTime() <= now + earlyMs && b.end.getTime() > now);
}

/**
 * The part of `block` still to come at `now`: its events that have not ended, from the first of them. A
 * block whose earlier meetings are over but whose next one has not begun yet (a gap, possibly bridged by
 * merging with a meeting added just now) starts at that next meeting, not in the past.
 */
export function remainingPart(block: BusyBlock, now: number): BusyBlock {
  const live = block.events.filter((e) => e.end.getTime() > now);
  const first = live[0];
  if (!first || live.length === block.events.length) return block;
  return { start: first.start, end: block.end, events: live };
}

/** The first block starting after `now` (+ earlyMs), if any. */
export function nextBlock(blocks: readonly BusyBlock[], now: number, earlyMs = 2_000): BusyBlock | undefined {
  return blocks.find((b) => b.start.getTime() > now + earlyMs);
}
