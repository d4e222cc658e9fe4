import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type CommandReply, runCommand } from '../../core/commands/index.ts';
import { AppError } from '../../core/errors.ts';
import { parseMmChannelId, parseMmTeamId, parseMmUserId } from '../../core/ids.ts';
import { raceAck } from './ack-race.ts';
import { type InboundDeps, WORKING } from './deps.ts';
import { type CommandForm, commandForm } from './wire.ts';

/** Equal-time comparison of two secrets of any length (hashing first hides the length too). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

function refused(): AppError {
  return new AppError('MM365_MM_COMMAND_TOKEN_INVALID', 'This command request is not from Mattermost.');
}

/** Mattermost sends the token in the form and as `Authorization: Token <t>`; either may be checked. */
function presentedToken(request: FastifyRequest, form: CommandForm): string {
  if (form.token) return form.token;
  const header = request.headers.authorization ?? '';
  const m = /^token\s+(\S+)$/i.exec(header);
  return m?.[1] ?? '';
}

function toResponse(reply: CommandReply): { response_type: string; text: string } {
  return { response_type: reply.visibility === 'inChannel' ? 'in_channel' : 'ephemeral', text: reply.text };
}

/**
 * POST /mattermost/command. Contract: verify, then route, then answer within the ack window.
 * - The form is validated; the token must equal (in constant time) the stored token of that team's
 *   `/<trigger>`: anything else is 401 MM365_MM_COMMAND_TOKEN_INVALID and no handler runs.
 * - The text goes to the registered CommandSet through core's router (help for unknown subcommands,
 *   prerequisites, friendly errors).
 * - A handler slower than the ack window gets "Working on it…" now; its reply follows as an ephemeral post
 *   (a DM when the bot may not post ephemerals), or through the response_url for in-channel replies.
 */
export function slashCommandRoute(deps: InboundDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const form = commandForm.parse(request.body);
    const trigger = form.command.replace(/^\//, '').toLowerCase();
    const stored = await deps.commandTokens.token(form.team_id, trigger);
    const given = presentedToken(request, form);
    // Compare even when nothing is stored, so a missing row and a wrong token take the same time.
    const match = sameSecret(given, stored ?? '\u0000unset');
    if (!stored || !given || !match) {
      request.log.warn({ teamId: form.team_id, trigger }, 'slash command refused: token mismatch');
      throw refused();
    }
    const set = deps.commandSets().find((s) => s.trigger === trigger);
    if (!set) {
      return reply.send({ response_type: 'ephemeral', text: `/${trigger} is not available right now.` });
    }
    const userId = parseMmUserId(form.user_id);
    const channelId = parseMmChannelId(form.channel_id);
    const teamId = parseMmTeamId(form.team_id);
    const requestId = String(request.id);
    const work = (async () => {
      const [isAdmin, isConnected] = await Promise.all([
        deps.admins.isAdmin(userId).catch(() => false),
        deps.accounts.isConnected(userId, trigger).catch(() => false),
      ]);
      const isInactive =
        !isConnected && (await deps.accounts.isInactive?.(userId, trigger).catch(() => false));
      return runCommand(
        set,
        form.text,
        { userId, channelId, teamId, isAdmin, isConnected, isInactive: isInactive === true },
        requestId,
        deps.log,
        form.trigger_id,
      );
    })();
    const raced = await raceAck(work, deps.ackMs);
    if (raced.done) return reply.send(toResponse(raced.value));
    deps.slowAcks.inc({ kind: 'command' });
    raced.later
      .then((late) => deliverLate(deps, form, late))
      .catch((err: unknown) =>
        deps.log.error({ err, trigger, requestId }, 'late slash-command reply failed'),
      );
    return reply.send({ response_type: 'ephemeral', text: WORKING });
  };
}

async function deliverLate(deps: InboundDeps, form: CommandForm, late: CommandReply): Promise<void> {
  const sameServer = form.response_url.startsWith(`${deps.mattermostUrl}/`);
  if (late.visibility === 'inChannel' && sameServer) {
    // In-channel replies are posted as the invoking user; only the response_url can do that.
    const res = await fetch(form.response_url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(toResponse(late)),
      signal: AbortSignal.timeout(10_000),
    });
    if (res.ok) return;
  }
  await deps.messenger.ephemeral(form.user_id, form.channel_id, late.text);
}
