import { AppError } from '../../core/errors.ts';
import { settingsErrors } from './errors.ts';
import type { CalendarSetting } from './setting.ts';

/** The setting with this id among `settings`, or MM365_CALENDAR_SETTING_UNKNOWN (the post is older than it). */
export function findSetting(settings: readonly CalendarSetting[], id: unknown): CalendarSetting {
  const found = settings.find((s) => s.id === id);
  if (!found) {
    throw new AppError(
      settingsErrors.MM365_CALENDAR_SETTING_UNKNOWN,
      'That setting does not exist any more. Run `/mscalendar settings` to see the current ones.',
      { details: { setting: String(id) } },
    );
  }
  return found;
}

/** `value` when it is one of the setting's options, else MM365_CALENDAR_SETTING_CHOICE_INVALID. */
export function checkedValue(setting: CalendarSetting, value: string | undefined): string {
  if (value === undefined || !setting.options.some((o) => o.value === value)) {
    throw new AppError(
      settingsErrors.MM365_CALENDAR_SETTING_CHOICE_INVALID,
      `That is not a choice for "${setting.title}". Pick one of: ${setting.options.map((o) => o.label).join(', ')}.`,
      { details: { setting: setting.id } },
    );
  }
  return value;
}

/** How a value reads to the user: its option's label, the setting's own label, or the value itself. */
export function labelOf(setting: CalendarSetting, value: string): string {
  return setting.options.find((o) => o.value === value)?.label ?? setting.label?.(value) ?? value;
}
