/**
 * `/mscalendar showcals` (admin): the caller's own calendars from `GET /me/calendars` (graph-api.md §2.5),
 * every page, converted to the admin port's CalendarInfo. The plugin printed the raw JSON; we return what
 * an admin reads: name, owner, can edit, default. Satisfies calendar/admin/ports.ts AdminCalendars
 * structurally (the edge imports only calendar/ports.ts).
 */
import { z } from 'zod';
import type { GraphSession } from '../graph/graph-session.ts';

const calendarSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  isDefaultCalendar: z.boolean().nullish(),
  canEdit: z.boolean().nullish(),
  owner: z.object({ name: z.string().nullish(), address: z.string().nullish() }).nullish(),
});

/** One calendar as `showcals` prints it (the shape of the domain's CalendarInfo). */
export interface GraphCalendarInfo {
  name: string;
  ownerName: string;
  ownerAddress: string;
  canEdit: boolean;
  isDefault: boolean;
}

export function createAdminCalendars(deps: {
  asUser(partition: string, feature: 'calendar'): GraphSession;
}): { list(user: string): Promise<GraphCalendarInfo[]> } {
  return {
    async list(user) {
      const items = await deps.asUser(user, 'calendar').all<unknown>({
        path: '/me/calendars',
        query: { $select: 'id,name,isDefaultCalendar,canEdit,owner' },
        route: '/me/calendars',
      });
      return items.map((item) => {
        const c = calendarSchema.parse(item);
        return {
          name: c.name ?? '',
          ownerName: c.owner?.name ?? '',
          ownerAddress: c.owner?.address ?? '',
          canEdit: c.canEdit ?? false,
          isDefault: c.isDefaultCalendar ?? false,
        };
      });
    },
  };
}
