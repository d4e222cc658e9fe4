/**
 * Drive handlers: path-addressed (`root:/a/b.txt:/content`) and id-addressed (`items/{id}:/name:/content`)
 * items, simple upload, upload sessions (`PUT /_upload/{id}` with Content-Range, no Authorization, as Graph's
 * uploadUrl is pre-authenticated), download (`/content` → 302 to the pre-authenticated URL), channel
 * filesFolder, `/shares/u!…/driveItem`, and `invite` (accepted, recorded nowhere: sharing is not modelled).
 *
 * Upload rule kept from OneDrive: every chunk but the last must be a multiple of 320 KiB, chunks must arrive
 * in order, and the declared total must not change.
 */
import { randomBytes } from 'node:crypto';
import type { Handler, SimContext, SimRequest, SimResponse } from '../context.ts';
import { directoryUser, principalOf } from '../graph/auth.ts';
import { badRequest, GraphError } from '../graph-error.ts';
import type { DriveItemRecord } from '../state.ts';
import { channelFor } from '../teams/containers.ts';
import {
  type DriveRef,
  driveById,
  ensureFolder,
  findByPath,
  fullPath,
  itemJson,
  itemsIn,
  redeemDownload,
  rootJson,
  teamDrive,
  userDrive,
  webUrl,
  writeFile,
} from './drive.ts';

const CHUNK_UNIT = 320 * 1024;
const notFound = () => new GraphError(404, 'itemNotFound', 'The resource could not be found.');

/** A delegated caller may use its own drive and the drives of teams it belongs to. */
function checkAccess(req: SimRequest, ctx: SimContext, drive: DriveRef): void {
  const p = principalOf(req);
  if (p.kind === 'app') return;
  if (drive.ownerUserId === p.userId) return;
  if (drive.teamId && ctx.state.teams.get(drive.teamId)?.memberIds.includes(p.userId)) return;
  throw new GraphError(403, 'accessDenied', 'Access denied');
}

type Op = { kind: 'item' | 'content' | 'createUploadSession' | 'children' | 'invite' };

/** Splits `…/a/b.txt:/content` (raw, still percent-encoded) into the path and the operation. */
function parsePathOp(raw: string): { path: string; op: Op['kind'] } {
  const suffix = /:\/(content|createUploadSession|children)$/.exec(raw)?.[1] as Op['kind'] | undefined;
  const path = suffix ? raw.slice(0, raw.length - suffix.length - 2) : raw.replace(/:$/, '');
  return { path, op: suffix ?? 'item' };
}

function driveOfUser(req: SimRequest, ctx: SimContext): DriveRef {
  const drive = userDrive(directoryUser(req, ctx).id);
  checkAccess(req, ctx, drive);
  return drive;
}

function afterMarker(req: SimRequest, marker: string): string {
  const i = req.path.toLowerCase().indexOf(marker.toLowerCase());
  if (i < 0) throw badRequest('Invalid path.');
  return req.path.slice(i + marker.length);
}

export const getDrive: Handler = (req, ctx) => {
  const drive = driveOfUser(req, ctx);
  const u = ctx.state.users.get(drive.ownerUserId ?? '');
  return {
    status: 200,
    body: {
      '@odata.context': `${ctx.urls.graph}/$metadata#drives/$entity`,
      id: drive.id,
      driveType: 'business',
      name: 'OneDrive',
      owner: { user: { id: u?.id, displayName: u?.displayName, email: u?.mail } },
      quota: {
        total: 1_099_511_627_776,
        used: itemsIn(ctx, drive).reduce((n, i) => n + i.bytes.length, 0),
        state: 'normal',
      },
    },
  };
};

export const getRoot: Handler = (req, ctx) => ({ status: 200, body: rootJson(ctx, driveOfUser(req, ctx)) });

export const rootChildren: Handler = (req, ctx) => children(ctx, driveOfUser(req, ctx), '');

function children(ctx: SimContext, drive: DriveRef, path: string): SimResponse {
  const items = itemsIn(ctx, drive).filter((i) => i.parentPath.toLowerCase() === path.toLowerCase());
  return { status: 200, body: { value: items.map((i) => itemJson(ctx, i, true)) } };
}

/** GET/PUT/POST /{user}/drive/root:/path[:/op] */
export const userPathOp: Handler = (req, ctx) =>
  pathOp(req, ctx, driveOfUser(req, ctx), '', afterMarker(req, 'root:'));

