import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import type { TokenSigner } from '../../core/signed-token.ts';

const ACTION = 'mattermost.action';
const DIALOG = 'mattermost.dialog';

/**
 * What an action context binds, under an HMAC (Mattermost signs nothing it sends us): the action, the one
 * user who may click, the post it sits on (or, when the post id cannot be known, e.g. a slash-command
 * reply, the channel), and an expiry. `d` is the builder's data.
 */
interface ActionClaims {
  a: string;
  u: string;
  p?: string;
  c?: string;
  d?: unknown;
}

/** The `integration.context` we put on a button: the action id in clear (for logs) and the signed token. */
export interface WireActionContext {
  a: string;
  t: string;
}

export function signActionContext(
  signer: TokenSigner,
  claims: { action: string; userId: string; postId?: string; channelId?: string; data?: unknown },
  expiresAt: number,
): WireActionContext {
  const body: ActionClaims = { a: claims.action, u: claims.userId };
  if (claims.postId) body.p = claims.postId;
  else if (claims.channelId) body.c = claims.channelId;
  if (claims.data !== undefined) body.d = claims.data;
  return { a: claims.action, t: signer.sign(ACTION, body, expiresAt) };
}

/**
 * Checks a click against its context. Order matters for what the clicker is told: a forged, altered or
 * expired context is MM365_SIGNATURE_INVALID/EXPIRED (403); a genuine context clicked on another post or
 * channel is invalid too; a genuine context clicked by someone else is MM365_MM_WRONG_USER.
 */
export function verifyActionContext(
  signer: TokenSigner,
  clock: Clock,
  context: unknown,
  request: { userId: string; postId: string; channelId: string },
): { action: string; data: unknown } {
  const wire = (context ?? {}) as Partial<WireActionContext>;
  const claims = signer.verify<ActionClaims>(ACTION, wire.t, clock.now());
  if (
    claims.a !== wire.a ||
    (claims.p && claims.p !== request.postId) ||
    (claims.c && claims.c !== request.channelId)
  ) {
    throw new AppError('MM365_SIGNATURE_INVALID', 'This button is not valid here. Please start again.');
  }
  if (claims.u !== request.userId) {
    throw new AppError('MM365_MM_WRONG_USER', 'This button is for someone else.');
  }
  return { action: claims.a, data: claims.d };
}

interface DialogClaims {
  c: string;
  u: string;
  d?: unknown;
}

export function signDialogState(
  signer: TokenSigner,
  claims: { callbackId: string; userId: string; data?: unknown },
  expiresAt: number,
): string {
  const body: DialogClaims = { c: claims.callbackId, u: claims.userId };
  if (claims.data !== undefined) body.d = claims.data;
  return signer.sign(DIALOG, body, expiresAt);
}

export function verifyDialogState(
  signer: TokenSigner,
  clock: Clock,
  state: unknown,
  request: { callbackId: string; userId: string },
): { callbackId: string; data: unknown } {
  const claims = signer.verify<DialogClaims>(DIALOG, state, clock.now());
  if (claims.c !== request.callbackId) {
    throw new AppError('MM365_SIGNATURE_INVALID', 'This dialog is not valid. Please start again.');
  }
  if (claims.u !== request.userId)
    throw new AppError('MM365_MM_WRONG_USER', 'This dialog is for someone else.');
  return { callbackId: claims.c, data: claims.d };
}
