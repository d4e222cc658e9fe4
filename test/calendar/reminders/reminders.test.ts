/**
 * Meeting reminders with buttons, on both drivers: the join link as a "Join meeting" button (its click
 * answers with the current link), the status question in the same message (gcal #54), plain DMs when
 * there is nothing to click, and the reminders.lead setting.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../../../src/calendar/ports.ts';
import { MeetingReminders } from '../../../src/calendar/reminders/reminders.ts';
import type { PromptButton } from '../../../src/calendar/status/ports.ts';
import { toRow } from '../../../src/calendar/sync/event-codec.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { isAppError } from '../../../src/core/errors.ts';
import { createLogger } from '../../../src/core/log.ts';
import { CalendarEvents } from '../../../src/store/calendar-event.ts';
import { CalendarSyncs } from '../../../src/store/calendar-sync.ts';
import { migrateToLatest } from '../../../src/store/index.ts';
import { eventDefaults } from '../../helpers/calendar-event.ts';
import { drivers, openTestStore, type TestStore } from '../../helpers/database.ts';

const silent = createLogger({ log: { level: 'silent', format: 'json' } });
const start = new Date(Date.UTC(2026, 0, 5, 10, 0));

function meeting(id: string, over: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    id,
    iCalUId: `uid-${id}`,
    type: 'singleInstance',
    seriesMasterId: null,
    subject: 'Design review',
    bodyPreview: '',
    start,
    end: new Date(start.getTime() + 30 * 60_000),
    ...eventDefaults(),
    location: 'Room 4',
    joinUrl: 'https://teams.microsoft.com/l/meetup-join/abc',
    ...over,
  };
}

describe.each(drivers)('meeting reminders with buttons on %s', (driver) => {
  let t: TestStore;
  let plain: { user: string; text: string; key: string }[];
  let prompts: { user: string; message: string; buttons: readonly PromptButton[]; key: string }[];
  let question: { line: string; buttons: PromptButton[] } | null;
  let reminders: MeetingReminders;
  const clock = new ManualClock(start.getTime() - 10 * 60_000);

  beforeAll(async () => {
    t = await openTestStore(driver);
    await migrateToLatest(t.store);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.store.db.deleteFrom('calendar_event').execute();
    await t.store.db.deleteFrom('calendar_sync').execute();
    await t.store.db.deleteFrom('calendar_reminder').execute();
    const syncs = new CalendarSyncs(t.store.db);
    await syncs.begin('u1', start);
    await syncs.update('u1', { status: 'active', timeZone: 'UTC' }, start);
    plain = [];
    prompts = [];
    question = null;
    reminders = new MeetingReminders({
      db: t.store.db,
      jobs: {} as never,
      messenger: { dm: async (user, text, key) => void plain.push({ user, text, key }) },
      prompts: {
        dm: async (user, message, buttons, key) => void prompts.push({ user, message, buttons, key }),
      },
      question: async () => question,
      clock,
      log: silent,
    });
  });
  const put = (...events: CalendarEvent[]) =>
    new CalendarEvents(t.store.db).upsert('u1', events.map(toRow), 1, start);

  it('gives the join link a "Join meeting" button whose click answers with the current link', async () => {
    await put(meeting('m1'));
    expect(await reminders.deliver({ user: 'u1', eventId: 'm1', start })).toBe('sent');
    expect(plain).toEqual([]);
    expect(prompts).toHaveLength(1);
    const dm = prompts[0];
    expect(dm?.key).toBe(`calendar-reminder:u1:m1:${start.toISOString()}`);
    expect(dm?.message).toMatch(/^⏰ \*\*Design review\*\* starts in 10 minutes \(10:00 AM\)\./);
    expect(dm?.buttons).toEqual([
      { actionId: 'calendar.reminder.join', name: 'Join meeting', style: 'primary', data: { eventId: 'm1' } },
    ]);
    expect(await reminders.joinLink('u1', 'm1')).toEqual({
      text: '🔗 [Join Design review](https://teams.microsoft.com/l/meetup-join/abc)',
      url: 'https://teams.microsoft.com/l/meetup-join/abc',
    });
    await put(meeting('m1', { joinUrl: 'https://teams.microsoft.com/l/meetup-join/new' }));
    expect((await reminders.joinLink('u1', 'm1')).url).toBe('https://teams.microsoft.com/l/meetup-join/new');
    await put(meeting('m1', { isCancelled: true }));
    expect(await reminders.joinLink('u1', 'm1')).toEqual({
      text: 'This meeting is no longer on your calendar.',
    });
    expect(await reminders.joinLink('u1', 'gone')).toEqual({
      text: 'This meeting is no longer on your calendar.',
    });
  });

  it('carries the status question in the same message (one DM, gcal #54)', async () => {
    await put(meeting('m1'));
    question = {
      line: 'When it starts, set your status to Do Not Disturb until 10:30 AM?',
      buttons: [{ actionId: 'calendar.status.confirm', name: 'Set Do Not Disturb', data: { answer: 'yes' } }],
    };
    await reminders.deliver({ user: 'u1', eventId: 'm1', start });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]?.message).toContain(
      'When it starts, set your status to Do Not Disturb until 10:30 AM?',
    );
    expect(prompts[0]?.buttons.map((b) => b.name)).toEqual(['Join meeting', 'Set Do Not Disturb']);
  });

  it('is a plain DM when there is nothing to click', async () => {
    await put(meeting('m1', { joinUrl: null }));
    await reminders.deliver({ user: 'u1', eventId: 'm1', start });
    expect(prompts).toEqual([]);
    expect(plain.map((p) => p.key)).toEqual([`calendar-reminder:u1:m1:${start.toISOString()}`]);
  });

  it('offers the lead time as a setting, refusing other values with a coded error', async () => {
    const setting = reminders.setting();
    expect(setting.id).toBe('reminders.lead');
    expect(await setting.current('u1')).toBe('10');
    await setting.apply('u1', 'off');
    expect(await setting.current('u1')).toBe('off');
    await setting.apply('u1', '5');
    expect(await setting.current('u1')).toBe('5');
    const err = await setting.apply('u1', '7').catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('MM365_CALENDAR_REMINDER_LEAD_INVALID');
  });
});
