import { agendaSubcommands } from '../../calendar/index.ts';
import type { CalendarPart, CalendarShared, CalendarWiringDeps } from './part.ts';

/** `/mscalendar today`, `tomorrow`, `viewcal`: read from the cache, no Graph call. */
export function agendaPart(deps: CalendarWiringDeps, shared: CalendarShared): CalendarPart {
  return {
    name: 'agenda',
    subcommands: agendaSubcommands(shared.cache, deps.clock),
    welcome: ['- `/mscalendar today`, `tomorrow` or `viewcal` show your meetings, with join links.'],
  };
}
