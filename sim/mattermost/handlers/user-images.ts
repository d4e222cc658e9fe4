import { permissionDenied, SimError } from '../errors.ts';
import { type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isAdmin } from '../permissions.ts';
import { resolveUserId } from './users.ts';

/** A 1×1 transparent PNG: the default avatar the sim serves until one is uploaded. */
const DEFAULT_AVATAR = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** `GET /users/{id}/image`: the uploaded picture, else a default PNG (any session may read avatars). */
export function getUserImage(ctx: RequestContext): Result {
  const userId = resolveUserId(ctx, ctx.params.user_id);
  const image = ctx.world.state.userImages.get(userId);
  return {
    status: 200,
    raw: { body: image?.data ?? DEFAULT_AVATAR, contentType: image?.contentType ?? 'image/png' },
  };
}

/**
 * `POST /users/{id}/image` (multipart `image`): self, the owner of a bot, or `edit_other_users`. Products use it to
 * give their bot an avatar; the bytes are kept as given (no resizing).
 */
export async function setUserImage(ctx: RequestContext): Promise<Result> {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const userId = resolveUserId(ctx, ctx.params.user_id);
  const ownsBot = state.bots.get(userId)?.owner_id === session.user_id;
  if (userId !== session.user_id && !ownsBot && !isAdmin(state, session))
    throw permissionDenied('edit_other_users');
  if (!ctx.request.isMultipart())
    throw new SimError(
      400,
      'api.user.upload_profile_user.no_file.app_error',
      "No file under 'image' in request.",
    );
  const file = await ctx.request.file();
  if (file?.fieldname !== 'image') {
    throw new SimError(
      400,
      'api.user.upload_profile_user.no_file.app_error',
      "No file under 'image' in request.",
    );
  }
  const data = await file.toBuffer();
  state.userImages.set(userId, { data, contentType: file.mimetype || 'application/octet-stream' });
  const user = state.users.get(userId);
  if (user) user.update_at = state.now();
  return STATUS_OK;
}
