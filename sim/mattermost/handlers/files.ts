import { extname } from 'node:path';
import type { MultipartFile } from '@fastify/multipart';
import { invalidUrlParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, sessionOf } from '../http/context.ts';
import { isId, newId } from '../ids.ts';
import { canPostInChannel, canReadChannel } from '../permissions.ts';
import type { FileRecord, SessionRecord } from '../state.ts';
import { fileInfoView } from '../views.ts';

/**
 * Files (server api4/file.go). Upload answers 201 `{file_infos, client_ids}` and needs `upload_file` in the
 * channel (membership); over `FileSettings.MaxFileSize` is 413. Multipart fields must put `channel_id` before the
 * files (the server streams and needs it first); a raw body with `?channel_id=&filename=` also works. A file is
 * readable by its uploader and by whoever can read the channel it was uploaded to. No thumbnails or previews.
 */
const FILE_NOT_FOUND = (): SimError =>
  new SimError(404, 'app.file_info.get.app_error', 'Unable to get the file info.');
const TOO_LARGE = (): SimError =>
  new SimError(
    413,
    'api.file.upload_file.too_large_detailed.app_error',
    'Unable to upload file. File is too large.',
  );

const MIME: Record<string, string> = {
  '.txt': 'text/plain',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.json': 'application/json',
  '.ics': 'text/calendar',
};

function store(
  ctx: RequestContext,
  session: SessionRecord,
  channelId: string,
  name: string,
  data: Buffer,
  mime?: string,
): FileRecord {
  const state = ctx.world.state;
  if (data.length > state.config.FileSettings.MaxFileSize) throw TOO_LARGE();
  const ext = extname(name).toLowerCase();
  const f: FileRecord = {
    id: newId(),
    user_id: session.user_id,
    channel_id: channelId,
    post_id: '',
    name,
    extension: ext.replace(/^\./, ''),
    size: data.length,
    mime_type: mime && mime !== 'application/octet-stream' ? mime : (MIME[ext] ?? 'application/octet-stream'),
    create_at: state.now(),
    delete_at: 0,
    data,
  };
  state.files.set(f.id, f);
  return f;
}

function checkChannel(ctx: RequestContext, session: SessionRecord, channelId: unknown): string {
  if (!isId(channelId))
    throw new SimError(
      400,
      'api.file.upload_file.incorrect_channelId.app_error',
      'Unable to upload the file. Incorrect channel ID.',
    );
  const channel = ctx.world.state.channels.get(channelId);
  if (!channel || !canPostInChannel(ctx.world.state, session, channel)) throw permissionDenied('upload_file');
  return channelId;
}

export async function uploadFiles(ctx: RequestContext): Promise<Result> {
  const session = sessionOf(ctx);
  const infos: FileRecord[] = [];
  const clientIds: string[] = [];
  if (ctx.request.isMultipart()) {
    let channelId: string | undefined;
    for await (const part of ctx.request.parts()) {
      if (part.type === 'field') {
        if (part.fieldname === 'channel_id') channelId = checkChannel(ctx, session, part.value);
        else if (part.fieldname === 'client_ids' && typeof part.value === 'string')
          clientIds.push(part.value);
        continue;
      }
      const file = part as MultipartFile;
      if (!channelId)
        throw new SimError(
          400,
          'api.file.upload_file.incorrect_channelId.app_error',
          'Unable to upload the file. Incorrect channel ID.',
        );
      const data = await file.toBuffer().catch(() => {
        throw TOO_LARGE();
      });
      if (file.file.truncated) throw TOO_LARGE();
      infos.push(store(ctx, session, channelId, file.filename || 'file', data, file.mimetype));
    }
  } else {
    const channelId = checkChannel(ctx, session, ctx.query.channel_id);
    const filename = ctx.query.filename;
    if (!filename)
      throw new SimError(
        400,
        'api.file.upload_file.read_request.app_error',
        'Unable to upload file(s). Error reading or parsing request data.',
      );
    const body = Buffer.isBuffer(ctx.body)
      ? ctx.body
      : Buffer.from(typeof ctx.body === 'string' ? ctx.body : '');
    infos.push(store(ctx, session, channelId, filename, body));
  }
  if (infos.length === 0)
    throw new SimError(
      400,
      'api.file.upload_file.read_request.app_error',
      'Unable to upload file(s). Error reading or parsing request data.',
    );
  return ok({ file_infos: infos.map(fileInfoView), client_ids: clientIds }, 201);
}

function readableFile(ctx: RequestContext): FileRecord {
  const session = sessionOf(ctx);
  const id = ctx.params.file_id;
  if (!isId(id)) throw invalidUrlParam('file_id');
  const f = ctx.world.state.files.get(id);
  if (f?.delete_at !== 0) throw FILE_NOT_FOUND();
  if (f.user_id !== session.user_id) {
    const channel = ctx.world.state.channels.get(f.channel_id);
    if (!channel || !canReadChannel(ctx.world.state, session, channel))
      throw permissionDenied('read_channel');
  }
  return f;
}

export function getFile(ctx: RequestContext): Result {
  const f = readableFile(ctx);
  const disposition = ctx.query.download === '1' || ctx.query.download === 'true' ? 'attachment' : 'inline';
  return {
    status: 200,
    raw: { body: f.data, contentType: f.mime_type },
    headers: { 'Content-Disposition': `${disposition}; filename="${encodeURIComponent(f.name)}"` },
  };
}

export function getFileInfo(ctx: RequestContext): Result {
  return ok(fileInfoView(readableFile(ctx)));
}

export function getFileThumbnail(ctx: RequestContext): Result {
  readableFile(ctx);
  throw new SimError(
    400,
    'api.file.get_file_thumbnail.no_thumbnail.app_error',
    'File doesn’t have a thumbnail image.',
  );
}

/** `GET /posts/{id}/files/info`: the infos of a readable post's attachments. */
export function getPostFileInfos(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const session = sessionOf(ctx);
  const id = ctx.params.post_id;
  if (!isId(id)) throw invalidUrlParam('post_id');
  const post = state.posts.get(id);
  if (post?.delete_at !== 0) throw new SimError(404, 'app.post.get.app_error', 'Unable to get the post.');
  const channel = state.channels.get(post.channel_id);
  if (!channel || !canReadChannel(state, session, channel)) throw permissionDenied('read_channel');
  return ok(
    post.file_ids
      .map((f) => state.files.get(f))
      .filter((f) => f !== undefined)
      .map(fileInfoView),
  );
}
