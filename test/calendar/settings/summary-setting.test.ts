import { describe, expect, it } from 'vitest';
import { calendarErrors } from '../../../src/calendar/errors.ts';
import { labelOf } from '../../../src/calendar/settings/values.ts';
import { summarySettings } from '../../../src/calendar/summary/setting.ts';
import { AppError } from '../../../src/core/errors.ts';
import type { SummarySetting } from '../../../src/store/index.ts';

/** The summary's settings over a stand-in for DailySummary's setting()/update(). */
function fakeSummary() {
  const stored = new Map<string, SummarySetting>();
  const updates: Partial<SummarySetting>[] = [];
  return {
    stored,
    updates,
    notSynced: false,
    async setting(user: string): Promise<SummarySetting> {
      return stored.get(user) ?? { enabled: false, localTime: '08:00', weekdays: [1, 2, 3, 4, 5] };
    },
    async update(user: string, change: Partial<SummarySetting>): Promise<SummarySetting> {
      if (this.notSynced && change.enabled)
        throw new AppError(
          calendarErrors.MM365_CALENDAR_NOT_SYNCED,
          'Your calendar is not synchronised right now.',
        );
      updates.push(change);
      const next = { ...(await this.setting(user)), ...change };
      stored.set(user, next);
      return next;
    },
  };
}

describe('daily summary settings', () => {
  it('on/off (asked at welcome), a half-hour select and day sets, read from and applied to the summary', async () => {
    const summary = fakeSummary();
    const [enabled, time, days] = summarySettings(summary);
    expect([enabled?.id, time?.id, days?.id]).toEqual(['summary.enabled', 'summary.time', 'summary.days']);
    expect(enabled?.welcome?.question).toContain('08:00');
    expect(time?.welcome).toBeUndefined();
    expect(time?.control).toBe('select');
    expect(time?.options).toHaveLength(48);
    expect(time?.options.slice(0, 3).map((o) => o.value)).toEqual(['00:00', '00:30', '01:00']);
    expect(days?.options.map((o) => o.label)).toEqual(['Mon–Fri', 'Every day', 'Mon–Sat', 'Sun–Thu']);

    expect(await enabled?.current('u')).toBe('off');
    expect(await time?.current('u')).toBe('08:00');
    expect(await days?.current('u')).toBe('1,2,3,4,5');

    await enabled?.apply('u', 'on');
    await time?.apply('u', '09:30');
    await days?.apply('u', '1,2,3,4,7');
    expect(summary.updates).toEqual([
      { enabled: true },
      { localTime: '09:30' },
      { weekdays: [1, 2, 3, 4, 7] },
    ]);
    expect(await enabled?.current('u')).toBe('on');
    expect(await time?.current('u')).toBe('09:30');
    await enabled?.apply('u', 'off');
    expect(await enabled?.current('u')).toBe('off');

    // Before the first sync the zone is unknown: the refusal says to wait, with the same code.
    summary.notSynced = true;
    await expect(enabled?.apply('u', 'on')).rejects.toMatchObject({
      code: 'MM365_CALENDAR_NOT_SYNCED',
      message: expect.stringContaining('still being loaded'),
    });
    summary.notSynced = false;

    // Set by command to values the panel does not offer: still shown truthfully.
    summary.stored.set('u', { enabled: true, localTime: '08:15', weekdays: [1, 3] });
    expect(labelOf(time as NonNullable<typeof time>, await (time?.current('u') ?? ''))).toBe('08:15');
    expect(labelOf(days as NonNullable<typeof days>, await (days?.current('u') ?? ''))).toBe('Mon, Wed');
  });
});
