import { type MmUserId, parseMmUserId } from '../core/ids.ts';
import { isMattermostError } from './client/http.ts';
import type { MattermostRest } from './client/rest.ts';
import type { Messenger } from './messages/messenger.ts';

/**
 * The edge's side of the accounts domain's ports (src/accounts/ports.ts: UserMessenger, MattermostDirectory,
 * BotPosts), matched structurally because the edge may not import that folder. The composition root passes
 * these objects where the accounts domain asks for its ports.
 */
export function accountsPorts(rest: MattermostRest, messenger: Messenger) {
  return {
    /** UserMessenger */
    messenger: {
      async dm(mmUserId: MmUserId, markdown: string): Promise<void> {
        await messenger.dm(mmUserId, markdown);
      },
    },
    /** MattermostDirectory: undefined for an unknown or deactivated user. */
    directory: {
      async user(mmUserId: MmUserId) {
        try {
          const u = await rest.getUser(mmUserId);
          if (u.delete_at) return undefined;
          return { id: parseMmUserId(u.id), username: u.username, email: u.email, isBot: u.is_bot === true };
        } catch (err) {
          if (isMattermostError(err, 404)) return undefined;
          throw err;
        }
      },
    },
    /** BotPosts */
    posts: {
      async dmPost(mmUserId: MmUserId, markdown: string): Promise<string> {
        return (await messenger.dm(mmUserId, markdown)).id;
      },
      async updatePost(postId: string, markdown: string): Promise<void> {
        await rest.patchPost(postId, { message: markdown });
      },
    },
  };
}
