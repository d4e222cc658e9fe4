/**
 * What the calendar's admin commands need from outside (house style rule 2). The Microsoft edge lists a
 * user's calendars (src/microsoft/calendar/admin-calendars.ts); the Mattermost edge resolves usernames
 * (satisfied in src/wiring/calendar/admin.ts).
 */

/** One calendar of a mailbox, as `showcals` prints it. */
export interface CalendarInfo {
  name: string;
  ownerName: string;
  ownerAddress: string;
  canEdit: boolean;
  isDefault: boolean;
}

export interface AdminCalendars {
  /** The user's own calendars (their delegated token), every page. Throws as the edge does. */
  list(user: string): Promise<CalendarInfo[]>;
}

export interface AdminDirectory {
  /** The Mattermost user id of a username (without @), undefined when there is no such active user. */
  userIdByName(username: string): Promise<string | undefined>;
  /** Usernames by user id (unknown ids are left out); for readable tables. */
  usernames(userIds: readonly string[]): Promise<Map<string, string>>;
}

/** What `info` reports about the running service; the wiring reads it from package.json and git. */
export interface BuildInfo {
  product: string;
  version: string;
  /** Full git commit when known (GIT_COMMIT in the environment, or the checkout's HEAD). */
  commit: string | null;
  startedAt: Date;
}
