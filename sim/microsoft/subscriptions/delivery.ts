/**
 * Change-notification delivery (graph-api.md §5.3–5.7): matches changes to live subscriptions, builds basic or
 * rich notifications, POSTs them to the receiver with a 3 s timeout, and retries failures with backoff on the
 * sim clock for up to 4 hours before dropping them. Also runs the validation handshake, lifecycle events and
 * subscription expiry.
 *
 * Delivery never blocks the Graph call that caused it: `emit` queues work on the event loop. Notifications for
 * different subscriptions that share a URL and are caused by one change are sent in one POST, as Graph may.
 * Slow receivers are delayed, then dropped, by the slow-endpoint policy (slow-endpoints.ts).
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SimTimer } from '../../shared/clock.ts';
import { masterInstance, renderInstance } from '../calendar/instances.ts';
import type { SimContext } from '../context.ts';
import { GraphError } from '../graph-error.ts';
import { presenceJson } from '../presence/presence.ts';
import type { SubscriptionRecord } from '../state.ts';
import { messageJson, messageKey } from '../teams/message-json.ts';
import { encryptResource } from './encryption.ts';
import type { DeliveryLogEntry, Notifier, ResourceChange } from './notifier.ts';
import { Outbound } from './outbound.ts';
import { resolveResource, subscriptionPrincipal } from './resources.ts';
import { SlowEndpoints } from './slow-endpoints.ts';

/** Microsoft Graph Change Tracking's app id: the `appid`/`azp` of validationTokens (graph-api.md §5.3). */
export const CHANGE_TRACKING_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';
/** Retry delays after a failed delivery; the 4 h horizon ends retries. */
const RETRY_DELAYS_MS = [
  10_000, 30_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000, 3_600_000, 3_600_000,
];
const HORIZON_MS = 4 * 3_600_000;
const LOG_LIMIT = 500;

