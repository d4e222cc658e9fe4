import type { MmChannelId, MmPostId, MmTeamId, MmUserId } from '../core/ids.ts';

/**
 * Vendor-neutral events the Mattermost edge delivers to subscribers (house style rule 3): converted and
 * validated here, so a domain never sees Mattermost's JSON. When the domains' ports land, these types move
 * to (or are re-declared in) their ports files; the edge keeps producing the same shapes.
 */
export interface MmPostView {
  id: MmPostId;
  channelId: MmChannelId;
  userId: MmUserId;
  /** The thread root, or undefined for a root post. */
  rootId: MmPostId | undefined;
  message: string;
  /** Post props as Mattermost has them; `mm365_txn` marks posts we made (echo suppression). */
  props: Record<string, unknown>;
  fileIds: string[];
  /** Empty for user posts; system posts have a type such as `system_join_channel`. */
  type: string;
  createAt: number;
  updateAt: number;
  editAt: number;
  deleteAt: number;
  /** Made by a bot (`props.from_bot`) or through an OAuth app (`props.from_oauth_app`). */
  fromBot: boolean;
  fromOAuthApp: boolean;
}

/** `live`: from the socket as it happened; `catch-up`: found by REST after the socket lost events. */
export type EventSource = 'live' | 'catch-up';

export type MmEvent =
  | { kind: 'MmPostCreated'; post: MmPostView; channelType: string | undefined; source: EventSource }
  | { kind: 'MmPostEdited'; post: MmPostView; source: EventSource }
  | { kind: 'MmPostDeleted'; post: MmPostView; source: EventSource }
  | {
      kind: 'MmReactionAdded' | 'MmReactionRemoved';
      userId: MmUserId;
      postId: MmPostId;
      emojiName: string;
      channelId: MmChannelId | undefined;
    }
  | { kind: 'MmBotAddedToTeam'; teamId: MmTeamId };

/**
 * A subscriber. Contract: called once per event in arrival order, one at a time; may be called again for an
 * event it already saw (a catch-up overlaps what the socket delivered), so it must be idempotent (dedup in
 * the database by post id and update time). A thrown error is logged and does not stop delivery.
 */
export type MmEventHandler = (event: MmEvent) => Promise<void> | void;
