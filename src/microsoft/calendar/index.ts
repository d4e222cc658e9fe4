/** The calendar slice of the Microsoft edge: an object satisfying calendar/ports.ts CalendarGraph. */
export { type CalendarGraphDeps, calendarSubscriptionKind, createCalendarGraph } from './calendar-graph.ts';
export { createEventCreator, type EventCreatorDeps, toGraphEvent } from './create-event.ts';
export { findJoinUrl, graphEventSchema, toCalendarEvent } from './graph-event.ts';
export {
  type CalendarResponderDeps,
  createCalendarResponder,
  type GraphRsvp,
} from './respond.ts';
