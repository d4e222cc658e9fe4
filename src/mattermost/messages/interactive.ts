import { randomBytes } from 'node:crypto';
import type { Post } from '@mattermost/types/posts';
import type { Clock } from '../../core/clock.ts';
import type { TokenSigner } from '../../core/signed-token.ts';
import type { MattermostRest } from '../client/rest.ts';
import type { ButtonSpec } from '../inbound/interactions.ts';
import { signActionContext } from '../inbound/signed-context.ts';
import type { Messenger } from './messenger.ts';

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

  async #actions(
    buttons: readonly ButtonSpec[],
    userId: string,
    bind: { postId?: string; channelId?: string },
  ): Promise<Record<string, unknown>[]> {
    const signer = await this.#deps.signer();
    const expiresAt = this.#deps.clock.now() + (this.#deps.ttlMs ?? 14 * 86_400_000);
    return buttons.map((b) => ({
      // Alphanumeric only: some Mattermost versions mishandle other characters in action ids.
      id: `a${randomBytes(6).toString('hex')}`,
      type: 'button',
      name: b.name,
      style: b.style ?? 'default',
      integration: {
        url: this.#deps.actionUrl(),
        context: signActionContext(signer, { action: b.actionId, userId, ...bind, data: b.data }, expiresAt),
      },
    }));
  }
}
