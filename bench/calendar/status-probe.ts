/**
 * Mattermost presence for the benchmark's status sync: the StatusPresence port (src/calendar/status/ports.ts)
 * over an in-memory presence per user, recording every change at the simulated time. The product satisfies the
 * same port with the bot's REST client (src/wiring/calendar/status.ts); the REST hop is not in the lag.
 *
 * Lag, per busy block of the final calendars (busyBlocks, the status sync's own rule for what is busy): the
 * first change to the busy presence at or after the block's start minus 2 s (the sync applies a block that
 * early) and before its end, minus the block's start. A block with no such change is missed.
 */

import type { CalendarEvent } from '../../src/calendar/ports.ts';
import { type BusyBlock, busyBlocks } from '../../src/calendar/status/busy-blocks.ts';
import type { CustomStatus, PresenceState, StatusPresence } from '../../src/calendar/status/ports.ts';
import type { Clock } from '../../src/core/clock.ts';

export interface PresenceChange {
  at: number;
  status: 'online' | 'away' | 'dnd';
}

export class RecordingPresence implements StatusPresence {
  readonly #clock: Clock;
  readonly #state = new Map<string, PresenceState>();
  readonly #custom = new Map<string, CustomStatus | null>();
  readonly changes = new Map<string, PresenceChange[]>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async get(user: string): Promise<PresenceState> {
    return this.#state.get(user) ?? { status: 'online', manual: false };
  }

  async set(user: string, status: 'online' | 'away' | 'dnd'): Promise<void> {
    // Mattermost marks a status set through the API as manual (online clears it).
    this.#state.set(user, { status, manual: status !== 'online' });
    const list = this.changes.get(user) ?? [];
    list.push({ at: this.#clock.now(), status });
    this.changes.set(user, list);
  }

  async getCustom(user: string): Promise<CustomStatus | null> {
    return this.#custom.get(user) ?? null;
  }

  async setCustom(user: string, c: { emoji: string; text: string; expiresAt: Date }): Promise<void> {
    this.#custom.set(user, c);
  }

  async clearCustom(user: string): Promise<void> {
    this.#custom.delete(user);
  }
}

export interface StatusLag {
  /** Milliseconds from block start to the status change, one per block that got one. */
  lagsMs: number[];
  blocks: number;
  missed: number;
}

/** Lags of `presence`'s changes against the busy blocks of `calendars` starting in [from, to). */
export function statusLags(
  calendars: Map<string, CalendarEvent[]>,
  presence: RecordingPresence,
  busy: 'dnd' | 'away',
  from: number,
  to: number,
): StatusLag {
  const out: StatusLag = { lagsMs: [], blocks: 0, missed: 0 };
  for (const [user, events] of calendars) {
    const changes = (presence.changes.get(user) ?? []).filter((c) => c.status === busy);
    for (const b of busyBlocks(events) as BusyBlock[]) {
      const start = b.start.getTime();
      if (start < from || start >= to) continue;
      out.blocks++;
      const hit = changes.find((c) => c.at >= start - 2_000 && c.at < b.end.getTime());
      if (hit) out.lagsMs.push(hit.at - start);
      else out.missed++;
    }
  }
  out.lagsMs.sort((a, b) => a - b);
  return out;
}
