/**
 * The slice of OneDrive/SharePoint a Teams file attachment needs (graph-api.md §4.4): a personal drive per
 * user (chat files go to "Microsoft Teams Chat Files"), a document library per team (one folder per channel),
 * path-addressed items, simple upload, resumable upload sessions, pre-authenticated download URLs, and
 * `/shares/u!…` lookup by web URL. Bytes are kept in memory and come back exactly.
 */
import { randomBytes } from 'node:crypto';
import { graphInstant } from '../calendar/time-zones.ts';
import type { SimContext } from '../context.ts';
import { badRequest, GraphError } from '../graph-error.ts';
import { guid } from '../ids.ts';
import type { DriveItemRecord } from '../state.ts';

export const CHAT_FILES_FOLDER = 'Microsoft Teams Chat Files';

export interface DriveRef {
  id: string;
  ownerUserId: string | null;
  teamId: string | null;
}

export function userDrive(userId: string): DriveRef {
  return { id: `b!u-${Buffer.from(userId).toString('base64url')}`, ownerUserId: userId, teamId: null };
}

export function teamDrive(teamId: string): DriveRef {
  return { id: `b!t-${Buffer.from(teamId).toString('base64url')}`, ownerUserId: null, teamId };
}

export function driveById(ctx: SimContext, id: string): DriveRef {
  const m = /^b!([ut])-(.+)$/.exec(id);
  const owner = m?.[2] ? Buffer.from(m[2], 'base64url').toString('utf8') : '';
  if (m?.[1] === 'u' && ctx.state.users.has(owner)) return userDrive(owner);
  if (m?.[1] === 't' && ctx.state.teams.has(owner)) return teamDrive(owner);
  throw new GraphError(404, 'itemNotFound', 'The resource could not be found.');
}

const ROOT = 'root';

function siteBase(ctx: SimContext, drive: DriveRef): string {
  const tenant = ctx.state.tenant.domain.split('.')[0] ?? 'contoso';
  if (drive.ownerUserId) {
    const u = ctx.state.users.get(drive.ownerUserId);
    const who = (u?.userPrincipalName ?? drive.ownerUserId).replace(/[@.]/g, '_').toLowerCase();
    return `https://${tenant}-my.sharepoint.com/personal/${who}/Documents`;
  }
  const t = ctx.state.teams.get(drive.teamId ?? '');
  return `https://${tenant}.sharepoint.com/sites/${encodeURIComponent((t?.displayName ?? 'team').replace(/\s+/g, ''))}/Shared%20Documents`;
}

/** Normalizes a drive path ("/a/b/") to "a/b"; refuses traversal. */
export function cleanPath(path: string): string {
  const parts = decodeURIComponent(path).split('/').filter(Boolean);
  if (parts.some((p) => p === '..' || p === '.')) throw badRequest('Invalid path.', 'invalidRequest');
  return parts.join('/');
}

export function itemsIn(ctx: SimContext, drive: DriveRef): DriveItemRecord[] {
  return [...ctx.state.driveItems.values()].filter((i) => i.driveId === drive.id);
}

export function fullPath(i: DriveItemRecord): string {
  return i.parentPath ? `${i.parentPath}/${i.name}` : i.name;
}

export function findByPath(ctx: SimContext, drive: DriveRef, path: string): DriveItemRecord | undefined {
  const p = cleanPath(path).toLowerCase();
  return itemsIn(ctx, drive).find((i) => fullPath(i).toLowerCase() === p);
}

/** Creates every missing folder along `path` (Teams creates the chat-files and channel folders on demand). */
export function ensureFolder(ctx: SimContext, drive: DriveRef, path: string): DriveItemRecord | null {
  const parts = cleanPath(path).split('/').filter(Boolean);
  let parent = '';
  let folder: DriveItemRecord | null = null;
  for (const name of parts) {
    const p = parent ? `${parent}/${name}` : name;
    folder = findByPath(ctx, drive, p) ?? null;
    if (!folder) {
      folder = newItem(ctx, drive, parent, name, true, Buffer.alloc(0));
    } else if (!folder.isFolder) throw badRequest(`'${p}' is a file.`, 'invalidRequest');
    parent = p;
  }
  return folder;
}

function newItem(
  ctx: SimContext,
  drive: DriveRef,
  parentPath: string,
  name: string,
  isFolder: boolean,
  bytes: Buffer,
): DriveItemRecord {
  const now = ctx.clock.now();
  const item: DriveItemRecord = {
    id: `01${randomBytes(20).toString('hex').toUpperCase().slice(0, 32)}`,
    driveId: drive.id,
    ownerUserId: drive.ownerUserId,
    parentPath,
    name,
    isFolder,
    bytes,
    eTagGuid: guid().toUpperCase(),
    createdAt: now,
    modifiedAt: now,
  };
  ctx.state.driveItems.set(item.id, item);
  return item;
}

