import { invalidParam, permissionDenied, SimError } from '../errors.ts';
import { ok, type RequestContext, type Result, STATUS_OK, sessionOf } from '../http/context.ts';
import { isId } from '../ids.ts';
import { canReadChannel, isAdmin } from '../permissions.ts';
import { CallbackRefused } from './callback-client.ts';
import { verifyTrigger } from './triggers.ts';

/**
 * Interactive dialogs (server api4/integration_action.go, app `OpenInteractiveDialog`/`SubmitInteractiveDialog`).
 *
 * Contract:
 * - Open needs no session: the trigger_id is the proof. An expired trigger (older than
 *   OutgoingIntegrationRequestsTimeout) is 400 `interactive_message.decode_trigger_id.expired`. The dialog goes to
 *   the trigger's user as an `open_dialog` event whose `dialog` is the JSON string of the request.
 * - Submit (by the user's client) needs read access to the channel and membership of `team_id`, then POSTs
 *   `{type:"dialog_submission", callback_id, state, user_id, channel_id,
 *   team_id, submission, cancelled}` to the dialog URL through the outbound guard; failures are 400
 *   `api.post.do_action.action_integration.app_error`. The integration's JSON answer (`{errors}`, `{error}` or
 *   empty) is handed back to the client as is; `lookup` is the same call with `type:"dialog_lookup"`.
 */
export function openDialog(ctx: RequestContext): Result {
  const state = ctx.world.state;
  const b = (ctx.body ?? {}) as { trigger_id?: unknown; url?: unknown; dialog?: unknown };
  if (typeof b.trigger_id !== 'string' || b.trigger_id === '') throw invalidParam('trigger_id');
  const userId = verifyTrigger(state, b.trigger_id);
  if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) throw invalidParam('url');
  if (!b.dialog || typeof b.dialog !== 'object') throw invalidParam('dialog');
  ctx.world.hub.publish(
    'open_dialog',
    { dialog: JSON.stringify({ trigger_id: b.trigger_id, url: b.url, dialog: b.dialog }) },
    { user_id: userId },
  );
  return STATUS_OK;
}

/**
 * Shared by submit and lookup: the caller must read the channel and be on the team; the request is the server's
 * `SubmitDialogRequest` with the session's user, POSTed through the outbound guard; the answer is parsed JSON
 * (an empty body is `{}`; a body that is not JSON is a 500 `app.<kind>_interactive_dialog.decode_json_error`).
 */
async function callDialogUrl(
  ctx: RequestContext,
  type: 'dialog_submission' | 'dialog_lookup',
): Promise<Record<string, unknown>> {
  const world = ctx.world;
  const state = world.state;
  const session = sessionOf(ctx);
  const b = (ctx.body ?? {}) as Record<string, unknown>;
  if (typeof b.url !== 'string') throw invalidParam('url');
  if (!isId(b.channel_id)) throw invalidParam('channel_id');
  const channel = state.channels.get(b.channel_id);
  if (!channel || !canReadChannel(state, session, channel)) throw permissionDenied('read_channel');
  // As api4 submitDialog: view_team on the submitted team (the webapp sends the current team, DMs included).
  const teamId = typeof b.team_id === 'string' ? b.team_id : '';
  if (!state.teamMember(teamId, session.user_id) && !isAdmin(state, session))
    throw permissionDenied('view_team');
  const request: Record<string, unknown> = {
    type,
    callback_id: typeof b.callback_id === 'string' ? b.callback_id : '',
    state: typeof b.state === 'string' ? b.state : '',
    user_id: session.user_id,
    channel_id: channel.id,
    team_id: teamId,
    submission: b.submission && typeof b.submission === 'object' ? b.submission : {},
    cancelled: b.cancelled === true,
  };
  // Lookups also carry the field being searched and its text (sent by the webapp for dynamic selects).
  if (type === 'dialog_lookup') {
    for (const k of ['query', 'selected_field']) if (typeof b[k] === 'string') request[k] = b[k];
  }
  const fail = (detail: string): SimError =>
    new SimError(400, 'api.post.do_action.action_integration.app_error', 'Action integration error.', detail);
  let res: Awaited<ReturnType<typeof world.callbacks.send>>;
  try {
    res = await world.callbacks.send('dialog', b.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(request),
    });
  } catch (e) {
    throw fail(e instanceof CallbackRefused ? e.message : String(e));
  }
  if (res.status !== 200) throw fail(`status=${res.status}`);
  if (res.body.trim() === '') return {};
  try {
    const parsed = JSON.parse(res.body) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    const kind = type === 'dialog_lookup' ? 'lookup' : 'submit';
    throw new SimError(
      500,
      `app.${kind}_interactive_dialog.decode_json_error`,
      'Failed to decode the integration response.',
    );
  }
}

/** `POST /actions/dialogs/submit`: the integration's answer (`{}`, `{errors}`, `{error}`) goes back as is. */
export async function submitDialog(ctx: RequestContext): Promise<Result> {
  return ok(await callDialogUrl(ctx, 'dialog_submission'));
}

/** `POST /actions/dialogs/lookup` (dynamic selects): `{items:[{text,value}]}` from the integration. */
export async function lookupDialog(ctx: RequestContext): Promise<Result> {
  const response = await callDialogUrl(ctx, 'dialog_lookup');
  return ok({ items: Array.isArray(response.items) ? response.items : [] });
}
