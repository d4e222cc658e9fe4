import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../../sim/shared/clock.ts';

describe('SimClock', () => {
  it('starts where asked and flows with real time', async () => {
    const start = Date.UTC(2026, 0, 5, 9);
    const clock = new SimClock(start);
    expect(clock.now() - start).toBeLessThan(50);
    await new Promise((r) => setTimeout(r, 30));
    expect(clock.now() - start).toBeGreaterThanOrEqual(25);
  });

  it('runs due timers in due order when advanced, and not before', async () => {
    const clock = new SimClock(0);
    const fired: string[] = [];
    clock.after(60_000, () => {
      fired.push('b');
    });
    clock.after(30_000, () => {
      fired.push('a');
    });
    clock.after(3_600_000, () => {
      fired.push('c');
    });
    await clock.advance(59_000);
    expect(fired).toEqual(['a']);
    await clock.advance(1_000);
    expect(fired).toEqual(['a', 'b']);
    clock.dispose();
  });

  it('runs timers that timers schedule, if they fall due within the same advance', async () => {
    const clock = new SimClock(0);
    const fired: number[] = [];
    clock.after(1000, () => {
      fired.push(clock.now());
      clock.after(1000, () => {
        fired.push(clock.now());
      });
    });
    await clock.advance(5000);
    // Each timer ran at its own due time, and the clock ends where the advance said.
    expect(fired).toEqual([1000, 2000].map((d) => expect.closeTo(d, -2)));
    expect(clock.now()).toBeGreaterThanOrEqual(5000);
    clock.dispose();
  });

  it('does not run cancelled timers', async () => {
    const clock = new SimClock(0);
    let ran = false;
    clock
      .after(10, () => {
        ran = true;
      })
      .cancel();
    await clock.advance(100);
    expect(ran).toBe(false);
  });

  it('never goes back', async () => {
    const clock = new SimClock(1_000_000);
    await expect(clock.set(0)).rejects.toThrow(/cannot go back/);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
    await clock.set(2_000_000);
    expect(clock.now()).toBeGreaterThanOrEqual(2_000_000);
  });

  it('fires timers with real time too', async () => {
    const clock = new SimClock();
    const fired = new Promise<boolean>((r) => clock.after(20, () => r(true)));
    expect(await fired).toBe(true);
  });
});