/** Writes a file at `path`; `conflict` follows `@microsoft.graph.conflictBehavior` (default replace). */
export function writeFile(
  ctx: SimContext,
  drive: DriveRef,
  path: string,
  bytes: Buffer,
  conflict: 'replace' | 'rename' | 'fail' = 'replace',
): DriveItemRecord {
  const clean = cleanPath(path);
  const slash = clean.lastIndexOf('/');
  const parentPath = slash < 0 ? '' : clean.slice(0, slash);
  let name = slash < 0 ? clean : clean.slice(slash + 1);
  if (!name || /[\\*:<>?"|]/.test(name)) throw badRequest(`Invalid file name '${name}'.`, 'invalidRequest');
  if (parentPath) ensureFolder(ctx, drive, parentPath);
  let existing = findByPath(ctx, drive, clean);
  if (existing && conflict === 'fail') {
    throw new GraphError(409, 'nameAlreadyExists', 'The specified item name already exists.');
  }
  if (existing && conflict === 'rename') {
    const dot = name.lastIndexOf('.');
    for (let n = 1; existing; n++) {
      const candidate = dot > 0 ? `${name.slice(0, dot)} ${n}${name.slice(dot)}` : `${name} ${n}`;
      existing = findByPath(ctx, drive, parentPath ? `${parentPath}/${candidate}` : candidate);
      if (!existing) name = candidate;
    }
  }
  if (existing) {
    if (existing.isFolder) throw new GraphError(409, 'nameAlreadyExists', 'A folder with that name exists.');
    existing.bytes = bytes;
    existing.modifiedAt = ctx.clock.now();
    return existing;
  }
  return newItem(ctx, drive, parentPath, name, false, bytes);
}

/** A pre-authenticated, short-lived (1 h) download URL, as `@microsoft.graph.downloadUrl` is. */
export function downloadUrl(ctx: SimContext, item: DriveItemRecord): string {
  const token = randomBytes(24).toString('base64url');
  ctx.state.downloadTokens.set(token, { itemId: item.id, expiresAt: ctx.clock.now() + 3_600_000 });
  return `${ctx.urls.base}/_download/${token}`;
}

export function redeemDownload(ctx: SimContext, token: string): DriveItemRecord {
  const t = ctx.state.downloadTokens.get(token);
  const item = t && t.expiresAt > ctx.clock.now() ? ctx.state.driveItems.get(t.itemId) : undefined;
  if (!item) throw new GraphError(401, 'unauthenticated', 'The download link has expired or is invalid.');
  return item;
}

export function webUrl(ctx: SimContext, item: DriveItemRecord): string {
  const drive = driveById(ctx, item.driveId);
  return `${siteBase(ctx, drive)}/${fullPath(item).split('/').map(encodeURIComponent).join('/')}`;
}

export function itemJson(
  ctx: SimContext,
  item: DriveItemRecord,
  withDownload: boolean,
): Record<string, unknown> {
  const drive = driveById(ctx, item.driveId);
  const j: Record<string, unknown> = {
    '@odata.context': `${ctx.urls.graph}/$metadata#drives('${item.driveId}')/items/$entity`,
    id: item.id,
    name: item.name,
    eTag: `"{${item.eTagGuid}},1"`,
    cTag: `"c:{${item.eTagGuid}},1"`,
    createdDateTime: graphInstant(item.createdAt).replace(/\.\d+Z$/, 'Z'),
    lastModifiedDateTime: graphInstant(item.modifiedAt).replace(/\.\d+Z$/, 'Z'),
    size: item.bytes.length,
    webUrl: webUrl(ctx, item),
    parentReference: {
      driveType: drive.ownerUserId ? 'business' : 'documentLibrary',
      driveId: item.driveId,
      path: `/drives/${item.driveId}/root:${item.parentPath ? `/${item.parentPath}` : ''}`,
    },
  };
  if (item.isFolder)
    j.folder = { childCount: itemsIn(ctx, drive).filter((i) => i.parentPath === fullPath(item)).length };
  else {
    j.file = { mimeType: mimeOf(item.name) };
    if (withDownload) j['@microsoft.graph.downloadUrl'] = downloadUrl(ctx, item);
  }
  return j;
}

export function rootJson(ctx: SimContext, drive: DriveRef): Record<string, unknown> {
  return {
    id: `${ROOT}-${drive.id}`,
    name: 'root',
    root: {},
    folder: { childCount: itemsIn(ctx, drive).filter((i) => i.parentPath === '').length },
    webUrl: siteBase(ctx, drive),
    parentReference: { driveId: drive.id, driveType: drive.ownerUserId ? 'business' : 'documentLibrary' },
  };
}

function mimeOf(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  const types: Record<string, string> = {
    txt: 'text/plain',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    pdf: 'application/pdf',
    json: 'application/json',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  };
  return types[ext] ?? 'application/octet-stream';
}
