/**
 * What status sync needs from Mattermost, in calendar terms (house style rule 2). The wiring satisfies
 * these over the bot's REST client (a system admin may set other users' statuses, reference §1.12) and
 * its interactive posts. Errors: any throw is a failure of that one call for that one user; an AppError's
 * `details.httpStatus` (403, 404, 501…) is logged. The domain never retries inside a call: the minute
 * check tries again while the block lasts.
 */

/** Mattermost presence. `ooo` (out of office) cannot be set through the API and is never touched. */
export type Presence = 'online' | 'away' | 'dnd' | 'offline' | 'ooo';

export interface PresenceState {
  status: Presence;
  /** Set by hand (or by us): sticks until set back to online. */
  manual: boolean;
}

export interface CustomStatus {
  emoji: string;
  text: string;
  /** Null when it does not expire. */
  expiresAt: Date | null;
}

export interface StatusPresence {
  get(user: string): Promise<PresenceState>;
  /**
   * Sets the presence. With `dndUntil` (DND only), Mattermost itself reverts to the previous status at
   * that time (its expiry job runs each minute), so DND ends even when this service is down.
   */
  set(user: string, status: 'online' | 'away' | 'dnd', dndUntil?: Date): Promise<void>;
  /** The user's custom status, null when none (an expired one counts as none). */
  getCustom(user: string): Promise<CustomStatus | null>;
  /** Throws with httpStatus 501 when custom statuses are disabled on the server. */
  setCustom(user: string, custom: { emoji: string; text: string; expiresAt: Date }): Promise<void>;
  clearCustom(user: string): Promise<void>;
}

/** A button on a bot DM; `actionId` names the registered action that handles the click. */
export interface PromptButton {
  actionId: string;
  name: string;
  style?: 'default' | 'primary' | 'danger';
  /** Signed into the button (readable by whoever holds it: ids and choices, never secrets). */
  data: unknown;
}

/** Bot DMs with buttons only the recipient may use; `key` makes a retry post nothing new. */
export interface PromptDms {
  dm(user: string, message: string, buttons: readonly PromptButton[], key: string): Promise<void>;
}
