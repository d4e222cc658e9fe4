import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { type App, buildApp } from '../../src/app.ts';
import { runTry } from '../../src/cli/commands/try.ts';
import { type Sandbox, type SandboxInfo, startSandbox } from '../../src/cli/sandbox.ts';
import { type Config, loadConfig } from '../../src/core/config/index.ts';
import type { Logger } from '../../src/core/log.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * The whole product against both simulators, as every end-to-end test starts it: the sandbox's set-up (both
 * sims, the bot, the Entra app) and the service on a fresh data folder. `port` 0 picks a free one; give a
 * fixed one when the test restarts the service and old buttons must still reach it.
 */
export async function startProduct(
  log: Logger,
  port = 0,
  tweak: (config: Config) => Config = (c) => c,
): Promise<{ sandbox: Sandbox; app: App }> {
  const sandbox = await startSandbox(
    loadConfig({ env: { MM365_DATA_DIR: mkdtempSync(join(tmpdir(), 'mm365-e2e-')), PORT: String(port) } }),
    log,
  );
  const app = buildApp(tweak(sandbox.config), { log });
  await app.start();
  return { sandbox, app };
}

/** Waits until the user's first calendar sync has finished (their cache is the baseline from then on). */
export async function firstCalendarSync(app: App, mmUserId: string): Promise<void> {
  await waitFor(
    'the first calendar sync',
    async () =>
      (
        await app.store.db
          .selectFrom('calendar_sync')
          .select('status')
          .where('mm_user_id', '=', mmUserId)
          .executeTakeFirst()
      )?.status === 'active',
    30_000,
  );
}

/**
 * A user's Mattermost client: an open WebSocket (which also makes them online, as a real client does),
 * collecting the ephemeral messages and dialogs only they see (into the given arrays, when given).
 */
export async function userClient<Dialog = Record<string, unknown>>(
  mattermostUrl: string,
  token: string,
  into: { ephemerals?: string[]; dialogs?: Dialog[] } = {},
): Promise<{ ephemerals: string[]; dialogs: Dialog[]; close(): void }> {
  const ephemerals = into.ephemerals ?? [];
  const dialogs = into.dialogs ?? [];
  const socket = new WebSocket(`${mattermostUrl.replace('http', 'ws')}/api/v4/websocket`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  socket.on('message', (raw) => {
    const frame = JSON.parse(String(raw));
    if (frame.event === 'ephemeral_message') ephemerals.push(JSON.parse(frame.data.post).message);
    if (frame.event === 'open_dialog') dialogs.push(JSON.parse(frame.data.dialog));
  });
  await new Promise((resolve) => socket.once('open', resolve));
  return { ephemerals, dialogs, close: () => socket.close() };
}

/**
 * What `as` sees after typing `command` in ~town-square, as `mm365 try` prints it: replies, DMs, forms, and
 * (with `follow`) the links to the service they open, followed like a browser.
 */
export async function typeAs(info: SandboxInfo, as: string, command: string, follow = true): Promise<string> {
  const lines: string[] = [];
  await runTry(info, command, { as, channel: 'town-square', wait: follow ? 0.7 : 0.5, follow }, (l) =>
    lines.push(l),
  );
  return lines.join('\n');
}

/** A Mattermost REST call (`/api/v4` + path) with a user's token; an empty answer body reads as `{}`. */
export async function mattermostAs<T>(
  mattermostUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${mattermostUrl}/api/v4${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}
