import { defineErrorCodes } from '../../core/errors.ts';

/** Status sync's coded errors (house style rule 12). */
export const statusErrors = defineErrorCodes('calendar.status', {
  MM365_CALENDAR_STATUS_OPTION_INVALID: {
    status: 400,
    doc: 'A status-sync setting (status.mode, status.custom, status.confirm) was given a value that is not one of its options; the message lists them.',
  },
});