export function subscriptionExpiry(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(ms % 1000).padStart(3, '0')}0000Z`;
}

interface Notification {
  subscriptionId: string;
  body: Record<string, unknown>;
  appId: string;
  rich: boolean;
}

export function createNotifier(ctx: SimContext): Notifier {
  const outbound = new Outbound(ctx.settings);
  const slow = new SlowEndpoints(ctx.clock, ctx.settings);
  const timers = new Set<SimTimer>();
  const expiry = new Map<string, SimTimer>();
  const entries: DeliveryLogEntry[] = [];
  let disposed = false;

  const record = (e: Omit<DeliveryLogEntry, 'at'>) => {
    entries.push({ at: ctx.clock.date().toISOString(), ...e });
    if (entries.length > LOG_LIMIT) entries.shift();
  };

  const later = (ms: number, fn: () => void | Promise<void>) => {
    const t = ctx.clock.after(ms, async () => {
      timers.delete(t);
      if (!disposed) await fn();
    });
    timers.add(t);
  };

  function resourcePath(change: ResourceChange): { resource: string; data: Record<string, unknown> } {
    switch (change.kind) {
      case 'event': {
        const r = `Users/${change.mailboxId}/Events/${change.eventId}`;
        return {
          resource: r,
          data: {
            '@odata.type': '#Microsoft.Graph.Event',
            '@odata.id': r,
            '@odata.etag': `W/"${change.etag}"`,
            id: change.eventId,
          },
        };
      }
      case 'chatMessage': {
        const r = `chats('${change.chatId}')/messages('${change.messageId}')`;
        return {
          resource: r,
          data: { id: change.messageId, '@odata.type': '#Microsoft.Graph.chatMessage', '@odata.id': r },
        };
      }
      case 'channelMessage': {
        const root = `teams('${change.teamId}')/channels('${change.channelId}')/messages('${change.replyToId ?? change.messageId}')`;
        const r = change.replyToId ? `${root}/replies('${change.messageId}')` : root;
        return {
          resource: r,
          data: { id: change.messageId, '@odata.type': '#Microsoft.Graph.chatMessage', '@odata.id': r },
        };
      }
      case 'presence': {
        const r = `communications/presences('${change.userId}')`;
        return {
          resource: r,
          data: { '@odata.type': '#Microsoft.Graph.presence', '@odata.id': r, id: change.userId },
        };
      }
    }
  }

  /** The resource as a rich notification carries it; null when it no longer exists (deletes). */
  function resourceJson(change: ResourceChange, select: string[] | null): unknown {
    switch (change.kind) {
      case 'event': {
        const s = ctx.state.events.get(change.eventId);
        if (!s) return null;
        const full = renderInstance(masterInstance(s), { label: 'UTC', iana: 'UTC' }) as Record<
          string,
          unknown
        >;
        if (!select) return full;
        return Object.fromEntries(
          Object.entries(full).filter(([k]) => k === 'id' || k.startsWith('@odata') || select.includes(k)),
        );
      }
      case 'chatMessage':
      case 'channelMessage': {
        const container =
          change.kind === 'chatMessage'
            ? ({ kind: 'chat', chatId: change.chatId } as const)
            : ({ kind: 'channel', teamId: change.teamId, channelId: change.channelId } as const);
        const m = ctx.state.messages.get(messageKey(container, change.messageId));
        return m ? messageJson(m) : null;
      }
      case 'presence':
        return presenceJson(ctx, change.userId);
    }
  }

  async function validationToken(appId: string): Promise<string> {
    const now = Math.floor(ctx.clock.now() / 1000);
    const tid = ctx.state.tenant.id;
    return new SignJWT({
      aud: appId,
      iss: `https://sts.windows.net/${tid}/`,
      iat: now,
      nbf: now,
      exp: now + 3600,
      aio: randomUUID(),
      appid: CHANGE_TRACKING_APP_ID,
      appidacr: '2',
      azp: CHANGE_TRACKING_APP_ID,
      idp: `https://sts.windows.net/${tid}/`,
      tid,
      ver: '1.0',
    })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: ctx.keys.kid })
      .sign(ctx.keys.privateKey);
  }

  async function send(
    url: string,
    batch: Notification[],
    attempt: number,
    firstAt: number,
    delayedOnce = false,
  ): Promise<void> {
    if (disposed) return;
    const envelope: Record<string, unknown> = { value: batch.map((n) => n.body) };
    const subscriptionIds = batch.map((n) => n.subscriptionId);
    const verdict = slow.verdict(url);
    if (verdict === 'dropped') {
      ctx.counters.notifications.dropped += batch.length;
      announceMissed(batch);
      record({
        kind: 'notification',
        url,
        attempt,
        outcome: 'dropped-slow',
        subscriptionIds,
        body: envelope,
      });
      return;
    }
    if (verdict === 'delayed' && !delayedOnce) {
      record({
        kind: 'notification',
        url,
        attempt,
        outcome: 'delayed-slow',
        subscriptionIds,
        body: envelope,
      });
      later(ctx.settings.slowEndpoint.delayMs, () => send(url, batch, attempt, firstAt, true));
      return;
    }
    const richApps = [...new Set(batch.filter((n) => n.rich).map((n) => n.appId))];
    if (richApps.length > 0) envelope.validationTokens = await Promise.all(richApps.map(validationToken));
    const started = performance.now();
    const res = await outbound.post(
      url,
      JSON.stringify(envelope),
      'application/json; charset=utf-8',
      ctx.settings.notificationTimeoutMs,
    );
    slow.record(url, performance.now() - started, !res.ok && res.reason === 'timeout');
    const outcome = res.ok ? res.status : res.reason;
    record({
      kind: 'notification',
      url,
      attempt,
      outcome,
      subscriptionIds,
      body: envelope,
    });
    if (res.ok && res.status >= 200 && res.status < 300) {
      ctx.counters.notifications.sent += batch.length;
      return;
    }
    const delay = RETRY_DELAYS_MS[attempt - 1];
    if (delay === undefined || ctx.clock.now() + delay - firstAt > HORIZON_MS) {
      ctx.counters.notifications.dropped += batch.length;
      announceMissed(batch);
      return;
    }
    later(delay, async () => {
      ctx.counters.notifications.retried += batch.length;
      await send(url, batch, attempt + 1, firstAt);
    });
  }

  /**
   * Outlook subscriptions whose notifications were dropped get a `missed` lifecycle event, so the receiver knows
   * to resync with delta (graph-api.md §5.4). Teams and presence have no `missed`.
   */
  function announceMissed(batch: Notification[]): void {
    for (const id of new Set(batch.map((n) => n.subscriptionId))) {
      const sub = ctx.state.subscriptions.get(id);
      if (!sub?.lifecycleNotificationUrl) continue;
      let kind: string;
      try {
        kind = resolveResource(ctx, sub.resource, subscriptionPrincipal(ctx, sub)).kind;
      } catch {
        continue;
      }
      if (kind !== 'outlook') continue;
      notifier
        .lifecycle(id, 'missed')
        .catch((err) => console.error('[microsoft-sim] missed lifecycle failed', err));
    }
  }

  async function fanOut(change: ResourceChange): Promise<void> {
    if (disposed) return;
    const byUrl = new Map<string, Notification[]>();
    const now = ctx.clock.now();
    for (const sub of ctx.state.subscriptions.values()) {
      if (sub.expiresAt <= now || !sub.changeTypes.includes(change.changeType)) continue;
      let spec: ReturnType<typeof resolveResource>;
      try {
        spec = resolveResource(ctx, sub.resource, subscriptionPrincipal(ctx, sub));
      } catch {
        continue;
      }
      if (!spec.matches(change)) continue;
      if (ctx.settings.metering === 'evaluation' && spec.kind === 'teams' && !meteringAllows(sub)) continue;
      const { resource, data } = resourcePath(change);
      const body: Record<string, unknown> = {
        subscriptionId: sub.id,
        subscriptionExpirationDateTime: subscriptionExpiry(sub.expiresAt),
        changeType: change.changeType,
        resource,
        resourceData: data,
        clientState: sub.clientState,
        tenantId: ctx.state.tenant.id,
      };
      if (sub.includeResourceData && sub.encryptionCertificate && change.changeType !== 'deleted') {
        const json = resourceJson(change, spec.select);
        if (json !== null) {
          body.encryptedContent = encryptResource(
            sub.encryptionCertificate,
            sub.encryptionCertificateId ?? '',
            json,
          );
        }
      }
      const list = byUrl.get(sub.notificationUrl) ?? [];
      list.push({ subscriptionId: sub.id, body, appId: sub.applicationId, rich: sub.includeResourceData });
      byUrl.set(sub.notificationUrl, list);
    }
    await Promise.all([...byUrl].map(([url, batch]) => send(url, batch, 1, ctx.clock.now())));
  }

  function meteringAllows(sub: SubscriptionRecord): boolean {
    // Evaluation mode: 500 messages per app per tenant per month; beyond it notifications are silently not sent.
    const n = (ctx.state.meteredMessages.get(sub.applicationId) ?? 0) + 1;
    ctx.state.meteredMessages.set(sub.applicationId, n);
    return n <= 500;
  }

  const notifier: Notifier = {
    emit(change) {
      if (disposed || ctx.state.subscriptions.size === 0) return;
      setImmediate(() => {
        fanOut(change).catch((err) => console.error('[microsoft-sim] notification fan-out failed', err));
      });
    },

    async validate(url) {
      const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
      // Encoded as Graph (.NET) does it: '+' for spaces, lower-case escapes ("Validation%3a+Testing+…"), so
      // receivers must form-decode the query, not just percent-decode it.
      const encoded = encodeURIComponent(token)
        .replace(/%20/g, '+')
        .replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
      const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encoded}`;
      ctx.counters.notifications.validations++;
      const res = await outbound.post(
        target,
        '',
        'text/plain; charset=utf-8',
        ctx.settings.validationTimeoutMs,
      );
      record({
        kind: 'validation',
        url,
        attempt: 1,
        outcome: res.ok ? res.status : res.reason,
        subscriptionIds: [],
        body: token,
      });
      if (!res.ok && res.reason === 'timeout') {
        throw new GraphError(400, 'InvalidRequest', 'Subscription validation request timed out.');
      }
      if (!res.ok || res.status !== 200) {
        throw new GraphError(
          400,
          'ValidationError',
          'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
        );
      }
      if (res.text !== token || !/^text\/plain\b/i.test(res.contentType)) {
        throw new GraphError(
          400,
          'InvalidRequest',
          'Subscription validation request failed. Response must exactly match validationToken query parameter.',
        );
      }
    },

    async lifecycle(id, event) {
      const sub = ctx.state.subscriptions.get(id);
      if (!sub) throw new GraphError(404, 'ResourceNotFound', 'The object was not found.');
      if (!sub.lifecycleNotificationUrl) {
        throw new GraphError(400, 'BadRequest', 'The subscription has no lifecycleNotificationUrl.');
      }
      const body = {
        value: [
          {
            subscriptionId: sub.id,
            subscriptionExpirationDateTime: subscriptionExpiry(sub.expiresAt),
            tenantId: ctx.state.tenant.id,
            clientState: sub.clientState,
            lifecycleEvent: event,
          },
        ],
      };
      if (event === 'subscriptionRemoved') {
        ctx.state.subscriptions.delete(sub.id);
        expiry.get(sub.id)?.cancel();
      }
      ctx.counters.notifications.lifecycle++;
      const res = await outbound.post(
        sub.lifecycleNotificationUrl,
        JSON.stringify(body),
        'application/json; charset=utf-8',
        ctx.settings.notificationTimeoutMs,
      );
      record({
        kind: 'lifecycle',
        url: sub.lifecycleNotificationUrl,
        attempt: 1,
        outcome: res.ok ? res.status : res.reason,
        subscriptionIds: [sub.id],
        body,
      });
    },

    armExpiry(id) {
      expiry.get(id)?.cancel();
      const sub = ctx.state.subscriptions.get(id);
      if (!sub) return;
      const t = ctx.clock.at(sub.expiresAt, () => {
        expiry.delete(id);
        const current = ctx.state.subscriptions.get(id);
        if (current && current.expiresAt <= ctx.clock.now()) ctx.state.subscriptions.delete(id);
      });
      expiry.set(id, t);
    },

    log: () => entries.map((e) => ({ ...e })),

    dispose() {
      disposed = true;
      for (const t of timers) t.cancel();
      for (const t of expiry.values()) t.cancel();
      timers.clear();
      expiry.clear();
      void outbound.close();
    },
  };
  return notifier;
}
