/**
 * Server-side checks of a create-event submission (a client may send anything: every field is checked
 * again, with a message per field, as Mattermost shows `errors` under each element). Pure: the clock and
 * the zone are parameters.
 */
import { DateTime } from 'luxon';
import { limits, timeOptions } from './form.ts';

/** A submission that passed the checks; guests are not resolved yet (usernames need Mattermost). */
export interface ValidEvent {
  subject: string;
  description: string;
  location: string;
  isAllDay: boolean;
  online: boolean;
  /** Local wall-clock times in `iana`, yyyy-MM-ddTHH:mm:ss; end exclusive. */
  start: string;
  end: string;
  /** The instants, for messages. */
  startAt: Date;
  endAt: Date;
  /** Lower-cased usernames without '@', in order, deduplicated. */
  usernames: string[];
  /** Lower-cased e-mail addresses, in order, deduplicated. */
  emails: string[];
  /** The channel to link, or null. */
  channelId: string | null;
}

export type Validation = { ok: true; event: ValidEvent } | { ok: false; errors: Record<string, string> };

/** Mattermost usernames: 3–22 of a–z, 0–9, '.', '-', '_', starting with a letter (server model/user.go). */
const usernamePattern = /^[a-z][a-z0-9._-]{2,21}$/;
/** One address, as Graph checks it (local@domain with a dot in the domain, no spaces). */
const emailPattern = /^[^@\s,;<>()"]+@[^@\s,;<>()"]+\.[^@\s,;<>()".]+$/;

function text(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** Mattermost sends bool elements as true/false; older clients as "true"/"false". */
function bool(v: unknown): boolean {
  return v === true || v === 'true';
}

/** Splits a guest list into usernames and e-mails; anything else is reported as invalid. */
export function parseGuests(raw: string): { usernames: string[]; emails: string[]; invalid: string[] } {
  const usernames: string[] = [];
  const emails: string[] = [];
  const invalid: string[] = [];
  for (const token of raw.split(/[\s,;]+/).filter((t) => t !== '')) {
    const lower = token.toLowerCase();
    if (lower.includes('@') && !lower.startsWith('@')) {
      if (emailPattern.test(lower)) {
        if (!emails.includes(lower)) emails.push(lower);
      } else invalid.push(token);
      continue;
    }
    const name = lower.replace(/^@/, '');
    if (usernamePattern.test(name)) {
      if (!usernames.includes(name)) usernames.push(name);
    } else invalid.push(token);
  }
  return { usernames, emails, invalid };
}

function tooLong(label: string, max: number): string {
  return `${label} can be at most ${max} characters.`;
}

/**
 * Checks every field of the form (form.ts) against the dialog's limits and the calendar's rules: subject
 * required; a real date; for a timed event a start and an end from the list, end after start, a wall time
 * that exists in the zone (not skipped by a DST change) and not in the past; for an all-day event a date
 * from today on; at most 100 guests, each an @username or an e-mail address.
 */
export function validateSubmission(
  submission: Record<string, unknown>,
  opts: { now: number; iana: string },
): Validation {
  const errors: Record<string, string> = {};
  const subject = text(submission.subject).trim();
  if (subject === '') errors.subject = 'Give the event a subject.';
  else if (subject.length > limits.subject) errors.subject = tooLong('The subject', limits.subject);

  const location = text(submission.location).trim();
  if (location.length > limits.location) errors.location = tooLong('The location', limits.location);
  const description = text(submission.description).trim();
  if (description.length > limits.description) {
    errors.description = tooLong('The description', limits.description);
  }

  const guestsRaw = text(submission.attendees);
  const guests = parseGuests(guestsRaw);
  if (guestsRaw.length > limits.attendeesText) {
    errors.attendees = tooLong('The guest list', limits.attendeesText);
  } else if (guests.invalid.length > 0) {
    errors.attendees = `Not a @username or an e-mail address: ${guests.invalid.slice(0, 5).join(', ')}.`;
  } else if (guests.usernames.length + guests.emails.length > limits.attendees) {
    errors.attendees = `At most ${limits.attendees} guests (you listed ${guests.usernames.length + guests.emails.length}).`;
  }

  const isAllDay = bool(submission.all_day);
  const online = bool(submission.online);
  const dateText = text(submission.date).trim();
  const today = DateTime.fromMillis(opts.now, { zone: opts.iana }).toISODate() ?? '';
  const day = /^\d{4}-\d{2}-\d{2}$/.test(dateText)
    ? DateTime.fromISO(dateText, { zone: opts.iana })
    : DateTime.invalid('format');
  let start = '';
  let end = '';
  let startAt = new Date(0);
  let endAt = new Date(0);
  if (!day.isValid) {
    errors.date = 'Enter a date as YYYY-MM-DD, e.g. 2026-03-31.';
  } else if (dateText < today) {
    errors.date = `The date is in the past (today is ${today}).`;
  } else if (isAllDay) {
    const next = day.plus({ days: 1 }).toISODate() ?? '';
    start = `${dateText}T00:00:00`;
    end = `${next}T00:00:00`;
    startAt = new Date(`${dateText}T00:00:00Z`);
    endAt = new Date(`${next}T00:00:00Z`);
  } else {
    const s = text(submission.start);
    const e = text(submission.end);
    if (!timeOptions.includes(s)) errors.start = 'Choose a start time from the list.';
    if (!timeOptions.includes(e)) errors.end = 'Choose an end time from the list.';
    if (!errors.start && !errors.end) {
      const at = (hm: string) => {
        const [h, m] = hm.split(':').map(Number) as [number, number];
        return day.set({ hour: h, minute: m });
      };
      const startDt = at(s);
      const endDt = at(e);
      if (e <= s) errors.end = 'The end must be after the start.';
      else if (startDt.toFormat('HH:mm') !== s) {
        errors.start = `${s} does not exist on ${dateText} in ${opts.iana} (the clocks change).`;
      } else if (endDt.toFormat('HH:mm') !== e) {
        errors.end = `${e} does not exist on ${dateText} in ${opts.iana} (the clocks change).`;
      } else if (startDt.toMillis() < opts.now - 60_000) {
        errors.start = 'The start is in the past.';
      } else {
        start = `${dateText}T${s}:00`;
        end = `${dateText}T${e}:00`;
        startAt = new Date(startDt.toMillis());
        endAt = new Date(endDt.toMillis());
      }
    }
  }
  const channel = text(submission.channel).trim();
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    event: {
      subject,
      description,
      location,
      isAllDay,
      online,
      start,
      end,
      startAt,
      endAt,
      usernames: guests.usernames,
      emails: guests.emails,
      channelId: channel === '' ? null : channel,
    },
  };
}
