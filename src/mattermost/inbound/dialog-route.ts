import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../../core/errors.ts';
import { parseMmChannelId, parseMmTeamId, parseMmUserId } from '../../core/ids.ts';
import type { InboundDeps } from './deps.ts';
import type { DialogReply } from './interactions.ts';
import { verifyDialogState } from './signed-context.ts';
import { dialogSubmission } from './wire.ts';

/**
 * POST /mattermost/dialog: every dialog submission. Contract: the state's HMAC (callback id, intended user,
 * expiry) is checked and `user_id` must be the intended user (else 403 with the coded error, nothing runs);
 * then the DialogDefinition for callback_id runs and its reply is returned as is (`{}` closes the dialog,
 * `errors`/`error` keep it open). Handler errors become `{error}` so the user sees them in the dialog.
 */
export function dialogRoute(deps: InboundDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const body = dialogSubmission.parse(request.body);
    const signer = await deps.signer();
    const verified = verifyDialogState(signer, deps.clock, body.state, {
      callbackId: body.callback_id,
      userId: body.user_id,
    });
    const definition = deps.dialogs.get(verified.callbackId);
    if (!definition) {
      throw new AppError(
        'MM365_MM_UNKNOWN_ACTION',
        `No handler for dialog ${JSON.stringify(body.callback_id)}.`,
      );
    }
    const requestId = String(request.id);
    let out: DialogReply;
    try {
      out = await definition.run({
        userId: parseMmUserId(body.user_id),
        channelId: parseMmChannelId(body.channel_id),
        teamId: body.team_id ? parseMmTeamId(body.team_id) : undefined,
        submission: body.submission ?? {},
        cancelled: body.cancelled,
        data: verified.data,
        requestId,
      });
    } catch (err) {
      if (isAppError(err) && err.status < 500) out = { error: err.message };
      else {
        deps.log.error({ err, dialog: body.callback_id, requestId }, 'dialog handler failed');
        out = { error: `Something went wrong (reference: ${requestId}).` };
      }
    }
    return reply.send(out);
  };
}
