/**
 * The simulator's whole in-memory state, typed. Handlers read and write it directly; `reset` replaces it.
 *
 * Invariants: ids are unique across the sim; every record refers to users and apps by id; anything time-based
 * stores ms since epoch on the sim clock. Wire shapes (Graph JSON) are built from these records by the
 * resource modules, never stored half-rendered, except calendar events and chat messages whose Graph shape is
 * rich enough that storing it (typed by @microsoft/microsoft-graph-types) is the honest model.
 */
import type { ChatMessage, Event } from '@microsoft/microsoft-graph-types';

export interface TenantRecord {
  id: string;
  domain: string;
  displayName: string;
}

export interface WorkingHoursRecord {
  daysOfWeek: string[];
  startTime: string;
  endTime: string;
  timeZone: string;
}

export interface UserRecord {
  id: string;
  /** The seed's handle ("alice"), used by the ready line and the control API. */
  key: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string;
  userPrincipalName: string;
  userType: 'Member' | 'Guest';
  jobTitle: string | null;
  accountEnabled: boolean;
  /** Windows time zone name (mailboxSettings.timeZone). */
  timeZone: string;
  workingHours: WorkingHoursRecord;
  /** The 'custom' flag marks the fixture user whose working hours use a customTimeZone (graph-api.md §2.5). */
  customTimeZone: boolean;
}

export interface AppSecret {
  id: string;
  value: string;
  expiresAt: number;
}

export interface AppRecord {
  clientId: string;
  displayName: string;
  secrets: AppSecret[];
  redirectUris: string[];
  /** Admin-consented delegated scopes (short names, e.g. "Calendars.ReadWrite"). */
  delegatedPermissions: string[];
  /** Admin-consented application roles. */
  applicationPermissions: string[];
  /** Scripted sign-in: authorize with a known login_hint redirects at once, no picker. */
  autoApprove: boolean;
  /** Public clients redeem codes without a secret (PKCE then required). */
  isPublicClient: boolean;
}

export interface AuthCodeRecord {
  code: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  nonce: string | null;
  issuedAt: number;
  expiresAt: number;
  redeemed: boolean;
}

export interface RefreshTokenRecord {
  token: string;
  clientId: string;
  userId: string;
  scopes: string[];
  issuedAt: number;
  /** Inactivity horizon: issuedAt + 90 days. Using the token mints a new one with a fresh horizon. */
  expiresAt: number;
  revoked: boolean;
}

/** Who a Graph request acts as, from its access token. */
export type Principal =
  | { kind: 'delegated'; appId: string; userId: string; scopes: Set<string>; tokenId: string }
  | { kind: 'app'; appId: string; roles: Set<string>; tokenId: string };

export interface CalendarRecord {
  id: string;
  ownerId: string;
  name: string;
  isDefaultCalendar: boolean;
  changeKey: string;
}

/**
 * A stored calendar item in one mailbox. `event` is the Graph shape as the mailbox owner sees it, in the time
 * zone it was written in; `seriesOccurrences` holds per-occurrence overrides and cancellations of a series.
 */
export interface StoredEvent {
  id: string;
  mailboxId: string;
  calendarId: string;
  event: Event;
  /** For attendee copies: the organizer's item this copy mirrors. */
  organizerRef: { mailboxId: string; eventId: string } | null;
  /** Series only: original start date (yyyy-mm-dd, series time zone) of occurrences that were deleted. */
  cancelledDates: string[];
  /** Series only: modified occurrences, keyed by original start date; the values override the master's fields. */
  exceptions: Record<string, Partial<Event>>;
  /** Sequence number of the mailbox change log at the last write (delta). */
  seq: number;
}

export interface MailboxChange {
  seq: number;
  eventId: string;
  removed: boolean;
}

export interface TeamRecord {
  id: string;
  displayName: string;
  description: string;
  memberIds: string[];
  ownerIds: string[];
  createdAt: number;
}

export interface ChannelRecord {
  id: string;
  teamId: string;
  displayName: string;
  description: string;
  membershipType: 'standard' | 'private' | 'shared';
  createdAt: number;
}

export interface ChatMemberRecord {
  id: string;
  userId: string;
  roles: string[];
  visibleHistoryStartDateTime: string;
}

export interface ChatRecord {
  id: string;
  chatType: 'oneOnOne' | 'group';
  topic: string | null;
  createdAt: number;
  lastUpdatedAt: number;
  members: ChatMemberRecord[];
}

