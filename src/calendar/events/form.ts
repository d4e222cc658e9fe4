/**
 * The create-event form (a Mattermost interactive dialog; mattermost-api.md §1.11). Limits are the real
 * server's: title ≤ 24, a text element's max_length ≤ 150, a textarea's ≤ 3000, default/placeholder/help
 * ≤ 150. The plugin's own limits (subject and location 500, description 8000) are wider than a dialog can
 * carry, so the dialog's are the ones enforced (validate.ts checks them again server-side).
 */
import { DateTime } from 'luxon';
import type { FormSpec } from './ports.ts';

export const createEventFormId = 'calendar.event-create';

export const limits = {
  subject: 150,
  location: 150,
  description: 3000,
  /** The guest list is a textarea: "@alice, bob@example.com, …". */
  attendeesText: 3000,
  attendees: 100,
} as const;

/** Start and end times offered: every quarter hour (the plugin's 15-minute steps). */
export const timeOptions: readonly string[] = Array.from(
  { length: 96 },
  (_, i) => `${String(Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}`,
);

/** Prefill: today in the mailbox zone, the next half hour (from now), 30 minutes long. */
export function prefill(now: number, iana: string): { date: string; start: string; end: string } {
  const local = DateTime.fromMillis(now, { zone: iana });
  let start = local.startOf('hour').plus({ minutes: local.minute < 30 ? 30 : 60 });
  // Past 23:00 the next free half hour is tomorrow's first slot the form can hold in one day.
  if (start.toISODate() !== local.toISODate() || (start.hour === 23 && start.minute === 30)) {
    start = local.plus({ days: 1 }).startOf('day').set({ hour: 9 });
  }
  const end = start.plus({ minutes: 30 });
  return { date: start.toISODate() ?? '', start: start.toFormat('HH:mm'), end: end.toFormat('HH:mm') };
}

function timeSelect(name: string, displayName: string, value: string): Record<string, unknown> {
  return {
    display_name: displayName,
    name,
    type: 'select',
    default: value,
    options: timeOptions.map((t) => ({ text: t, value: t })),
    optional: true,
    help_text: 'Ignored for an all-day event.',
  };
}

/**
 * The form, prefilled. `channel` is the channel the command was typed in when the user may link events
 * there (else the link field starts empty). `zoneLabel` names the zone the times are in.
 */
export function createEventForm(opts: {
  now: number;
  iana: string;
  zoneLabel: string;
  channelId: string | null;
}): FormSpec {
  const p = prefill(opts.now, opts.iana);
  return {
    callbackId: createEventFormId,
    title: 'Create calendar event',
    introductionText: `Times are in your Outlook time zone (${opts.zoneLabel}).`,
    submitLabel: 'Create',
    elements: [
      { display_name: 'Subject', name: 'subject', type: 'text', min_length: 1, max_length: limits.subject },
      {
        display_name: 'Date',
        name: 'date',
        type: 'text',
        default: p.date,
        placeholder: 'YYYY-MM-DD',
        min_length: 10,
        max_length: 10,
      },
      timeSelect('start', 'Start', p.start),
      timeSelect('end', 'End', p.end),
      {
        display_name: 'All day',
        name: 'all_day',
        type: 'bool',
        placeholder: 'All-day event (start and end times are ignored)',
        default: 'false',
        optional: true,
      },
      {
        display_name: 'Teams meeting',
        name: 'online',
        type: 'bool',
        placeholder: 'Add a Microsoft Teams meeting link',
        default: 'true',
        optional: true,
      },
      {
        display_name: 'Location',
        name: 'location',
        type: 'text',
        optional: true,
        max_length: limits.location,
      },
      {
        display_name: 'Guests',
        name: 'attendees',
        type: 'textarea',
        optional: true,
        max_length: limits.attendeesText,
        placeholder: '@alice, bob@example.com',
        help_text: `Mattermost @usernames and e-mail addresses, separated by commas or spaces (up to ${limits.attendees}).`,
      },
      {
        display_name: 'Description',
        name: 'description',
        type: 'textarea',
        optional: true,
        max_length: limits.description,
      },
      {
        display_name: 'Link to channel',
        name: 'channel',
        type: 'select',
        data_source: 'channels',
        optional: true,
        ...(opts.channelId ? { default: opts.channelId } : {}),
        help_text: 'The channel gets a reminder before the event and is told when it changes.',
      },
    ],
  };
}
