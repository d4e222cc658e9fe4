import type { MmChannelId, MmPostId, MmTeamId, MmUserId } from '../../core/ids.ts';

/**
 * Interactive actions and dialogs as data (house style rule 13): a domain declares each as a record with a
 * constant id and a handler; one router here verifies, routes and replies. The id constant lives next to
 * the code that builds the button or opens the dialog.
 */

/** What a handler learns about a click. `data` is what the button's builder signed into it. */
export interface ActionContext<D = unknown> {
  userId: MmUserId;
  channelId: MmChannelId;
  teamId: MmTeamId | undefined;
  postId: MmPostId;
  /** For a select menu, the chosen value. */
  selectedOption: string | undefined;
  data: D;
  requestId: string;
  /** Opens a dialog with this click's trigger_id; refused once its 30 s are nearly over. */
  openDialog(dialog: DialogSpec, data: unknown): Promise<void>;
}

/** The reply to a click: replace the post (message, and props when given), and/or tell the clicker. */
export interface ActionReply {
  update?: { message: string; props?: Record<string, unknown> };
  ephemeralText?: string;
  /**
   * Mattermost opens this URL for the clicker (`goto_location`: in the app for Mattermost links, a new tab
   * for others). Ignored when the reply comes late (after "Working on it…"): give the link in the text too.
   */
  gotoLocation?: string;
}

export interface ActionDefinition<D = unknown> {
  /** Constant, unique across modules, e.g. "calendar.rsvp". */
  id: string;
  /** Runs after the context and user are verified. Errors become a friendly ephemeral reply. */
  run(ctx: ActionContext<D>): Promise<ActionReply>;
}

export interface DialogContext<D = unknown> {
  userId: MmUserId;
  channelId: MmChannelId;
  teamId: MmTeamId | undefined;
  submission: Record<string, unknown>;
  cancelled: boolean;
  data: D;
  requestId: string;
}

/** `{}` closes the dialog; `errors` (per field) or `error` keep it open with the message shown. */
export interface DialogReply {
  errors?: Record<string, string>;
  error?: string;
}

export interface DialogDefinition<D = unknown> {
  /** Constant; sent as the dialog's callback_id. */
  id: string;
  run(ctx: DialogContext<D>): Promise<DialogReply>;
}

/** A dialog to open; elements as Mattermost takes them (reference §1.11). */
export interface DialogSpec {
  /** The DialogDefinition id that handles the submission. */
  callbackId: string;
  title: string;
  introductionText?: string;
  elements: Record<string, unknown>[];
  submitLabel?: string;
  notifyOnCancel?: boolean;
}

/** A button to put on a post. */
export interface ButtonSpec {
  /** The ActionDefinition id that handles the click. */
  actionId: string;
  name: string;
  style?: 'default' | 'primary' | 'success' | 'good' | 'warning' | 'danger';
  /** Signed into the context (readable by whoever holds it: ids and choices, never secrets). */
  data?: unknown;
}
