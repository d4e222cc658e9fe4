import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CommandCaller,
  type CommandSet,
  runCommand,
  tokenize,
} from '../../../../src/core/commands/index.ts';
import { AppError } from '../../../../src/core/errors.ts';
import type { MmChannelId, MmTeamId, MmUserId } from '../../../../src/core/ids.ts';
import { captureLog } from '../../../helpers/log.ts';

const calls: string[] = [];
const set: CommandSet = {
  trigger: 'mscalendar',
  description: 'Microsoft Calendar',
  hint: '[command]',
  connectHint: '`/mscalendar connect`',
  subcommands: [
    {
      name: 'connect',
      summary: 'Connect your Microsoft account',
      run: async () => ({ text: 'connect link' }),
    },
    {
      name: 'today',
      aliases: ['t'],
      summary: "Show today's meetings",
      needsAccount: true,
      run: async (ctx) => {
        calls.push(`today:${ctx.args.join('|')}:${ctx.rest}:${ctx.triggerId}`);
        return { text: 'agenda' };
      },
    },
    {
      name: 'summary',
      usage: '[time]',
      summary: 'Set the daily summary time',
      run: async () => {
        throw new AppError('MM365_HTTP_BAD_REQUEST', '"25:00" is not a time. Use HH:MM, for example 08:30.');
      },
    },
    {
      name: 'crash',
      summary: 'Fail',
      run: async () => Promise.reject(new Error('db password hunter2 in message')),
    },
    {
      name: 'showcals',
      summary: 'Show a user’s calendars',
      adminOnly: true,
      run: async () => ({ text: 'cals' }),
    },
  ],
};

const user: CommandCaller = {
  userId: 'u'.repeat(26) as MmUserId,
  channelId: 'c'.repeat(26) as MmChannelId,
  teamId: 't'.repeat(26) as MmTeamId,
  isAdmin: false,
  isConnected: true,
};
const admin = { ...user, isAdmin: true };

async function run(text: string, caller: CommandCaller = user) {
  const { log, lines } = captureLog();
  const reply = await runCommand(set, text, caller, 'req-1', log, 'trig-1');
  return { reply, logged: lines() };
}

describe('runCommand', () => {
  it('routes to a subcommand by name or alias, case-insensitively, with parsed arguments', async () => {
    calls.length = 0;
    expect((await run('today "Team sync" x')).reply.text).toBe('agenda');
    expect((await run('  T   a ')).reply.text).toBe('agenda');
    expect((await run('TODAY')).reply.text).toBe('agenda');
    expect(calls).toEqual(['today:Team sync|x:"Team sync" x:trig-1', 'today:a:a:trig-1', 'today:::trig-1']);
  });

  it('shows help for empty text and for help', async () => {
    for (const text of ['', '   ', 'help']) {
      const { reply } = await run(text);
      expect(reply.text).toContain('**/mscalendar** — Microsoft Calendar');
      expect(reply.text).toContain("`/mscalendar today` — Show today's meetings");
      expect(reply.text).toContain('`/mscalendar summary [time]`');
    }
  });

  it('answers an unknown subcommand with help', async () => {
    const { reply } = await run('tomorow');
    expect(reply.text).toMatch(/^Unknown command `tomorow`\./);
    expect(reply.text).toContain('/mscalendar today');
  });

  it('hides admin subcommands from others, and refuses them as unknown', async () => {
    expect((await run('help')).reply.text).not.toContain('showcals');
    expect((await run('showcals')).reply.text).toMatch(/^Unknown command/);
    expect((await run('help', admin)).reply.text).toContain(
      '`/mscalendar showcals` — Show a user’s calendars (admin)',
    );
    expect((await run('showcals', admin)).reply.text).toBe('cals');
  });

  it('asks a user who is not connected to connect first', async () => {
    const { reply } = await run('today', { ...user, isConnected: false });
    expect(reply.text).toBe('You need to connect your Microsoft account first: `/mscalendar connect`');
  });

  it('tells a user whose connection stopped working to connect again, not to connect first', async () => {
    calls.length = 0;
    const { reply } = await run('today', { ...user, isConnected: false, isInactive: true });
    expect(reply.text).toContain('Your Microsoft account connection has stopped working');
    expect(reply.text).toContain('Connect again with `/mscalendar connect`');
    expect(calls.some((c) => c.startsWith('today:'))).toBe(false);
  });

  it('shows a coded error’s message as is', async () => {
    const { reply, logged } = await run('summary 25:00');
    expect(reply.text).toBe('"25:00" is not a time. Use HH:MM, for example 08:30.');
    expect(logged).toHaveLength(0);
  });

  it('turns an unexpected failure into an apology with a reference, logs it, and leaks nothing', async () => {
    const { reply, logged } = await run('crash');
    expect(reply.text).toContain('Something went wrong running `/mscalendar crash`');
    expect(reply.text).toContain('req-1');
    expect(reply.text).not.toContain('hunter2');
    expect(logged[0]).toMatchObject({ msg: 'slash command failed', requestId: 'req-1', subcommand: 'crash' });
  });

  it('never throws, whatever the text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        const { reply } = await run(text);
        expect(typeof reply.text).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});

describe('tokenize', () => {
  it('splits like a shell, with quotes, smart quotes and escapes', () => {
    expect(tokenize('a  b\tc')).toEqual(['a', 'b', 'c']);
    expect(tokenize('create "Team sync" \'Room 1\'')).toEqual(['create', 'Team sync', 'Room 1']);
    expect(tokenize('create “Team sync” ‘x y’')).toEqual(['create', 'Team sync', 'x y']);
    expect(tokenize('say \\"hi\\" a\\ b')).toEqual(['say', '"hi"', 'a b']);
    expect(tokenize('x ""')).toEqual(['x', '']);
    expect(tokenize('open "unclosed words')).toEqual(['open', 'unclosed words']);
    expect(tokenize('')).toEqual([]);
  });

  it('keeps every non-space character of unquoted text', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9:@._-]{1,8}$/), { maxLength: 6 }), (words) => {
        expect(tokenize(words.join('  '))).toEqual(words);
      }),
    );
  });
});
