/**
 * Identifier minting in the shapes Graph uses (graph-api.md §2.1, §4.1). Shapes matter because clients parse
 * them (chat ids, channel ids, epoch-ms message ids); values are random and never reused within a sim.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export const guid = (): string => randomUUID();

/** Outlook item id: long base64url-ish, `AAMkAD…` prefix, padded with `=` like real ids. */
export const outlookId = (): string => `AAMkAD${randomBytes(48).toString('base64url')}AAA=`;

export const changeKey = (): string => randomBytes(12).toString('base64');

const hex32 = () => randomBytes(16).toString('hex');
export const channelId = (): string => `19:${hex32()}@thread.tacv2`;
export const groupChatId = (): string => `19:${hex32()}@thread.v2`;
/** 1:1 chat ids are derived from the two user ids (sorted), so create is naturally idempotent. */
export const oneOnOneChatId = (a: string, b: string): string => {
  const [x, y] = [a, b].sort();
  return `19:${x}_${y}@unq.gbl.spaces`;
};

/** Opaque long ids (hosted contents, conversation members, drive items). */
export const opaqueId = (bytes = 36): string => randomBytes(bytes).toString('base64url');

export const randomSecret = (): string => randomBytes(30).toString('base64url');
