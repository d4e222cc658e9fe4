import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../../core/errors.ts';
import { parseMmChannelId, parseMmPostId, parseMmTeamId, parseMmUserId } from '../../core/ids.ts';
import { raceAck } from './ack-race.ts';
import { type InboundDeps, TRIGGER_BUDGET_MS, WORKING } from './deps.ts';
import type { ActionReply, DialogSpec } from './interactions.ts';
import { signDialogState, verifyActionContext } from './signed-context.ts';
import { actionRequest } from './wire.ts';

interface WireActionResponse {
  update?: { message: string; props?: Record<string, unknown> };
  ephemeral_text?: string;
  goto_location?: string;
}

function toWire(r: ActionReply): WireActionResponse {
  const out: WireActionResponse = {};
  if (r.update) out.update = r.update;
  if (r.ephemeralText) out.ephemeral_text = r.ephemeralText;
  if (r.gotoLocation) out.goto_location = r.gotoLocation;
  return out;
}

/**
 * POST /mattermost/action: the one router for every button and menu. Contract:
 * - verify first: the context's HMAC (action, intended user, post or channel, expiry). Forged, altered,
 *   expired or moved contexts are answered 403 with the coded error and nothing runs. A genuine context
 *   clicked by another user is answered 200 with an ephemeral "not for you" (so that user sees why) and
 *   nothing runs;
 * - then route by action id to the registered ActionDefinition (unknown → 400 MM365_MM_UNKNOWN_ACTION);
 * - reply `update` / `ephemeral_text`; a handler slower than the ack window gets "Working on it…" now, and
 *   its reply is applied later by patching the post and sending the text as an ephemeral post.
 */
export function actionRoute(deps: InboundDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const receivedAt = deps.clock.now();
    const body = actionRequest.parse(request.body);
    const signer = await deps.signer();
    let verified: { action: string; data: unknown };
    try {
      verified = verifyActionContext(signer, deps.clock, body.context, {
        userId: body.user_id,
        postId: body.post_id,
        channelId: body.channel_id,
      });
    } catch (err) {
      if (isAppError(err) && err.code === 'MM365_MM_WRONG_USER') {
        request.log.warn({ userId: body.user_id, postId: body.post_id }, 'action clicked by another user');
        return reply.send({ ephemeral_text: err.message });
      }
      throw err;
    }
    const definition = deps.actions.get(verified.action);
    if (!definition) {
      throw new AppError(
        'MM365_MM_UNKNOWN_ACTION',
        `No handler for action ${JSON.stringify(verified.action)}.`,
      );
    }
    const requestId = String(request.id);
    const userId = parseMmUserId(body.user_id);
    const selected = body.context.selected_option;
    const work = definition
      .run({
        userId,
        channelId: parseMmChannelId(body.channel_id),
        teamId: body.team_id ? parseMmTeamId(body.team_id) : undefined,
        postId: parseMmPostId(body.post_id),
        selectedOption: typeof selected === 'string' ? selected : undefined,
        data: verified.data,
        requestId,
        openDialog: (dialog, data) => openDialog(deps, body.trigger_id, receivedAt, userId, dialog, data),
      })
      .catch((err: unknown): ActionReply => {
        if (isAppError(err) && err.status < 500) return { ephemeralText: err.message };
        deps.log.error({ err, action: verified.action, requestId }, 'action handler failed');
        return {
          ephemeralText: `Something went wrong. If it keeps failing, give your admin this reference: ${requestId}.`,
        };
      });
    const raced = await raceAck(work, deps.ackMs);
    if (raced.done) return reply.send(toWire(raced.value));
    deps.slowAcks.inc({ kind: 'action' });
    raced.later
      .then(async (late) => {
        if (late.update) await deps.rest.patchPost(body.post_id, late.update);
        if (late.ephemeralText)
          await deps.messenger.ephemeral(body.user_id, body.channel_id, late.ephemeralText);
      })
      .catch((err: unknown) => deps.log.error({ err, requestId }, 'late action reply failed'));
    return reply.send({ ephemeral_text: WORKING });
  };
}

/**
 * Opens a dialog for the user who triggered `triggerId`. Its state is signed (callback id, user, data), so
 * the submission is verified like a click. Refused without calling Mattermost when the trigger_id's 30 s
 * are nearly over: the call could only fail.
 */
export async function openDialog(
  deps: InboundDeps,
  triggerId: string,
  receivedAt: number,
  userId: string,
  dialog: DialogSpec,
  data: unknown,
): Promise<void> {
  if (!triggerId || deps.clock.now() - receivedAt > TRIGGER_BUDGET_MS) {
    throw new AppError('MM365_SIGNATURE_EXPIRED', 'That took too long to open a form. Please click again.');
  }
  if (!deps.dialogs.has(dialog.callbackId)) {
    throw new AppError('MM365_MM_UNKNOWN_ACTION', `No dialog handler ${JSON.stringify(dialog.callbackId)}.`);
  }
  const signer = await deps.signer();
  const state = signDialogState(
    signer,
    { callbackId: dialog.callbackId, userId, data },
    deps.clock.now() + 60 * 60_000,
  );
  await deps.rest.openDialog(triggerId, deps.dialogUrl, {
    callback_id: dialog.callbackId,
    title: dialog.title.slice(0, 24),
    introduction_text: dialog.introductionText ?? '',
    elements: dialog.elements,
    submit_label: dialog.submitLabel ?? 'Submit',
    notify_on_cancel: dialog.notifyOnCancel ?? false,
    state,
  });
}
