/**
 * Seeds: the JSON a `--seed FILE` holds, validated with zod, and the built-in demo tenant (issue 3). The demo
 * tenant is itself a seed document run through the same loader, so the file format is exercised on every start.
 *
 * Relative times: seed events say `{"day": 1, "time": "10:00", "timeZone": "Pacific Standard Time"}` (day
 * offset from today in that zone) or an absolute `{"dateTime", "timeZone"}`, so a demo tenant started any day
 * has meetings today and tomorrow.
 */
import { z } from 'zod';
import { guid, randomSecret } from './ids.ts';
import type { AppRecord, SimState, UserRecord } from './state.ts';

const when = z.union([
  z.object({ dateTime: z.string(), timeZone: z.string() }),
  z.object({ day: z.number().int(), time: z.string().regex(/^\d\d:\d\d$/), timeZone: z.string() }),
]);
export type SeedWhen = z.infer<typeof when>;

const userSeed = z.object({
  key: z.string().min(1),
  id: z.string().uuid().optional(),
  displayName: z.string(),
  givenName: z.string().optional(),
  surname: z.string().optional(),
  mail: z.string().optional(),
  userType: z.enum(['Member', 'Guest']).default('Member'),
  jobTitle: z.string().optional(),
  timeZone: z.string().default('UTC'),
  customTimeZone: z.boolean().default(false),
  workingHours: z
    .object({ daysOfWeek: z.array(z.string()), startTime: z.string(), endTime: z.string() })
    .optional(),
});

const appSeed = z.object({
  clientId: z.string().uuid().optional(),
  clientSecret: z.string().optional(),
  displayName: z.string(),
  redirectUris: z.array(z.string()).default([]),
  delegatedPermissions: z.array(z.string()).default([]),
  applicationPermissions: z.array(z.string()).default([]),
  autoApprove: z.boolean().default(true),
  isPublicClient: z.boolean().default(false),
});

const eventSeed = z.object({
  organizer: z.string(),
  subject: z.string(),
  body: z.string().optional(),
  start: when,
  end: when,
  isAllDay: z.boolean().optional(),
  attendees: z.array(z.string()).default([]),
  location: z.string().optional(),
  isOnlineMeeting: z.boolean().optional(),
  recurrence: z.unknown().optional(),
  showAs: z.string().optional(),
});
export type EventSeed = z.infer<typeof eventSeed>;

const messageSeed = z.object({
  from: z.string(),
  html: z.string(),
  /** Mentioned seed users, in `<at id="n">` order. */
  mentions: z.array(z.string()).default([]),
  hostedImages: z.array(z.object({ contentType: z.string(), base64: z.string() })).default([]),
  codeSnippet: z.object({ language: z.string(), code: z.string() }).optional(),
  replies: z.array(z.object({ from: z.string(), html: z.string() })).default([]),
  /** Chats have no threads: a reply quotes the previous message (messageReference attachment). */
  quotePrevious: z.boolean().default(false),
  reactions: z.array(z.object({ user: z.string(), reactionType: z.string() })).default([]),
});
export type MessageSeed = z.infer<typeof messageSeed>;

const teamSeed = z.object({
  displayName: z.string(),
  description: z.string().default(''),
  owners: z.array(z.string()),
  members: z.array(z.string()),
  channels: z.array(
    z.object({
      displayName: z.string(),
      description: z.string().default(''),
      messages: z.array(messageSeed).default([]),
    }),
  ),
});
export type TeamSeed = z.infer<typeof teamSeed>;

const chatSeed = z.object({
  chatType: z.enum(['oneOnOne', 'group']),
  topic: z.string().optional(),
  members: z.array(z.string()),
  messages: z.array(messageSeed).default([]),
});
export type ChatSeed = z.infer<typeof chatSeed>;

export const seedSchema = z.object({
  tenant: z.object({
    id: z.string().uuid().optional(),
    domain: z.string(),
    displayName: z.string().default('Contoso'),
  }),
  users: z.array(userSeed).min(1),
  apps: z.array(appSeed).min(1),
  events: z.array(eventSeed).default([]),
  teams: z.array(teamSeed).default([]),
  chats: z.array(chatSeed).default([]),
});
export type Seed = z.infer<typeof seedSchema>;

