/**
 * The Microsoft side of the calendar domain's CalendarGraph port: the user's mailbox time zone,
 * calendarView/delta rounds converted to CalendarEvents, and the per-user `/me/events` subscription whose
 * notifications (and lifecycle catch-ups) are handed to the calendar's listener. Graph errors are turned into
 * the domain's codes (session lost, cursor expired); everything else passes through as the edge raised it.
 */
import { z } from 'zod';
import type { CalendarGraph, ChangeSignal } from '../../calendar/ports.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { GraphSession } from '../graph/graph-session.ts';
import type { NotificationProcessor } from '../notifications/processor.ts';
import type { SubscriptionManager } from '../subscriptions/subscription-manager.ts';
import { graphEventSchema, toCalendarEvent } from './graph-event.ts';

/** The subscription kind the calendar's event subscriptions are filed under (picks the handler). */
export const calendarSubscriptionKind = 'calendar.events';

export interface CalendarGraphDeps {
  asUser(partition: string, feature: 'calendar'): GraphSession;
  subscriptions: Pick<SubscriptionManager, 'ensure' | 'removeOwner'>;
  processor: Pick<NotificationProcessor, 'register'>;
  /** Items per delta page (Prefer: odata.maxpagesize); Graph's default is small. */
  pageSize?: number;
  /** Pages per delta() call before it returns `complete: false`. */
  maxPages?: number;
  /**
   * Subscription lifetime. Outlook events allow under 10,080 min (7 days) without resource data; the edge
   * renews at a third left, so a long lifetime means few renewals.
   */
  lifetimeMinutes?: number;
}

const timeZoneBody = z.object({ value: z.string().nullish() });

function domainError(err: unknown): unknown {
  if (!isAppError(err)) return err;
  if (err.code === 'MM365_MICROSOFT_RECONNECT_REQUIRED') {
    const reason = typeof err.details?.reason === 'string' ? err.details.reason : 'refresh_expired';
    return new AppError('MM365_CALENDAR_SESSION_LOST', err.message, {
      cause: err,
      details: { reason: reason === 'not_connected' ? 'refresh_expired' : reason },
    });
  }
  if (err.code === 'MM365_GRAPH_DELTA_EXPIRED') {
    return new AppError('MM365_CALENDAR_CURSOR_EXPIRED', err.message, { cause: err });
  }
  return err;
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw domainError(err);
  }
}

export function createCalendarGraph(deps: CalendarGraphDeps): CalendarGraph {
  const pageSize = deps.pageSize ?? 100;
  const maxPages = deps.maxPages ?? 50;
  const lifetimeMinutes = deps.lifetimeMinutes ?? 10_000;
  const session = (user: string) => deps.asUser(user, 'calendar');
  let listening = false;
  return {
    mailboxTimeZone: (user) =>
      mapped(async () => {
        const body = await session(user).parse(timeZoneBody, {
          path: '/me/mailboxSettings/timeZone',
          route: '/me/mailboxSettings/timeZone',
        });
        return body.value ?? null;
      }),

    delta: (user, from) =>
      mapped(async () => {
        const start =
          'cursor' in from
            ? from.cursor
            : `/me/calendarView/delta?startDateTime=${encodeURIComponent(from.window.start.toISOString())}&endDateTime=${encodeURIComponent(from.window.end.toISOString())}`;
        const result = await session(user).delta<{ id?: string }>(start, {
          maxPages,
          route: '/me/calendarView/delta',
          // Times in UTC (also Graph's default), bodies as text so links can be found in them.
          headers: {
            prefer: `odata.maxpagesize=${pageSize}, outlook.timezone="UTC", outlook.body-content-type="text"`,
          },
        });
        const events = result.items.map((item) => {
          const parsed = graphEventSchema.safeParse(item);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new AppError(
              'MM365_GRAPH_RESPONSE_INVALID',
              `calendarView/delta item ${item.id ?? '?'}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`,
            );
          }
          return toCalendarEvent(parsed.data);
        });
        return { events, removed: result.removed, cursor: result.cursor, complete: !result.hasMore };
      }),

    subscribe: (user) =>
      mapped(async () => {
        const row = await deps.subscriptions.ensure({
          kind: calendarSubscriptionKind,
          ownerKey: user,
          resource: '/me/events',
          changeType: 'created,updated,deleted',
          auth: { kind: 'user', partition: user, feature: 'calendar' },
          lifetimeMinutes,
        });
        return row.graphId ?? row.id;
      }),

    unsubscribe: (user) =>
      mapped(async () => {
        await deps.subscriptions.removeOwner(user, calendarSubscriptionKind);
      }),

    listen(listener) {
      if (listening) throw new Error('the calendar listener is already registered');
      listening = true;
      const signal = (reason: 'missed' | 'subscriptionRemoved'): ChangeSignal => reason;
      deps.processor.register(calendarSubscriptionKind, {
        onChange: (n) => listener(n.subscription.ownerKey, 'changed'),
        onCatchUp: (sub, reason) => listener(sub.ownerKey, signal(reason)),
      });
    },
  };
}
