import { defineErrorCodes } from '../../core/errors.ts';

/** The settings panel's and welcome flow's coded errors (house style rule 12). */
export const settingsErrors = defineErrorCodes('calendar-settings', {
  MM365_CALENDAR_SETTING_UNKNOWN: {
    status: 404,
    doc: 'A settings-panel or welcome click names a setting that no longer exists (the feature was removed or renamed since the post was made).',
  },
  MM365_CALENDAR_SETTING_CHOICE_INVALID: {
    status: 400,
    doc: "A settings-panel or welcome click carries a value that is not one of the setting's options.",
  },
});
