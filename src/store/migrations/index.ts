import type { Migration } from 'kysely/migration';
import * as m0001 from './0001-stored-secret.ts';
import * as m0002 from './0002-microsoft.ts';
import * as m0003 from './0003-mattermost.ts';
import * as m0004 from './0004-connected-account.ts';
import * as m0005 from './0005-connect-request.ts';
import * as m0006 from './0006-calendar.ts';
import * as m0007 from './0007-calendar-summary.ts';
import * as m0008 from './0008-calendar-reminder.ts';
import * as m0009 from './0009-calendar-status.ts';
import * as m0010 from './0010-calendar-invitation.ts';
import * as m0011 from './0011-calendar-channel-link.ts';
import * as m0012 from './0012-calendar-welcome.ts';

/**
 * Every migration, in order. Forward-only: a released migration is never edited; a fix is a new one.
 * Names sort by their number, which is what Kysely's Migrator orders by.
 */
export const migrations: Record<string, Migration> = {
  '0001-stored-secret': m0001,
  '0002-microsoft': m0002,
  '0003-mattermost': m0003,
  '0004-connected-account': m0004,
  '0005-connect-request': m0005,
  '0006-calendar': m0006,
  '0007-calendar-summary': m0007,
  '0008-calendar-reminder': m0008,
  '0009-calendar-status': m0009,
  '0010-calendar-invitation': m0010,
  '0011-calendar-channel-link': m0011,
  '0012-calendar-welcome': m0012,
};
