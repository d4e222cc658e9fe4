/**
 * One user setting of the calendar, as data (house style rule 13): each feature declares its settings with
 * this shape, and the settings panel, the welcome flow and `/mscalendar settings` render them all the same
 * way. The feature keeps its own storage; the panel only calls `current` and `apply`.
 *
 * Contract:
 * - `options` are what the user may choose, in display order; `value`s are short machine strings.
 * - `current(user)` reads reality (the stored setting, or what exists: e.g. a subscription), so the panel
 *   never shows a value the feature does not act on (plugin issue #153).
 * - `apply(user, value)` stores and acts (reschedules, subscribes…), idempotent; it throws an AppError with a
 *   user-facing message for a value it refuses (e.g. the calendar is not synced yet).
 */
export interface CalendarSetting {
  /** Constant, unique across features, e.g. "status.mode". */
  id: string;
  /** Short title shown in bold: "Update my status". */
  title: string;
  /** One sentence on what it does. */
  description: string;
  options: readonly SettingOption[];
  /** How to render: buttons (≤ 5 options) or a select menu. */
  control: 'buttons' | 'select';
  current(user: string): Promise<string>;
  apply(user: string, value: string): Promise<void>;
  /** Asked in the welcome flow after connecting, as a question with these options, when set. */
  welcome?: { question: string };
  /**
   * How to show a current value that is not one of `options` (set another way, e.g. a summary time of
   * 08:15 typed as a command). Without it the panel shows the raw value.
   */
  label?(value: string): string;
}

export interface SettingOption {
  value: string;
  label: string;
}
