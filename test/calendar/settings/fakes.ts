import { calendarErrors } from '../../../src/calendar/errors.ts';
import type { SettingsPosts, SettingsPostView } from '../../../src/calendar/settings/posts.ts';
import type { CalendarSetting } from '../../../src/calendar/settings/setting.ts';
import { AppError } from '../../../src/core/errors.ts';

/** Bot DMs in memory: a key returns its first post; removed posts are remembered; removal can be made to fail. */
export class FakePosts implements SettingsPosts {
  readonly posts = new Map<string, { user: string; view: SettingsPostView; removed: boolean }>();
  readonly byKey = new Map<string, string>();
  failRemove: Error | undefined;
  #n = 0;

  async dm(user: string, view: SettingsPostView, key?: string): Promise<string> {
    const known = key === undefined ? undefined : this.byKey.get(key);
    if (known) return known;
    const id = `post-${++this.#n}`;
    this.posts.set(id, { user, view, removed: false });
    if (key !== undefined) this.byKey.set(key, id);
    return id;
  }

  async remove(postId: string): Promise<void> {
    if (this.failRemove) throw this.failRemove;
    const p = this.posts.get(postId);
    if (p) p.removed = true;
  }

  link(postId: string): string {
    return `https://chat.example.com/_redirect/pl/${postId}`;
  }

  /** Posts not removed, oldest first. */
  live(): { id: string; user: string; view: SettingsPostView }[] {
    return [...this.posts.entries()].filter(([, p]) => !p.removed).map(([id, p]) => ({ id, ...p }));
  }
}

/**
 * Three settings whose state lives in maps (the "reality" the panel must read): a Yes/No with a welcome
 * question that refuses "yes" while `locked`, a select with a welcome question, and one whose read fails.
 */
export function fakeSettings() {
  const custom = new Map<string, string>();
  const lead = new Map<string, string>();
  const applied: { id: string; user: string; value: string }[] = [];
  const state = { locked: false };
  const settings: CalendarSetting[] = [
    {
      id: 'test.custom',
      title: 'Set a custom status',
      description: 'Shows :calendar: while you are in a meeting.',
      options: [
        { value: 'yes', label: 'Yes' },
        { value: 'no', label: 'No' },
      ],
      control: 'buttons',
      current: async (user) => custom.get(user) ?? 'no',
      apply: async (user, value) => {
        if (state.locked && value === 'yes')
          throw new AppError(
            calendarErrors.MM365_CALENDAR_NOT_SYNCED,
            'Your calendar is still being loaded. Try again in a minute.',
          );
        applied.push({ id: 'test.custom', user, value });
        custom.set(user, value);
      },
      welcome: { question: 'Set your custom status during meetings?' },
    },
    {
      id: 'test.lead',
      title: 'Reminders',
      description: 'How long before a meeting you are reminded.',
      options: ['off', '5', '10', '15'].map((v) => ({
        value: v,
        label: v === 'off' ? 'Off' : `${v} minutes`,
      })),
      control: 'select',
      current: async (user) => lead.get(user) ?? '10',
      apply: async (user, value) => {
        applied.push({ id: 'test.lead', user, value });
        lead.set(user, value);
      },
      welcome: { question: 'Be reminded before meetings?' },
      label: (v) => `${v} minutes (custom)`,
    },
    {
      id: 'test.broken',
      title: 'Broken',
      description: 'Its feature cannot answer right now.',
      options: [
        { value: 'a', label: 'A' },
        { value: 'b', label: 'B' },
      ],
      control: 'buttons',
      current: async () => {
        throw new Error('graph is down');
      },
      apply: async () => {},
    },
  ];
  return { settings, custom, lead, applied, state };
}
