/**
 * The settings panel and the welcome flow draw posts as data; the wiring turns them into Mattermost posts
 * with one attachment per card and controls signed for the user (the domain never imports the edge).
 */

/** One bot post: a message and one card (attachment) per setting or question. */
export interface SettingsPostView {
  message: string;
  cards: SettingsCard[];
}

export interface SettingsCard {
  title: string;
  /** Markdown under the title. */
  text: string;
  /** Buttons or a select; none once a question is answered. */
  control?: SettingsControl;
}

export interface SettingsControl {
  /** The registered action a click goes to. */
  actionId: string;
  kind: 'buttons' | 'select';
  /**
   * Signed into every button and the select, so the click says what it is about. A button also carries
   * its option as `value`; a select's choice arrives as the selected option.
   */
  data: Record<string, string | number>;
  /** In display order; `current` is drawn as the primary button or the select's default. */
  options: readonly { value: string; label: string; current: boolean }[];
}

/** What a click on a settings control says, once verified by the edge. */
export interface SettingsClick {
  user: string;
  postId: string;
  data: Record<string, unknown>;
  /** A button's `data.value`, or the option picked in a select. */
  value: string | undefined;
}

/** The bot's DMs as the settings features need them (the Mattermost edge, through the wiring). */
export interface SettingsPosts {
  /** DMs `view` to `user`; its controls work for them only, on this post. With `key`, a retry returns the first post. Returns its id. */
  dm(user: string, view: SettingsPostView, key?: string): Promise<string>;
  /** Deletes a post; one already gone resolves too. */
  remove(postId: string): Promise<void>;
  /** A link that opens the post, for replies like "I sent you your settings". */
  link(postId: string): string;
}