export interface HostedContentRecord {
  id: string;
  contentType: string;
  bytes: Buffer;
}

/**
 * A chat or channel message. `container` says where it lives; replies are channel messages with
 * `message.replyToId` set. Edits keep `history` for messageHistory.
 */
export interface StoredMessage {
  key: string;
  container: { kind: 'chat'; chatId: string } | { kind: 'channel'; teamId: string; channelId: string };
  message: ChatMessage;
  hostedContents: HostedContentRecord[];
  /** Monotonic change sequence (channel delta, getAllMessages delta). */
  seq: number;
  /** The body a soft delete emptied, restored by undoSoftDelete. */
  deletedBody: ChatMessage['body'] | null;
}

export interface PresenceSession {
  sessionId: string;
  availability: string;
  activity: string;
  expiresAt: number;
}

export interface PresenceRecord {
  userId: string;
  sessions: Map<string, PresenceSession>;
  preferred: { availability: string; activity: string; expiresAt: number } | null;
  statusMessage: {
    content: string;
    contentType: string;
    expiresAt: number | null;
    publishedAt: number;
  } | null;
  sequence: number;
}

export interface DriveItemRecord {
  id: string;
  driveId: string;
  ownerUserId: string | null;
  /** Folder path inside the drive, e.g. "Microsoft Teams Chat Files". */
  parentPath: string;
  name: string;
  isFolder: boolean;
  bytes: Buffer;
  eTagGuid: string;
  createdAt: number;
  modifiedAt: number;
}

export interface UploadSessionRecord {
  id: string;
  driveId: string;
  parentPath: string;
  name: string;
  ownerUserId: string | null;
  size: number | null;
  chunks: Buffer[];
  received: number;
  expiresAt: number;
}

export interface SubscriptionRecord {
  id: string;
  resource: string;
  changeTypes: string[];
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expiresAt: number;
  includeResourceData: boolean;
  encryptionCertificate: string | null;
  encryptionCertificateId: string | null;
  applicationId: string;
  creatorId: string;
  latestSupportedTlsVersion: string;
  notificationQueryOptions: string | null;
}

export class SimState {
  tenant: TenantRecord = { id: '', domain: '', displayName: '' };
  readonly users = new Map<string, UserRecord>();
  readonly apps = new Map<string, AppRecord>();
  readonly authCodes = new Map<string, AuthCodeRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** Token ids (`uti`) revoked before expiry (control API). */
  readonly revokedTokenIds = new Set<string>();
  readonly calendars = new Map<string, CalendarRecord>();
  readonly events = new Map<string, StoredEvent>();
  readonly mailboxChanges = new Map<string, MailboxChange[]>();
  mailboxSeq = 0;
  readonly teams = new Map<string, TeamRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly chats = new Map<string, ChatRecord>();
  readonly messages = new Map<string, StoredMessage>();
  messageSeq = 0;
  /** Last chat/channel message id handed out (epoch ms, strictly increasing). */
  lastMessageId = 0;
  /** Teams evaluation-mode metering: messages served (API reads and notifications) per app this month. */
  readonly meteredMessages = new Map<string, number>();
  readonly presence = new Map<string, PresenceRecord>();
  readonly driveItems = new Map<string, DriveItemRecord>();
  readonly uploadSessions = new Map<string, UploadSessionRecord>();
  /** Pre-authenticated download URLs (`@microsoft.graph.downloadUrl`) → item and expiry. */
  readonly downloadTokens = new Map<string, { itemId: string; expiresAt: number }>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();

  /** Finds a user by id, seed key, mail or UPN (case-insensitive for the last two, as Entra is). */
  findUser(ref: string): UserRecord | undefined {
    const byId = this.users.get(ref);
    if (byId) return byId;
    const lower = ref.toLowerCase();
    for (const u of this.users.values()) {
      if (u.key === ref || u.mail.toLowerCase() === lower || u.userPrincipalName.toLowerCase() === lower)
        return u;
    }
    return undefined;
  }

  /** Appends to a mailbox's change log (calendar delta) and returns the new sequence number. */
  recordMailboxChange(mailboxId: string, eventId: string, removed: boolean): number {
    const seq = ++this.mailboxSeq;
    const log = this.mailboxChanges.get(mailboxId) ?? [];
    this.mailboxChanges.set(mailboxId, log);
    log.push({ seq, eventId, removed });
    return seq;
  }
}
