import { createHash, randomUUID } from 'node:crypto';
import type { Post } from '@mattermost/types/posts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/log.ts';
import { isMattermostError } from '../client/http.ts';
import type { MattermostRest, NewPost } from '../client/rest.ts';
import type { PostIntentStore } from '../ports.ts';

/** The prop every post we create carries: our transaction id, for retries and for echo suppression. */
export const TXN_PROP = 'mm365_txn';

/** An intent younger than this without a post id is probably being created right now. */
const IN_FLIGHT_MS = 10_000;

/** How far before the recorded start a lookup searches, for clock skew between us and Mattermost. */
const LOOKUP_SKEW_MS = 60_000;

export interface MessengerDeps {
  rest: MattermostRest;
  intents: PostIntentStore;
  clock: Clock;
  log: Logger;
  /** The bot's user id, known after bootstrap. */
  botUserId: () => string;
  /** Attempts to create one post. Default 3. */
  maxAttempts?: number;
  /** Pause between create attempts after a failure. Default 500 ms. */
  retryPauseMs?: number;
}

/**
 * DMs, posts and ephemeral posts as the bot.
 *
 * Creating a post is not idempotent, so `post` never repeats a create blindly: it first records an intent
 * under an idempotency key (ours or the caller's, e.g. "reminder:<event>:<user>"), stamps the key on the post
 * as `props.mm365_txn`, and after a 5xx, a timeout or a lost answer it looks in the channel
 * (`GET /channels/{id}/posts?since=`) for a post carrying the key before trying again. A later call with the
 * same key returns the post made the first time; a caller that finds the key begun moments ago by someone
 * else (another replica) waits for that create to finish instead of racing it. 429s are retried inside the HTTP client (nothing was done).
 * The post also carries a `pending_post_id` derived from the key: a Mattermost app server answers a repeat
 * within 30 s with the first post (mattermost/mattermost#10006; per node, not cluster-wide), which covers a
 * create still running when we look.
 */
export class Messenger {
  readonly #deps: MessengerDeps;
  readonly #dmChannels = new Map<string, string>();

  constructor(deps: MessengerDeps) {
    this.#deps = deps;
  }

  /** The bot's DM channel with `userId` (get-or-create on the server, remembered here). */
  async dmChannelId(userId: string): Promise<string> {
    const known = this.#dmChannels.get(userId);
    if (known) return known;
    const channel = await this.#deps.rest.directChannel(this.#deps.botUserId(), userId);
    this.#dmChannels.set(userId, channel.id);
    return channel.id;
  }

  /** A DM from the bot. With `key`, calling again with the same key returns the first post. */
  async dm(
    userId: string,
    message: string,
    opts: { key?: string; props?: Record<string, unknown>; rootId?: string } = {},
  ): Promise<Post> {
    const channelId = await this.dmChannelId(userId);
    return this.post({ channel_id: channelId, message, props: opts.props, root_id: opts.rootId }, opts.key);
  }

  /** Creates a post once per key (see the class contract). Throws MattermostError when it cannot. */
  async post(post: NewPost, key: string = randomUUID()): Promise<Post> {
    const { rest, intents, clock } = this.#deps;
    let intent = await intents.begin(key, post.channel_id, new Date(clock.now()));
    // Someone (another replica, a concurrent call) began this key moments ago: give them time to finish.
    for (
      let i = 0;
      !intent.fresh && !intent.postId && clock.now() - intent.startedAt.getTime() < IN_FLIGHT_MS && i < 20;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
      intent = await intents.begin(key, post.channel_id, new Date(clock.now()));
    }
    if (intent.postId) return rest.getPost(intent.postId);
    const stamped: NewPost = {
      ...post,
      props: { ...(post.props ?? {}), [TXN_PROP]: key },
      pending_post_id: pendingPostId(this.#deps.botUserId(), key),
    };
    if (!intent.fresh) {
      const found = await this.#lookup(post.channel_id, key, intent.startedAt.getTime());
      if (found) return found;
    }
    const maxAttempts = this.#deps.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await rest.createPost(stamped);
        await intents.complete(key, created.id);
        return created;
      } catch (err) {
        const unsure = isMattermostError(err) && (err.httpStatus === 0 || err.httpStatus >= 500);
        if (!unsure) throw err;
        // The create may have happened (or still be running on a slow server) although we got no answer:
        // give it a moment, then look for our key before trying again.
        this.#deps.log.warn({ err, channelId: post.channel_id, attempt }, 'post create unclear; checking');
        await new Promise((r) => setTimeout(r, this.#deps.retryPauseMs ?? 500));
        const found = await this.#lookup(post.channel_id, key, intent.startedAt.getTime()).catch(
          () => undefined,
        );
        if (found) return found;
        if (attempt >= maxAttempts) throw err;
      }
    }
  }

  async #lookup(channelId: string, key: string, startedAt: number): Promise<Post | undefined> {
    const list = await this.#deps.rest.getPostsSince(channelId, startedAt - LOOKUP_SKEW_MS);
    const match = Object.values(list.posts ?? {}).find(
      (p) => p.props?.[TXN_PROP] === key && p.delete_at === 0,
    );
    if (match) await this.#deps.intents.complete(key, match.id);
    return match;
  }

  /**
   * An ephemeral post (seen only by `userId`, not stored). Needs the bot's system_admin role; when that is
   * missing (403) the message goes by DM instead, so the user still gets it. Returns how it was delivered.
   */
  async ephemeral(
    userId: string,
    channelId: string,
    message: string,
    props?: Record<string, unknown>,
  ): Promise<'ephemeral' | 'dm'> {
    try {
      await this.#deps.rest.createEphemeralPost(userId, { channel_id: channelId, message, props });
      return 'ephemeral';
    } catch (err) {
      if (!isMattermostError(err, 403)) throw err;
      await this.dm(userId, message, { props });
      return 'dm';
    }
  }
}

/** `<user id>:<number>` like the web app's pending ids, stable for one key (48 bits of its hash). */
function pendingPostId(userId: string, key: string): string {
  return `${userId}:${Number.parseInt(createHash('sha256').update(key).digest('hex').slice(0, 12), 16)}`;
}