async function pathOp(
  req: SimRequest,
  ctx: SimContext,
  drive: DriveRef,
  base: string,
  raw: string,
): Promise<SimResponse> {
  const { path, op } = parsePathOp(raw);
  const decoded = decodeURIComponent(path).replace(/^\/+/, '');
  const full = base ? `${base}/${decoded}` : decoded;
  if (req.method === 'GET') {
    const item = findByPath(ctx, drive, full);
    if (!item) throw notFound();
    if (op === 'children') return children(ctx, drive, fullPath(item));
    if (op === 'content') return contentRedirect(ctx, item);
    return { status: 200, body: itemJson(ctx, item, true) };
  }
  if (req.method === 'PUT' && op === 'content') {
    const bytes = req.rawBody ?? Buffer.alloc(0);
    if (bytes.length > 250 * 1024 * 1024)
      throw badRequest('Simple upload is limited to 250 MB; use an upload session.');
    const conflict =
      (req.query['@microsoft.graph.conflictBehavior'] as 'replace' | 'rename' | 'fail' | undefined) ??
      'replace';
    const before = findByPath(ctx, drive, full);
    const item = writeFile(ctx, drive, full, bytes, conflict);
    return { status: before && before.id === item.id ? 200 : 201, body: itemJson(ctx, item, false) };
  }
  if (req.method === 'POST' && op === 'createUploadSession') {
    const b = (req.body ?? {}) as { item?: Record<string, unknown> };
    const conflict = String(b.item?.['@microsoft.graph.conflictBehavior'] ?? 'replace');
    if (!['replace', 'rename', 'fail'].includes(conflict))
      throw badRequest(`Invalid conflictBehavior '${conflict}'.`);
    if (conflict === 'fail' && findByPath(ctx, drive, full)) {
      throw new GraphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
    }
    const slash = full.lastIndexOf('/');
    const id = randomBytes(24).toString('base64url');
    const expiresAt = ctx.clock.now() + 86_400_000;
    ctx.state.uploadSessions.set(id, {
      id,
      driveId: drive.id,
      parentPath: slash < 0 ? '' : full.slice(0, slash),
      name: `${slash < 0 ? full : full.slice(slash + 1)}|${conflict}`,
      ownerUserId: drive.ownerUserId,
      size: null,
      chunks: [],
      received: 0,
      expiresAt,
    });
    return {
      status: 200,
      body: {
        '@odata.context': `${ctx.urls.graph}/$metadata#microsoft.graph.uploadSession`,
        uploadUrl: `${ctx.urls.base}/_upload/${id}`,
        expirationDateTime: new Date(expiresAt).toISOString(),
        nextExpectedRanges: ['0-'],
      },
    };
  }
  throw badRequest(`Unsupported drive operation ${req.method} '${op}'.`, 'invalidRequest');
}

function contentRedirect(ctx: SimContext, item: DriveItemRecord): SimResponse {
  if (item.isFolder) throw badRequest('Cannot download a folder.', 'notSupported');
  const j = itemJson(ctx, item, true);
  return { status: 302, headers: { Location: String(j['@microsoft.graph.downloadUrl']) } };
}

/** GET/PUT/POST /drives/{driveId}/items/{itemId}[/content|/children|/invite|:/path:/op] */
export const driveItemOp: Handler = (req, ctx) => {
  const drive = driveById(ctx, req.params.driveId ?? '');
  checkAccess(req, ctx, drive);
  return itemOp(req, ctx, drive, afterMarker(req, '/items/'));
};

export const userItemOp: Handler = (req, ctx) =>
  itemOp(req, ctx, driveOfUser(req, ctx), afterMarker(req, '/items/'));

