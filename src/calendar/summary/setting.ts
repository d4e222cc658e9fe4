import { AppError, isAppError } from '../../core/errors.ts';
import { calendarErrors } from '../errors.ts';
import type { CalendarSetting } from '../settings/setting.ts';
import type { DailySummary } from './daily-summary.ts';
import { describeDays } from './parse.ts';

/** Every half hour of the day, "00:00" … "23:30": the times the panel offers (any HH:MM still works by command). */
const halfHours = Array.from({ length: 48 }, (_, i) => {
  const h = String(Math.floor(i / 2)).padStart(2, '0');
  return `${h}:${i % 2 === 0 ? '00' : '30'}`;
});

/** Day sets the panel offers, as ISO weekdays joined by commas (the summary's own storage format). */
const daySets: readonly { days: number[]; label: string }[] = [
  { days: [1, 2, 3, 4, 5], label: 'Mon–Fri' },
  { days: [1, 2, 3, 4, 5, 6, 7], label: 'Every day' },
  { days: [1, 2, 3, 4, 5, 6], label: 'Mon–Sat' },
  { days: [1, 2, 3, 4, 7], label: 'Sun–Thu' },
];

/**
 * The daily summary's settings for the panel and the welcome flow: on/off (asked after connecting), the
 * time (a select of half hours, in the mailbox's zone) and the days. Each reads the stored setting the
 * summary schedules from and applies through DailySummary.update, which (re)schedules it; turning it on
 * before the calendar's first sync finished is refused with MM365_CALENDAR_NOT_SYNCED ("try again in a
 * minute"), because the schedule needs the mailbox zone. Changing the time or days keeps on/off as it is,
 * as in the plugin, where choosing a time only saves it.
 */
export function summarySettings(summary: Pick<DailySummary, 'setting' | 'update'>): CalendarSetting[] {
  return [
    {
      id: 'summary.enabled',
      title: 'Daily summary',
      description: "A direct message with the day's meetings, at the time and on the days below.",
      options: [
        { value: 'on', label: 'On' },
        { value: 'off', label: 'Off' },
      ],
      control: 'buttons',
      current: async (user) => ((await summary.setting(user)).enabled ? 'on' : 'off'),
      apply: async (user, value) => {
        await summary.update(user, { enabled: value === 'on' }).catch(notSyncedYet);
      },
      welcome: {
        question:
          "Would you like a summary of the day's meetings each weekday at 08:00, in your mailbox's time zone? (Time and days can be changed in `/mscalendar settings`.)",
      },
    },
    {
      id: 'summary.time',
      title: 'Daily summary time',
      description: "When the daily summary is sent, in your mailbox's time zone.",
      options: halfHours.map((t) => ({ value: t, label: t })),
      control: 'select',
      current: async (user) => (await summary.setting(user)).localTime,
      apply: async (user, value) => {
        await summary.update(user, { localTime: value });
      },
    },
    {
      id: 'summary.days',
      title: 'Daily summary days',
      description: 'On which days the daily summary is sent.',
      options: daySets.map((d) => ({ value: d.days.join(','), label: d.label })),
      control: 'buttons',
      current: async (user) => (await summary.setting(user)).weekdays.join(','),
      apply: async (user, value) => {
        await summary.update(user, { weekdays: value.split(',').map(Number) });
      },
      label: (value) => describeDays(value.split(',').map(Number)),
    },
  ];
}

/**
 * Turning the summary on needs the mailbox zone, known after the first sync round: right after connecting
 * (the welcome question) that can take a moment, so say so rather than "not synchronised".
 */
function notSyncedYet(err: unknown): never {
  if (isAppError(err) && err.code === calendarErrors.MM365_CALENDAR_NOT_SYNCED) {
    throw new AppError(
      calendarErrors.MM365_CALENDAR_NOT_SYNCED,
      'Your calendar is still being loaded, so the summary cannot be scheduled yet. Please try again in a minute (`/mscalendar status` shows how it is going).',
      { cause: err },
    );
  }
  throw err;
}
