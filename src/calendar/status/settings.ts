import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Subcommand } from '../../core/commands/index.ts';
import { AppError } from '../../core/errors.ts';
import { CalendarStatuses, type StatusMode, type StatusSettings } from '../../store/calendar-status.ts';
import type { Database } from '../../store/index.ts';
import type { CalendarSetting } from '../settings/setting.ts';
import { statusErrors } from './errors.ts';

const modeLabel: Record<StatusMode, string> = {
  dnd: 'Do Not Disturb',
  away: 'Away',
  off: "Don't change my status",
};

/** Called after a setting changed, so the user's status follows at once (e.g. turned off mid-meeting). */
export type SettingsChanged = (user: string) => Promise<void>;

function invalid(value: string, options: readonly string[]): AppError {
  return new AppError(
    statusErrors.MM365_CALENDAR_STATUS_OPTION_INVALID,
    `"${value}" is not a choice. Choose ${options.map((o) => `\`${o}\``).join(', ')}.`,
    { details: { value } },
  );
}

/**
 * Status sync's settings as data (the settings panel and welcome flow render them) and the
 * `/mscalendar presence` subcommand. (`status` is taken: it is the account status every feature has.)
 */
export class StatusSettingsUi {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #changed: SettingsChanged;

  constructor(deps: { db: Kysely<Database>; clock: Clock; changed: SettingsChanged }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#changed = deps.changed;
  }

  async #set(user: string, change: Partial<StatusSettings>): Promise<void> {
    await new CalendarStatuses(this.#db).setSettings(user, change, new Date(this.#clock.now()));
    await this.#changed(user);
  }

  #get(user: string): Promise<StatusSettings> {
    return new CalendarStatuses(this.#db).get(user);
  }

  settings(): CalendarSetting[] {
    const onOff = [
      { value: 'on', label: 'Yes' },
      { value: 'off', label: 'No' },
    ] as const;
    const flag = (
      id: string,
      key: 'custom' | 'confirm',
      title: string,
      description: string,
      question?: string,
    ): CalendarSetting => ({
      id,
      title,
      description,
      options: onOff,
      control: 'buttons',
      current: async (user) => ((await this.#get(user))[key] ? 'on' : 'off'),
      apply: async (user, value) => {
        if (value !== 'on' && value !== 'off') throw invalid(value, ['on', 'off']);
        await this.#set(user, { [key]: value === 'on' });
      },
      ...(question ? { welcome: { question } } : {}),
    });
    return [
      {
        id: 'status.mode',
        title: 'Update my status',
        description: 'During busy meetings, set your Mattermost status (and put it back afterwards).',
        options: (['dnd', 'away', 'off'] as const).map((value) => ({ value, label: modeLabel[value] })),
        control: 'buttons',
        current: async (user) => (await this.#get(user)).mode,
        apply: async (user, value) => {
          if (value !== 'dnd' && value !== 'away' && value !== 'off')
            throw invalid(value, ['dnd', 'away', 'off']);
          await this.#set(user, { mode: value });
        },
        welcome: {
          question: 'During your meetings, should I set your status to Do Not Disturb, or Away, or leave it?',
        },
      },
      flag(
        'status.custom',
        'custom',
        'Set "In a meeting"',
        'Show the 📅 "In a meeting" custom status during busy meetings (never over one you set yourself).',
        'Should I show "In a meeting" as your custom status while you are in one?',
      ),
      flag(
        'status.confirm',
        'confirm',
        'Ask before changing my status',
        'Ask with a button before each meeting instead of changing your status right away.',
      ),
    ];
  }

  #describe(s: StatusSettings): string {
    const lines = [
      s.mode === 'off'
        ? 'Your status is not changed during meetings.'
        : `During busy meetings your status is set to **${modeLabel[s.mode]}**${s.confirm ? ' after you confirm' : ''}, and put back afterwards.`,
      s.custom
        ? 'Your custom status shows 📅 "In a meeting" during them (never over one you set yourself).'
        : 'The "In a meeting" custom status is off.',
    ];
    return lines.join('\n');
  }

  /** `/mscalendar presence [dnd|away|off] | custom on|off | confirm on|off`. */
  subcommand(): Subcommand {
    const usage =
      '`/mscalendar presence dnd|away|off`, `presence custom on|off` or `presence confirm on|off`';
    return {
      name: 'presence',
      usage: '[dnd | away | off | custom on|off | confirm on|off]',
      summary: 'Choose whether meetings set your status (Do Not Disturb or Away) and "In a meeting"',
      needsAccount: true,
      run: async (ctx) => {
        const [first, second, ...more] = ctx.args.map((a) => a.toLowerCase());
        if (first !== undefined) {
          if (first === 'custom' || first === 'confirm') {
            if ((second !== 'on' && second !== 'off') || more.length > 0) {
              return { text: `Use \`/mscalendar presence ${first} on\` or \`off\`.` };
            }
            await this.#set(ctx.userId, { [first]: second === 'on' });
          } else if ((first === 'dnd' || first === 'away' || first === 'off') && second === undefined) {
            await this.#set(ctx.userId, { mode: first });
          } else {
            return { text: `"${ctx.args.join(' ')}" is not a choice. Use ${usage}.` };
          }
        }
        return { text: this.#describe(await this.#get(ctx.userId)) };
      },
    };
  }
}
