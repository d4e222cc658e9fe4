import { randomBytes } from 'node:crypto';

/**
 * Mattermost ids and tokens: 26 characters of lowercase base32 (alphabet `ybndrfg8ejkmcpqxot1uwisza345h769`,
 * server `model.NewId`). Clients validate the shape (`POST /users/status/ids` refuses anything else), so the
 * simulator mints the same shape for users, channels, posts, files, sessions and tokens alike.
 */
const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

export function newId(): string {
  const bytes = randomBytes(26);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

/** True when `s` has the shape of a Mattermost id. */
export function isId(s: unknown): s is string {
  return typeof s === 'string' && /^[a-z0-9]{26}$/.test(s);
}

/** A direct channel's name: the two user ids sorted and joined by `__` (server `GetDMNameFromIds`). */
export function directChannelName(a: string, b: string): string {
  return a < b ? `${a}__${b}` : `${b}__${a}`;
}