function itemOp(
  req: SimRequest,
  ctx: SimContext,
  drive: DriveRef,
  raw: string,
): Promise<SimResponse> | SimResponse {
  const m = /^([^/:]+)(.*)$/.exec(raw);
  const itemId = m?.[1] ?? '';
  const rest = m?.[2] ?? '';
  const item = ctx.state.driveItems.get(itemId);
  if (!item || item.driveId !== drive.id) throw notFound();
  if (rest.startsWith(':')) {
    if (!item.isFolder) throw badRequest('Path-relative addressing needs a folder.', 'invalidRequest');
    return pathOp(req, ctx, drive, fullPath(item), rest.slice(1));
  }
  if (req.method === 'GET' && rest === '') return { status: 200, body: itemJson(ctx, item, true) };
  if (req.method === 'GET' && rest === '/content') return contentRedirect(ctx, item);
  if (req.method === 'GET' && rest === '/children') return children(ctx, drive, fullPath(item));
  if (req.method === 'POST' && rest === '/invite') {
    const b = (req.body ?? {}) as { recipients?: unknown[]; roles?: string[] };
    if (!Array.isArray(b.recipients) || b.recipients.length === 0)
      throw badRequest('recipients is required.');
    return {
      status: 200,
      body: {
        value: b.recipients.map(() => ({
          id: randomBytes(8).toString('hex'),
          roles: b.roles ?? ['read'],
          link: { webUrl: webUrl(ctx, item) },
        })),
      },
    };
  }
  throw badRequest(`Unsupported drive operation ${req.method} '${rest}'.`, 'invalidRequest');
}

/** GET /teams/{t}/channels/{c}/filesFolder: the channel's folder in the team library (created on demand). */
export const filesFolder: Handler = (req, ctx) => {
  const { team, channel } = channelFor(req, ctx);
  const folder = ensureFolder(ctx, teamDrive(team.id), channel.displayName);
  if (!folder) throw notFound();
  return { status: 200, body: itemJson(ctx, folder, false) };
};

/** GET /shares/u!{base64url(webUrl)}/driveItem */
export const sharedItem: Handler = (req, ctx) => {
  const id = req.params.shareId ?? '';
  if (!id.startsWith('u!')) throw badRequest('Invalid share id.', 'invalidRequest');
  const url = Buffer.from(id.slice(2), 'base64url').toString('utf8');
  const item = [...ctx.state.driveItems.values()].find(
    (i) => webUrl(ctx, i) === url || decodeURI(webUrl(ctx, i)) === decodeURI(url),
  );
  if (!item) throw notFound();
  checkAccess(req, ctx, driveById(ctx, item.driveId));
  return { status: 200, body: itemJson(ctx, item, true) };
};

/** PUT /_upload/{session}: one chunk with `Content-Range: bytes a-b/total`; 202 until complete, then 201 + item. */
export const uploadChunk: Handler = (req, ctx) => {
  const s = ctx.state.uploadSessions.get(req.params.sessionId ?? '');
  if (!s || s.expiresAt <= ctx.clock.now())
    throw new GraphError(404, 'itemNotFound', 'The upload session was not found or has expired.');
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.headers['content-range'] ?? '');
  if (!m) throw badRequest('The Content-Range header is missing or malformed.', 'invalidRange');
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const bytes = req.rawBody ?? Buffer.alloc(0);
  if (end - start + 1 !== bytes.length)
    throw badRequest('The Content-Range does not match the body length.', 'invalidRange');
  if (s.size !== null && s.size !== total)
    throw badRequest('The declared file size changed.', 'invalidRange');
  if (start !== s.received) {
    throw new GraphError(
      416,
      'invalidRange',
      `The uploaded fragment overlaps or skips data; expected ${s.received}.`,
    );
  }
  const last = end + 1 === total;
  if (!last && bytes.length % CHUNK_UNIT !== 0)
    throw badRequest('Fragment size must be a multiple of 320 KiB.', 'invalidRange');
  s.size = total;
  s.chunks.push(bytes);
  s.received = end + 1;
  if (!last) {
    return {
      status: 202,
      body: {
        expirationDateTime: new Date(s.expiresAt).toISOString(),
        nextExpectedRanges: [`${s.received}-`],
      },
    };
  }
  ctx.state.uploadSessions.delete(s.id);
  const [name = '', conflict] = s.name.split('|');
  const drive = driveById(ctx, s.driveId);
  const item = writeFile(
    ctx,
    drive,
    s.parentPath ? `${s.parentPath}/${name}` : name,
    Buffer.concat(s.chunks),
    conflict as 'replace',
  );
  return { status: 201, body: itemJson(ctx, item, false) };
};

/** GET /_download/{token}: the bytes, no Authorization needed (pre-authenticated URL). */
export const download: Handler = (req, ctx) => {
  const item = redeemDownload(ctx, req.params.token ?? '');
  return {
    status: 200,
    body: item.bytes,
    headers: {
      'Content-Type': String((itemJson(ctx, item, false).file as { mimeType?: string }).mimeType),
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(item.name)}`,
    },
  };
};
