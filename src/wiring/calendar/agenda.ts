import { agendaSubcommands } from '../../calendar/index.ts';
import { createMailboxWorkingDays } from '../../microsoft/calendar/working-hours.ts';
import type { CalendarPart, CalendarShared, CalendarWiringDeps } from './part.ts';

/**
 * `/mscalendar today`, `tomorrow` (next working day), `day`, `viewcal`: read from the cache; `tomorrow` also
 * reads Outlook's working days (one Graph call).
 */
export function agendaPart(deps: CalendarWiringDeps, shared: CalendarShared): CalendarPart {
  return {
    name: 'agenda',
    subcommands: agendaSubcommands({
      cache: shared.cache,
      db: deps.store.db,
      clock: deps.clock,
      log: deps.log,
      mailbox: createMailboxWorkingDays({ asUser: (p, f) => deps.microsoft.asUser(p, f) }),
    }),
    welcome: [
      '- `/mscalendar today`, `tomorrow` (your next working day) or `viewcal` show your meetings, with join links.',
    ],
  };
}
