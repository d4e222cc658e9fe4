import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Subcommand } from '../../core/commands/index.ts';
import type { Logger } from '../../core/log.ts';
import { CalendarSettingsPanels, type Database } from '../../store/index.ts';
import type { SettingsCard, SettingsClick, SettingsPosts, SettingsPostView } from './posts.ts';
import type { CalendarSetting } from './setting.ts';
import { checkedValue, findSetting, labelOf } from './values.ts';

/** Every button and select of the panel goes to this action (data: `{ s: <setting id> }`). */
export const settingsPanelActionId = 'calendar.settings.choose';

/** What a click on the panel does to the post it was made on. */
export type PanelClickResult =
  | { kind: 'updated'; view: SettingsPostView }
  /** The post is not the user's current panel: it is replaced by this notice, nothing is applied. */
  | { kind: 'outdated'; message: string };

export const outdatedPanelText =
  '_This settings panel is out of date. Run `/mscalendar settings` for a current one._';

/**
 * `/mscalendar settings` (plugin §3.4): one DM post with one card per setting of every calendar feature,
 * each showing "**Current value:** …" read from the feature itself (reality, so it never disagrees with
 * what the feature does: the plugin's #153), with the current option as the primary button or the select's
 * default. A new panel deletes the previous one. A click applies through the setting's `apply` and redraws
 * the whole panel from reality again; a value the feature refuses (AppError) leaves the post as it was and
 * the edge shows the error's message to the user. A click on a panel that is not the user's latest (a copy
 * whose deletion failed, or one left from before a disconnect) applies nothing and says it is out of date:
 * with one panel per user, the one shown last is the one to trust.
 */
export class SettingsPanel {
  readonly #panels: CalendarSettingsPanels;
  readonly #d: {
    settings: () => readonly CalendarSetting[];
    posts: SettingsPosts;
    clock: Clock;
    log: Logger;
  };

  constructor(deps: {
    db: Kysely<Database>;
    /** Every calendar feature's settings, read at each use (parts register theirs after this is built). */
    settings: () => readonly CalendarSetting[];
    posts: SettingsPosts;
    clock: Clock;
    log: Logger;
  }) {
    this.#panels = new CalendarSettingsPanels(deps.db);
    this.#d = deps;
  }

  /** The panel as it should look now for `user`: every setting's current value read afresh. */
  async view(user: string): Promise<SettingsPostView> {
    const settings = this.#d.settings();
    const cards = await Promise.all(settings.map((s) => this.#card(user, s)));
    return {
      message:
        settings.length > 0
          ? '#### Microsoft Calendar settings'
          : '#### Microsoft Calendar settings\nThere is nothing to set up yet.',
      cards,
    };
  }

  /**
   * Posts a new panel to `user` and deletes their previous one (a delete that fails is logged: the old
   * post then answers clicks with "out of date"). Returns the new post's id and link.
   */
  async open(user: string): Promise<{ postId: string; link: string }> {
    const postId = await this.#d.posts.dm(user, await this.view(user));
    const previous = await this.#panels.replace(user, postId, new Date(this.#d.clock.now()));
    if (previous) await this.#removePost(user, previous);
    return { postId, link: this.#d.posts.link(postId) };
  }

  /**
   * A click on a panel control: applies `value` to the setting named in the click's data and returns the
   * redrawn panel. Throws the feature's AppError when it refuses the value, MM365_CALENDAR_SETTING_UNKNOWN
   * or _CHOICE_INVALID for a click that names no current setting or option.
   */
  async choose(click: SettingsClick): Promise<PanelClickResult> {
    if ((await this.#panels.get(click.user)) !== click.postId) {
      return { kind: 'outdated', message: outdatedPanelText };
    }
    const setting = findSetting(this.#d.settings(), click.data.s);
    const value = checkedValue(setting, click.value);
    await setting.apply(click.user, value);
    this.#d.log.info({ mmUserId: click.user, setting: setting.id, value }, 'calendar setting changed');
    return { kind: 'updated', view: await this.view(click.user) };
  }

  /** Disconnect: deletes the user's panel post and forgets it. */
  async remove(user: string): Promise<void> {
    const postId = await this.#panels.delete(user);
    if (postId) await this.#removePost(user, postId);
  }

  /** `/mscalendar settings`. */
  subcommand(): Subcommand {
    return {
      name: 'settings',
      summary: 'Change your calendar settings (status, reminders, summary…) in a direct message',
      needsAccount: true,
      run: async (ctx) => {
        const { link } = await this.open(ctx.userId);
        return { text: `I sent you your settings in a direct message: [open them](${link}).` };
      },
    };
  }

  async #card(user: string, setting: CalendarSetting): Promise<SettingsCard> {
    let current: string | undefined;
    try {
      current = await setting.current(user);
    } catch (err) {
      // One feature failing to answer must not hide the others' settings.
      this.#d.log.warn({ err, mmUserId: user, setting: setting.id }, 'reading a calendar setting failed');
    }
    const shown = current === undefined ? '_not available right now_' : labelOf(setting, current);
    return {
      title: setting.title,
      text: `${setting.description}\n**Current value:** ${shown}`,
      control: {
        actionId: settingsPanelActionId,
        kind: setting.control,
        data: { s: setting.id },
        options: setting.options.map((o) => ({ ...o, current: o.value === current })),
      },
    };
  }

  async #removePost(user: string, postId: string): Promise<void> {
    await this.#d.posts.remove(postId).catch((err: unknown) => {
      this.#d.log.warn({ err, mmUserId: user, postId }, 'deleting an old settings panel failed');
    });
  }
}