export function parseSeed(input: unknown): Seed {
  const r = seedSchema.safeParse(input);
  if (!r.success) throw new Error(`invalid Microsoft sim seed: ${z.prettifyError(r.error)}`);
  return r.data;
}

const DAY = 86_400_000;

export function addUser(state: SimState, s: z.input<typeof userSeed>): UserRecord {
  const u = userSeed.parse(s);
  const domain = state.tenant.domain;
  const mail = u.mail ?? `${u.key}@${domain}`;
  const upn =
    u.userType === 'Guest'
      ? `${mail.replace('@', '_')}#EXT#@${domain.replace(/\..*$/, '')}.onmicrosoft.com`
      : mail;
  const [given, ...rest] = u.displayName.split(' ');
  const rec: UserRecord = {
    id: u.id ?? guid(),
    key: u.key,
    displayName: u.displayName,
    givenName: u.givenName ?? given ?? null,
    surname: u.surname ?? (rest.join(' ') || null),
    mail,
    userPrincipalName: upn,
    userType: u.userType,
    jobTitle: u.jobTitle ?? null,
    accountEnabled: true,
    timeZone: u.timeZone,
    customTimeZone: u.customTimeZone,
    workingHours: {
      daysOfWeek: u.workingHours?.daysOfWeek ?? ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      startTime: u.workingHours?.startTime ?? '08:00:00.0000000',
      endTime: u.workingHours?.endTime ?? '17:00:00.0000000',
      timeZone: u.timeZone,
    },
  };
  state.users.set(rec.id, rec);
  return rec;
}

export function addApp(state: SimState, s: z.input<typeof appSeed>, now: number): AppRecord {
  const a = appSeed.parse(s);
  const rec: AppRecord = {
    clientId: a.clientId ?? guid(),
    displayName: a.displayName,
    secrets: [{ id: guid(), value: a.clientSecret ?? randomSecret(), expiresAt: now + 730 * DAY }],
    redirectUris: a.redirectUris,
    delegatedPermissions: a.delegatedPermissions,
    applicationPermissions: a.applicationPermissions,
    autoApprove: a.autoApprove,
    isPublicClient: a.isPublicClient,
  };
  state.apps.set(rec.clientId, rec);
  return rec;
}

/** Delegated and application permissions of the two seed guides (mscalendar.md, msteams.md), admin-consented. */
export const DEMO_DELEGATED = [
  'User.Read',
  'User.ReadBasic.All',
  'Calendars.ReadWrite',
  'Calendars.ReadWrite.Shared',
  'MailboxSettings.Read',
  'MailboxSettings.ReadWrite',
  'Chat.Read',
  'Chat.ReadWrite',
  'Chat.Create',
  'ChatMessage.Read',
  'ChatMessage.Send',
  'Channel.ReadBasic.All',
  'ChannelMessage.Read.All',
  'ChannelMessage.ReadWrite',
  'ChannelMessage.Send',
  'Team.ReadBasic.All',
  'Files.Read.All',
  'Files.ReadWrite.All',
  'Presence.Read',
  'Presence.Read.All',
  'Presence.ReadWrite',
];
export const DEMO_APPLICATION = [
  'User.Read.All',
  'Calendars.Read',
  'Calendars.ReadWrite',
  'MailboxSettings.Read',
  'Chat.Read.All',
  'ChannelMessage.Read.All',
  'Channel.ReadBasic.All',
  'Team.ReadBasic.All',
  'Group.Read.All',
  'Files.Read.All',
  'Presence.Read.All',
  'Presence.ReadWrite.All',
  // Read-only, so the product's doctor can check admin consent of the delegated permissions.
  'Application.Read.All',
  'DelegatedPermissionGrant.Read.All',
];

/** 1×1 transparent PNG, the demo's inline image. */
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

