import { SimError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { SimState } from '../state.ts';

/**
 * trigger_ids: minted for each command execution and action click, valid for
 * `OutgoingIntegrationRequestsTimeout` seconds on the SimClock, for the user they were minted for. Like the
 * server's signed ids they are not consumed by use. The shape is the server's (base64 of
 * `clientId:userId:millis:signature`) so products that log or length-check them see the real thing.
 */
export function mintTrigger(state: SimState, userId: string): string {
  const now = state.now();
  const id = Buffer.from(`${newId()}:${userId}:${now}:${newId()}`).toString('base64');
  state.triggers.set(id, { id, user_id: userId, create_at: now });
  return id;
}

/** The trigger's user, or the server's decode errors (400). */
export function verifyTrigger(state: SimState, triggerId: string): string {
  const t = state.triggers.get(triggerId);
  if (!t)
    throw new SimError(
      400,
      'interactive_message.decode_trigger_id.signature_decode_failed',
      'Failed to decode signature of trigger ID for interactive dialog.',
    );
  const timeout = state.config.ServiceSettings.OutgoingIntegrationRequestsTimeout;
  if (state.now() - t.create_at > timeout * 1000) {
    throw new SimError(
      400,
      'interactive_message.decode_trigger_id.expired',
      `Trigger ID for interactive dialog is expired. Trigger IDs live for a maximum of ${timeout}s.`,
    );
  }
  return t.user_id;
}
