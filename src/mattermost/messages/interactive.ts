import { randomBytes } from 'node:crypto';
import type { Post } from '@mattermost/types/posts';
import type { Clock } from '../../core/clock.ts';
import type { TokenSigner } from '../../core/signed-token.ts';
import type { MattermostRest } from '../client/rest.ts';
import type { ButtonSpec } from '../inbound/interactions.ts';
import { signActionContext } from '../inbound/signed-context.ts';
import type { Messenger } from './messenger.ts';

/**
 * A select menu (Mattermost action `type: "select"`, static options). The user's choice arrives as the
 * handler's `selectedOption` (Mattermost adds `selected_option` to the context it sends back).
 */
export interface SelectSpec {
  /** The ActionDefinition id that handles the choice. */
  actionId: string;
  /** The menu's placeholder. */
  name: string;
  options: readonly { text: string; value: string }[];
  /** The option shown as chosen (`default_option`). */
  defaultOption?: string;
  /** Signed into the context, like a button's. */
  data?: unknown;
}

/** One message attachment with its own title, text and controls. */
export interface AttachmentSpec {
  title?: string;
  text: string;
  buttons?: readonly ButtonSpec[];
  select?: SelectSpec;
}

export interface InteractiveDeps {
  rest: MattermostRest;
  messenger: Messenger;
  signer: () => Promise<TokenSigner>;
  clock: Clock;
  /** Where Mattermost posts clicks: `<publicUrl>/mattermost/action`. */
  actionUrl: () => string;
  /** How long a button stays valid. Default 14 days. */
  ttlMs?: number;
}

/**
 * Builds posts with buttons whose contexts are signed for one user. A DM's buttons are bound to the post
 * itself: the post is created first, then patched with the actions once its id is known, so a context copied
 * to another post is refused. Buttons in a command reply (no post id yet) are bound to the channel instead.
 */
export class InteractivePosts {
  readonly #deps: InteractiveDeps;

  constructor(deps: InteractiveDeps) {
    this.#deps = deps;
  }

  /** Attachment props for a reply whose post id is unknown (slash-command replies). */
  async attachments(
    userId: string,
    channelId: string,
    text: string,
    buttons: readonly ButtonSpec[],
  ): Promise<Record<string, unknown>> {
    return { attachments: [{ text, actions: await this.#actions(buttons, userId, { channelId }) }] };
  }

  /** A DM to `userId` with buttons only they can use. With `key`, a retry never posts twice. */
  async dm(
    userId: string,
    message: string,
    buttons: readonly ButtonSpec[],
    opts: { key?: string; attachmentText?: string } = {},
  ): Promise<Post> {
    const channelId = await this.#deps.messenger.dmChannelId(userId);
    return this.post(channelId, userId, message, buttons, opts);
  }

  /**
   * A post in `channelId` whose buttons only `userId` may use (others who click are told it is not for
   * them). Created without actions, then patched with actions bound to the new post's id.
   */
  async post(
    channelId: string,
    userId: string,
    message: string,
    buttons: readonly ButtonSpec[],
    opts: { key?: string; attachmentText?: string } = {},
  ): Promise<Post> {
    const text = opts.attachmentText ?? '';
    const post = await this.#deps.messenger.post(
      { channel_id: channelId, message, props: { attachments: [{ text, actions: [] }] } },
      opts.key,
    );
    const actions = await this.#actions(buttons, userId, { postId: post.id });
    return this.#deps.rest.patchPost(post.id, {
      props: { ...post.props, attachments: [{ text, actions }] },
    });
  }

  /**
   * A DM to `userId` with one attachment per spec (buttons and/or a select each), usable by them only and
   * bound to the post like `dm`'s. With `key`, a retry never posts twice.
   */
  async dmAttachments(
    userId: string,
    message: string,
    attachments: readonly AttachmentSpec[],
    opts: { key?: string } = {},
  ): Promise<Post> {
    const channelId = await this.#deps.messenger.dmChannelId(userId);
    const post = await this.#deps.messenger.post(
      {
        channel_id: channelId,
        message,
        props: { attachments: attachments.map((a) => ({ ...attachmentBase(a), actions: [] })) },
      },
      opts.key,
    );
    return this.#deps.rest.patchPost(post.id, {
      props: { ...post.props, attachments: await this.boundAttachments(userId, post.id, attachments) },
    });
  }

  /**
   * Attachments whose controls are signed for `userId` and bound to the existing post `postId`: for an
   * action's `update` that redraws the post it was clicked on.
   */
  async boundAttachments(
    userId: string,
    postId: string,
    attachments: readonly AttachmentSpec[],
  ): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const a of attachments) {
      const actions = await this.#actions(a.buttons ?? [], userId, { postId });
      if (a.select) actions.push(await this.#select(a.select, userId, { postId }));
      out.push({ ...attachmentBase(a), actions });
    }
    return out;
  }

  async #actions(
    buttons: readonly ButtonSpec[],
    userId: string,
    bind: { postId?: string; channelId?: string },
  ): Promise<Record<string, unknown>[]> {
    const signer = await this.#deps.signer();
    const expiresAt = this.#expiresAt();
    return buttons.map((b) => ({
      id: actionId(),
      type: 'button',
      name: b.name,
      style: b.style ?? 'default',
      integration: {
        url: this.#deps.actionUrl(),
        context: signActionContext(signer, { action: b.actionId, userId, ...bind, data: b.data }, expiresAt),
      },
    }));
  }

  async #select(
    select: SelectSpec,
    userId: string,
    bind: { postId?: string; channelId?: string },
  ): Promise<Record<string, unknown>> {
    const signer = await this.#deps.signer();
    return {
      id: actionId(),
      type: 'select',
      name: select.name,
      options: select.options.map((o) => ({ text: o.text, value: o.value })),
      ...(select.defaultOption === undefined ? {} : { default_option: select.defaultOption }),
      integration: {
        url: this.#deps.actionUrl(),
        context: signActionContext(
          signer,
          { action: select.actionId, userId, ...bind, data: select.data },
          this.#expiresAt(),
        ),
      },
    };
  }

  #expiresAt(): number {
    return this.#deps.clock.now() + (this.#deps.ttlMs ?? 14 * 86_400_000);
  }
}

/** Alphanumeric only: some Mattermost versions mishandle other characters in action ids. */
function actionId(): string {
  return `a${randomBytes(6).toString('hex')}`;
}

function attachmentBase(a: AttachmentSpec): Record<string, unknown> {
  return a.title === undefined ? { text: a.text } : { title: a.title, text: a.text };
}
