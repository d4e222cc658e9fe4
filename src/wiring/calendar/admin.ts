import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AdminDirectory,
  adminSubcommands,
  type BuildInfo,
  CalendarAdminReport,
  infoSubcommand,
} from '../../calendar/index.ts';
import { createAdminCalendars } from '../../microsoft/calendar/admin-calendars.ts';
import type { CalendarPart, CalendarShared, CalendarWiringDeps } from './part.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The checkout's HEAD commit, read from .git without running git; null when there is no checkout. */
function gitHead(): string | null {
  try {
    const gitDir = readGitDir();
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref:')) return /^[0-9a-f]{40}$/.test(head) ? head : null;
    const ref = head.slice(4).trim();
    const loose = join(gitDir, ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
    const packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8');
    const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
    return line?.split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

function readGitDir(): string {
  const dotGit = join(root, '.git');
  try {
    const text = readFileSync(dotGit, 'utf8');
    if (text.startsWith('gitdir:')) return resolve(root, text.slice(7).trim());
  } catch {
    // A directory: the usual checkout.
  }
  return dotGit;
}

/** Product name and version from package.json, commit from GIT_COMMIT or the checkout. */
export function buildInfo(startedAt: Date): BuildInfo {
  let version = 'unknown';
  try {
    version =
      (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ??
      version;
  } catch {
    // Installed without its package.json: the version is unknown, info still answers.
  }
  const fromEnv = process.env.GIT_COMMIT?.trim();
  return {
    product: 'mattermost-m365',
    version,
    commit: fromEnv && /^[0-9a-f]{7,40}$/i.test(fromEnv) ? fromEnv.toLowerCase() : gitHead(),
    startedAt,
  };
}

/**
 * `info` (anyone) and the admin commands (`showcals`, `avail`, `subscribe`, `unsubscribe`): reports over the
 * database, the caller's calendars from Graph, usernames from Mattermost.
 */
export function adminPart(deps: CalendarWiringDeps, shared: CalendarShared): CalendarPart {
  const report = new CalendarAdminReport(deps.store.db);
  const rest = deps.mattermost.rest;
  const directory: AdminDirectory = {
    async userIdByName(username) {
      try {
        const u = await rest.http.json<{ id: string; delete_at?: number }>({
          method: 'GET',
          path: `/api/v4/users/username/${encodeURIComponent(username)}`,
        });
        return u.delete_at ? undefined : u.id;
      } catch (err) {
        if ((err as { status?: number }).status === 404) return undefined;
        throw err;
      }
    },
    async usernames(ids) {
      const out = new Map<string, string>();
      for (let i = 0; i < ids.length; i += 200) {
        for (const u of await rest.getUsersByIds(ids.slice(i, i + 200))) out.set(u.id, u.username);
      }
      return out;
    },
  };
  const build = buildInfo(new Date(deps.clock.now()));
  return {
    name: 'admin',
    subcommands: [
      infoSubcommand({ report, build, clock: deps.clock }),
      ...adminSubcommands({
        report,
        calendars: createAdminCalendars({ asUser: (p, f) => deps.microsoft.asUser(p, f) }),
        directory,
        subscriptions: shared.sync.sync,
        build,
        clock: deps.clock,
      }),
    ],
  };
}
