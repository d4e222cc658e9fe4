import { defineErrorCodes } from '../../core/errors.ts';

/** Meeting reminders' coded errors (house style rule 12). */
export const reminderErrors = defineErrorCodes('calendar.reminders', {
  MM365_CALENDAR_REMINDER_LEAD_INVALID: {
    status: 400,
    doc: 'A reminder lead (reminders.lead) that is not 5, 10, 15 or off.',
  },
});