export const DEMO_SEED: z.input<typeof seedSchema> = {
  tenant: {
    id: '6f1d2c3b-4a5e-4f60-9b7a-8c9d0e1f2a3b',
    domain: 'contoso.example',
    displayName: 'Contoso (simulated)',
  },
  users: [
    {
      key: 'alice',
      id: 'a11ce000-0000-4000-8000-00000000a11c',
      displayName: 'Alice Archer',
      jobTitle: 'Engineer',
      timeZone: 'Pacific Standard Time',
    },
    { key: 'bob', id: 'b0b00000-0000-4000-8000-000000000b0b', displayName: 'Bob Baker', timeZone: 'UTC' },
    {
      key: 'carol',
      id: 'ca401000-0000-4000-8000-0000000ca401',
      displayName: 'Carol Chen',
      timeZone: 'W. Europe Standard Time',
      customTimeZone: true,
    },
    {
      key: 'dave',
      id: 'da7e0000-0000-4000-8000-000000000da7',
      displayName: 'Dave Guest',
      mail: 'dave@fabrikam.example',
      userType: 'Guest',
    },
  ],
  apps: [
    {
      clientId: '5e1e0a11-0000-4000-8000-00000000a990',
      displayName: 'Mattermost M365 (demo)',
      redirectUris: [
        'http://localhost/oauth2/callback',
        'http://127.0.0.1/oauth2/callback',
        'http://localhost:8080/oauth2/callback',
      ],
      delegatedPermissions: DEMO_DELEGATED,
      applicationPermissions: DEMO_APPLICATION,
      autoApprove: true,
    },
  ],
  events: [
    {
      organizer: 'alice',
      subject: 'Daily standup',
      start: { day: 0, time: '09:00', timeZone: 'Pacific Standard Time' },
      end: { day: 0, time: '09:15', timeZone: 'Pacific Standard Time' },
      attendees: ['bob', 'carol'],
      isOnlineMeeting: true,
      recurrence: {
        pattern: {
          type: 'weekly',
          interval: 1,
          daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        },
        range: { type: 'noEnd', startDate: 'TODAY' },
      },
    },
    {
      organizer: 'alice',
      subject: 'Company offsite',
      start: { day: 2, time: '00:00', timeZone: 'Pacific Standard Time' },
      end: { day: 3, time: '00:00', timeZone: 'Pacific Standard Time' },
      isAllDay: true,
      showAs: 'oof',
    },
    {
      organizer: 'bob',
      subject: 'Design review',
      body: '<p>Let us review the calendar sync design.</p>',
      start: { day: 1, time: '15:00', timeZone: 'UTC' },
      end: { day: 1, time: '16:00', timeZone: 'UTC' },
      attendees: ['alice'],
      location: 'Room 42',
    },
  ],
  teams: [
    {
      displayName: 'Engineering',
      description: 'The engineering team',
      owners: ['alice'],
      members: ['alice', 'bob', 'carol'],
      channels: [
        {
          displayName: 'General',
          messages: [
            {
              from: 'alice',
              html: '<p>Welcome to <b>Engineering</b>! <emoji id="1f44b_wavinghand" alt="👋" title="Waving hand"></emoji></p>',
              replies: [{ from: 'bob', html: '<p>Thanks Alice!</p>' }],
            },
          ],
        },
        {
          displayName: 'Releases',
          description: 'Release coordination',
          messages: [
            {
              from: 'bob',
              html: '<p><at id="0">Carol Chen</at> the build is green.</p>',
              mentions: ['carol'],
            },
          ],
        },
      ],
    },
  ],
  chats: [
    {
      chatType: 'oneOnOne',
      members: ['alice', 'bob'],
      messages: [
        {
          from: 'bob',
          html: '<p>Hi <at id="0">Alice</at>, the diagram: <img src="../hostedContents/1/$value" alt="diagram"></p>',
          mentions: ['alice'],
          hostedImages: [{ contentType: 'image/png', base64: PNG_1X1 }],
        },
        {
          from: 'alice',
          html: '<p>Looks good <emoji id="1f44d_thumbsup" alt="👍" title="Thumbs up"></emoji></p>',
          reactions: [{ user: 'bob', reactionType: '❤️' }],
        },
      ],
    },
    {
      chatType: 'group',
      topic: 'Launch planning',
      members: ['alice', 'bob', 'carol'],
      messages: [
        {
          from: 'carol',
          html: '<p>Here is the script:</p>',
          codeSnippet: { language: 'bash', code: 'npm run launch -- --dry-run\n' },
        },
        {
          from: 'alice',
          html: '<p>Thanks <at id="0">Carol</at>!</p>',
          mentions: ['carol'],
          quotePrevious: true,
        },
      ],
    },
  ],
};
