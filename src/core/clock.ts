/**
 * Time as a dependency. Domain code asks a Clock for "now" so tests can drive it; nothing in src/ calls
 * Date.now() for a decision (logging timestamps excepted).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for unit and domain tests. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number | Date = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    if (ms < 0) throw new RangeError('a ManualClock never goes back');
    this.#now += ms;
  }
}
