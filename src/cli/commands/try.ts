import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { trustExtraCa } from '../../microsoft/index.ts';
import { loadConfigOrExit } from '../load-config.ts';
import type { SandboxInfo } from '../sandbox.ts';
import { Browser, type Hop } from '../try/browser.ts';
import { UserView } from '../try/watch.ts';

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 120) throw new InvalidArgumentError('must be 0–120 seconds');
  return n;
}

/**
 * `mm365 try --as alice "/mscalendar connect"`: runs a slash command in the sandbox as that user, follows the
 * links the replies carry like a browser would (sign-ins included), and prints what the user sees: the
 * command's reply, ephemeral messages, DMs and posts, and each page of the browser's way.
 */
export function tryCommand(program: Command): void {
  program
    .command('try')
    .description(
      'Run a slash command in the sandbox (started by npm start) as a demo user and show what they would see.',
    )
    .requiredOption('--as <user>', 'demo user: alice, bob, carol or dave')
    .option('--channel <name>', 'channel of team acme to run it in', 'town-square')
    .option('--wait <seconds>', 'how long to watch for replies after the last step', seconds, 3)
    .option('--no-follow', 'do not open the links in the replies')
    .argument('<command>', 'the slash command, quoted: "/mscalendar connect"')
    .action(async (text: string, opts: { as: string; channel: string; wait: number; follow: boolean }) => {
      const config = loadConfigOrExit(program.opts().config);
      const infoFile = join(config.database.dataDir, 'sandbox.json');
      let info: SandboxInfo;
      try {
        info = JSON.parse(readFileSync(infoFile, 'utf8')) as SandboxInfo;
      } catch {
        process.stderr.write(
          `mm365: no sandbox is running (${infoFile} not found). Start one with \`npm start\` in another terminal.\n`,
        );
        process.exit(2);
      }
      process.exitCode = await runTry(info, text, opts, (line) => process.stdout.write(`${line}\n`));
    });
}

export async function runTry(
  info: SandboxInfo,
  text: string,
  opts: { as: string; channel: string; wait: number; follow: boolean },
  print: (line: string) => void,
): Promise<number> {
  const user = info.mattermost.users[opts.as];
  if (!user) {
    print(`No demo user "${opts.as}"; choose one of ${Object.keys(info.mattermost.users).join(', ')}.`);
    return 2;
  }
  const team = info.mattermost.teams.acme;
  const channelId = team?.channels[opts.channel];
  if (!team || !channelId) {
    print(
      `No channel "${opts.channel}" in team acme; choose one of ${Object.keys(team?.channels ?? {}).join(', ')}.`,
    );
    return 2;
  }
  if (!text.startsWith('/')) {
    print('A slash command starts with "/", for example "/mscalendar connect".');
    return 2;
  }
  // The person's browser trusts the sandbox's Microsoft simulator, as a developer would install its CA.
  trustExtraCa(info.microsoft.ca);
  const view = new UserView();
  await view.open(info.mattermost.url, user.token);
  try {
    print(`${opts.as} types in ~${opts.channel}: ${text}`);
    const res = await fetch(`${info.mattermost.url}/api/v4/commands/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel_id: channelId, team_id: team.id, command: text }),
    });
    const body = (await res.json()) as {
      message?: string;
      text?: string;
      response_type?: string;
      goto_location?: string;
    };
    if (!res.ok) {
      print(`Mattermost answered ${res.status}: ${body.message ?? JSON.stringify(body)}`);
      return 1;
    }
    if (body.goto_location) print(`(Mattermost would open ${body.goto_location})`);
    await settle(opts.wait);
    const shown = new Set<number>();
    const browser = new Browser();
    browser.setCookie(info.mattermost.url, 'MMAUTHTOKEN', user.token);
    const opened = new Set<string>();
    // Print what arrived, then open links to our service the user would click, then print what that caused.
    for (let round = 0; round < 5; round++) {
      const fresh = view.seen.filter((_, i) => !shown.has(i));
      view.seen.forEach((_, i) => {
        shown.add(i);
      });
      for (const s of fresh) print(describe(s, info, user.id));
      const links = fresh.flatMap((s) => linksTo(info.service, s.text)).filter((l) => !opened.has(l));
      if (!opts.follow || links.length === 0) break;
      for (const link of links) {
        opened.add(link);
        print(`${opts.as} opens ${link}`);
        try {
          for (const hop of await browser.open(link)) print(describeHop(hop));
        } catch (err) {
          print(`    the browser could not load it: ${(err as Error).cause ?? (err as Error).message}`);
        }
      }
      await settle(opts.wait);
    }
    return 0;
  } finally {
    view.close();
  }
}

function settle(secondsToWait: number): Promise<void> {
  return new Promise((r) => setTimeout(r, secondsToWait * 1000));
}

function linksTo(service: string, text: string): string[] {
  const origin = new URL(service).origin;
  return [...text.matchAll(/https?:\/\/[^\s)\]>"']+/g)].map((m) => m[0]).filter((u) => u.startsWith(origin));
}

function describe(
  s: { kind: string; channelId: string; userId: string; text: string; buttons: string[] },
  info: SandboxInfo,
  self: string,
): string {
  const who = s.userId === info.bot.userId ? `@${info.bot.username}` : s.userId === self ? 'you' : s.userId;
  const label =
    s.kind === 'dialog'
      ? '[Mattermost opens a form]'
      : s.kind === 'ephemeral'
        ? `[only you see, from ${who}]`
        : s.kind === 'edited'
          ? `[${who} edited]`
          : `[${who}]`;
  const buttons = s.buttons.length > 0 ? `\n    buttons: ${s.buttons.map((b) => `[${b}]`).join(' ')}` : '';
  return `${label} ${s.text.split('\n').join('\n    ')}${buttons}`;
}

function describeHop(h: Hop): string {
  const where = new URL(h.url);
  const path = `${where.origin}${where.pathname}`;
  if (h.location)
    return `    ${h.status} ${path} → ${new URL(h.location).origin}${new URL(h.location).pathname}`;
  return `    ${h.status} ${path}: ${h.text?.slice(0, 300) ?? ''}`;
}
