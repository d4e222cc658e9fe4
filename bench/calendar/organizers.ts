/**
 * The organizers' changes during the benchmark's day, made through Graph as Outlook would make them: with the
 * organizer's delegated token of a separate "Outlook" app (so the simulator counts them apart from ours), and
 * the simulator then notifies every mailbox the change touched.
 */
import type { PlannedChange } from './population.ts';
import type { SimTokens } from './sim-tokens.ts';

const when = (ms: number) => ({ dateTime: new Date(ms).toISOString().slice(0, 19), timeZone: 'UTC' });

export function organizerChanges(deps: {
  graph: string;
  tokens: SimTokens;
  clientId: string;
  /** The tenant's mail domain (attendee addresses are `<user key>@<domain>`). */
  domain: string;
}): (change: PlannedChange) => Promise<void> {
  const call = async (organizer: string, method: string, path: string, body?: unknown) => {
    const token = await deps.tokens.user(organizer, deps.clientId);
    const res = await fetch(`${deps.graph}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`organizer ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 || res.status === 202 ? undefined : ((await res.json()) as unknown);
  };
  const eventIdOf = async (organizer: string, subject: string): Promise<string> => {
    const found = (await call(
      organizer,
      'GET',
      `/me/events?$filter=${encodeURIComponent(`subject eq '${subject}'`)}&$select=id`,
    )) as { value: { id: string }[] };
    const id = found.value[0]?.id;
    if (!id) throw new Error(`no event "${subject}" for ${organizer}`);
    return id;
  };
  return async (c) => {
    if (c.kind === 'move') {
      const id = await eventIdOf(c.organizer, c.subject);
      await call(c.organizer, 'PATCH', `/me/events/${id}`, { start: when(c.start), end: when(c.end) });
    } else if (c.kind === 'cancel') {
      const id = await eventIdOf(c.organizer, c.subject);
      await call(c.organizer, 'POST', `/me/events/${id}/cancel`, { comment: 'Cancelled' });
    } else {
      const m = c.meeting;
      await call(m.organizer, 'POST', '/me/events', {
        subject: m.subject,
        start: when(m.start),
        end: when(m.end),
        isOnlineMeeting: true,
        onlineMeetingProvider: 'teamsForBusiness',
        attendees: m.attendees.map((a) => ({
          type: 'required',
          emailAddress: { address: `${a}@${deps.domain}`, name: a },
        })),
      });
    }
  };
}
