import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Feature } from '../../core/accounts/account.ts';
import type { Clock } from '../../core/clock.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { GraphSession } from '../graph/graph-session.ts';
import { hashClientState, newClientState } from '../notifications/client-state.ts';
import type { NotificationCertificates } from './certificates.ts';
import type { SubscriptionRecord, SubscriptionStore } from './ports.ts';
import '../errors.ts'; // registers this folder's MM365_* codes, so AppError knows their HTTP status

/** Whose token creates and renews the subscription. */
export type SubscriptionAuth = { kind: 'app' } | { kind: 'user'; partition: string; feature: Feature };

export interface SubscriptionSpec {
  /** The feature's name for what it watches, e.g. `calendar.events`, `teams.chat-messages`. Picks the handler. */
  kind: string;
  /** Who or what it is for (a token partition, a chat id); `removeOwner` deletes by it. */
  ownerKey: string;
  /** Graph resource without the base URL: `/users/{id}/events`, `/chats/{id}/messages`. */
  resource: string;
  changeType: string;
  auth: SubscriptionAuth;
  includeResourceData?: boolean;
  /** Default: 60 for presence, 1,440 for Outlook with resource data, else 4,320 (fits Outlook and Teams). */
  lifetimeMinutes?: number;
}

export interface SubscriptionManagerDeps {
  store: SubscriptionStore;
  certificates: NotificationCertificates;
  /** A Graph session with the subscription's token. */
  graph: (auth: SubscriptionAuth) => GraphSession;
  /** Absolute HTTPS URLs Graph posts to (our webhook plugin); read at each create. */
  urls: () => { notification: string; lifecycle: string };
  clock: Clock;
  log: Logger;
  /**
   * Called after Graph may have sent notifications we did not receive: a subscription had to be deleted
   * before its replacement could exist. The edge routes it to the feature's catch-up.
   */
  onGap?: (row: SubscriptionRecord) => Promise<void>;
  /** Lease holder id; one per process. */
  leaseOwner?: string;
  leaseMs?: number;
}

const graphSubscription = z.object({ id: z.string().min(1), expirationDateTime: z.string().min(1) });
type GraphSubscription = z.output<typeof graphSubscription>;

export type MaintainOutcome = 'created' | 'renewed' | 'fresh' | 'busy' | 'gone';

function defaultLifetime(spec: SubscriptionSpec): number {
  if (/presences/i.test(spec.resource)) return 60;
  if (spec.includeResourceData && /events/i.test(spec.resource)) return 1440;
  return 4320;
}

/** Renew once less than a third of the lifetime is left (at least 15 min before expiry). */
function renewWindowMs(lifetimeMinutes: number): number {
  return Math.max(15, Math.floor(lifetimeMinutes / 3)) * 60_000;
}

/**
 * Our Graph subscriptions: creates them, renews them before expiry, recreates them when Graph lost them,
 * deletes them on disconnect. Cluster-safe through a lease per row (SubscriptionStore.claim): whichever
 * replica holds it calls Graph; the others skip (`busy`) and the next renewal round catches anything missed.
 * No database transaction is held across a Graph call (Graph's validation request comes back to us).
 */
export class SubscriptionManager {
  readonly #deps: SubscriptionManagerDeps;
  readonly #owner: string;
  readonly #leaseMs: number;

  constructor(deps: SubscriptionManagerDeps) {
    this.#deps = deps;
    this.#owner = deps.leaseOwner ?? randomUUID();
    this.#leaseMs = deps.leaseMs ?? 60_000;
  }

  /**
   * Makes sure the subscription exists and is not near expiry; returns its row. Idempotent. Throws
   * MM365_SUBSCRIPTION_FAILED (Graph refused: details carry its error) or the token's error (e.g.
   * MM365_MICROSOFT_RECONNECT_REQUIRED for a user subscription).
   */
  async ensure(spec: SubscriptionSpec): Promise<SubscriptionRecord> {
    const row = await this.#deps.store.upsert({
      kind: spec.kind,
      ownerKey: spec.ownerKey,
      resource: spec.resource,
      changeType: spec.changeType,
      auth: JSON.stringify(spec.auth),
      includeResourceData: spec.includeResourceData ?? false,
      lifetimeMinutes: spec.lifetimeMinutes ?? defaultLifetime(spec),
    });
    if ((await this.maintain(row.id)) !== 'busy') return (await this.#deps.store.get(row.id)) ?? row;
    // Another replica holds the lease and is creating or renewing it: wait for its result (bounded by the lease).
    const deadline = this.#deps.clock.now() + this.#leaseMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      const current = await this.#deps.store.get(row.id);
      if (!current || current.graphId || this.#deps.clock.now() > deadline) return current ?? row;
      if ((await this.maintain(row.id)) !== 'busy') return (await this.#deps.store.get(row.id)) ?? row;
    }
  }

  /** Renews (or recreates) every subscription expiring within its renew window. Returns how many were touched. */
  async renewDue(limit = 100): Promise<number> {
    const now = this.#deps.clock.now();
    // The longest window (4,320 min / 3) bounds the query; each row is then checked against its own window.
    const due = await this.#deps.store.listDue(new Date(now + renewWindowMs(4320)), limit);
    let touched = 0;
    for (const row of due) {
      try {
        const outcome = await this.maintain(row.id);
        if (outcome === 'created' || outcome === 'renewed') touched++;
      } catch (err) {
        // One subscription failing never stops the others (house style rule 8); it is retried next round.
        this.#deps.log.warn({ err, subscription: row.id }, 'subscription maintenance failed');
      }
    }
    return touched;
  }

  /** Creates the Graph subscription if missing, renews it if due. Runs under the row's lease. */
  async maintain(id: string): Promise<MaintainOutcome> {
    return this.#leased(id, async (row) => {
      if (!row.graphId) return this.#create(row);
      const now = this.#deps.clock.now();
      const cert = row.includeResourceData ? await this.#deps.certificates.current() : undefined;
      if (cert && cert.id !== row.certificateId) return this.#replace(row); // certificate rotated
      if (row.expiresAt && row.expiresAt.getTime() - now > renewWindowMs(row.lifetimeMinutes)) return 'fresh';
      return this.#renew(row);
    });
  }

  /** Lifecycle `reauthorizationRequired`: reauthorize (recreate if Graph no longer knows it). */
  async reauthorize(id: string): Promise<MaintainOutcome> {
    return this.#leased(id, async (row) => {
      if (!row.graphId) return this.#create(row);
      try {
        await this.#deps.graph(authOf(row)).request({
          method: 'POST',
          path: `/subscriptions/${row.graphId}/reauthorize`,
          route: '/subscriptions/{id}/reauthorize',
          idempotent: true,
        });
      } catch (err) {
        if (isAppError(err) && err.code === 'MM365_GRAPH_NOT_FOUND') return this.#create(row);
        throw await this.#failed(row, 'reauthorize', err);
      }
      return this.#renew(row);
    });
  }

  /** Lifecycle `subscriptionRemoved`: Graph dropped it; make a new one. */
  async recreate(id: string): Promise<MaintainOutcome> {
    return this.#leased(id, (row) => this.#create(row));
  }

  /** Disconnect: deletes the owner's subscriptions at Graph (already gone is fine) and their rows. */
  async removeOwner(ownerKey: string, kind?: string): Promise<number> {
    const rows = await this.#deps.store.listByOwner(ownerKey, kind);
    for (const row of rows) {
      if (row.graphId) {
        try {
          await this.#deps.graph(authOf(row)).request({
            method: 'DELETE',
            path: `/subscriptions/${row.graphId}`,
            route: '/subscriptions/{id}',
          });
        } catch (err) {
          const gone = isAppError(err) && err.code === 'MM365_GRAPH_NOT_FOUND';
          const tokenDead = isAppError(err) && err.code === 'MM365_MICROSOFT_RECONNECT_REQUIRED';
          // A dead user token cannot delete; Graph expires the subscription on its own within days.
          if (!gone && !tokenDead) throw err;
        }
      }
      await this.#deps.store.delete(row.id);
    }
    return rows.length;
  }

  async #leased(
    id: string,
    work: (row: SubscriptionRecord) => Promise<MaintainOutcome>,
  ): Promise<MaintainOutcome> {
    const now = this.#deps.clock.now();
    const claimed = await this.#deps.store.claim(
      id,
      this.#owner,
      new Date(now),
      new Date(now + this.#leaseMs),
    );
    if (!claimed) return 'busy';
    try {
      const row = await this.#deps.store.get(id);
      if (!row) return 'gone';
      return await work(row);
    } finally {
      await this.#deps.store.release(id, this.#owner);
    }
  }

  async #create(row: SubscriptionRecord): Promise<MaintainOutcome> {
    const clientState = newClientState();
    const now = this.#deps.clock.now();
    const expires = new Date(now + (row.lifetimeMinutes - 1) * 60_000);
    const cert = row.includeResourceData ? await this.#deps.certificates.current() : undefined;
    // The hash is stored before Graph knows the subscription; graph_id after. A notification racing the
    // create is refused (unknown id) and Graph redelivers it shortly after.
    await this.#deps.store.update(row.id, {
      clientStateHash: hashClientState(clientState),
      status: 'creating',
    });
    let created: GraphSubscription;
    try {
      created = await this.#deps.graph(authOf(row)).parse(graphSubscription, {
        method: 'POST',
        path: '/subscriptions',
        route: '/subscriptions',
        body: {
          changeType: row.changeType,
          notificationUrl: this.#deps.urls().notification,
          lifecycleNotificationUrl: this.#deps.urls().lifecycle,
          resource: row.resource,
          expirationDateTime: expires.toISOString(),
          clientState,
          latestSupportedTlsVersion: 'v1_2',
          ...(cert
            ? {
                includeResourceData: true,
                encryptionCertificate: cert.certificateDer,
                encryptionCertificateId: cert.id,
              }
            : {}),
        },
      });
    } catch (err) {
      throw await this.#failed(row, 'create', err);
    }
    const previous = row.graphId;
    await this.#deps.store.update(row.id, {
      graphId: created.id,
      expiresAt: new Date(created.expirationDateTime),
      certificateId: cert?.id ?? null,
      status: 'active',
      lastError: null,
    });
    if (previous && previous !== created.id.toLowerCase()) await this.#deleteQuietly(row, previous);
    return 'created';
  }

  /**
   * Moves a subscription to a new certificate. Graph cannot PATCH the certificate, so: a new subscription
   * first, then the old one deleted (no gap). Where Graph allows one subscription per app and resource
   * (Teams chats and channels: 403 quota), the old one is deleted first and the feature catches up on the gap.
   */
  async #replace(row: SubscriptionRecord): Promise<MaintainOutcome> {
    try {
      return await this.#create(row);
    } catch (err) {
      const status = isAppError(err) ? (err.details as { status?: number } | undefined)?.status : undefined;
      if (status !== 403 || !row.graphId) throw err;
      await this.#deleteQuietly(row, row.graphId);
      await this.#deps.store.update(row.id, { graphId: null });
      const outcome = await this.#create({ ...row, graphId: null });
      await this.#deps.onGap?.(row);
      return outcome;
    }
  }

  async #renew(row: SubscriptionRecord): Promise<MaintainOutcome> {
    const expires = new Date(this.#deps.clock.now() + (row.lifetimeMinutes - 1) * 60_000);
    try {
      const renewed = await this.#deps.graph(authOf(row)).parse(graphSubscription, {
        method: 'PATCH',
        path: `/subscriptions/${row.graphId}`,
        route: '/subscriptions/{id}',
        body: { expirationDateTime: expires.toISOString() },
        idempotent: true,
      });
      await this.#deps.store.update(row.id, {
        expiresAt: new Date(renewed.expirationDateTime),
        status: 'active',
        lastError: null,
      });
      return 'renewed';
    } catch (err) {
      // Graph lost it (expired, removed): "The object was not found." → recreate.
      if (isAppError(err) && err.code === 'MM365_GRAPH_NOT_FOUND') return this.#create(row);
      throw await this.#failed(row, 'renew', err);
    }
  }

  async #deleteQuietly(row: SubscriptionRecord, graphId: string): Promise<void> {
    try {
      await this.#deps
        .graph(authOf(row))
        .request({ method: 'DELETE', path: `/subscriptions/${graphId}`, route: '/subscriptions/{id}' });
    } catch (err) {
      this.#deps.log.debug({ err, subscription: row.id }, 'old Graph subscription could not be deleted');
    }
  }

  async #failed(row: SubscriptionRecord, what: string, err: unknown): Promise<AppError> {
    const message = err instanceof Error ? err.message : String(err);
    await this.#deps.store
      .update(row.id, { lastError: `${what}: ${message}`.slice(0, 500), status: 'failed' })
      .catch(() => {});
    if (
      isAppError(err) &&
      (err.code === 'MM365_MICROSOFT_RECONNECT_REQUIRED' || err.code.startsWith('MM365_MICROSOFT_'))
    )
      return err;
    return new AppError(
      'MM365_SUBSCRIPTION_FAILED',
      `Graph subscription ${what} for ${row.kind} failed: ${message}`,
      {
        cause: err,
        details: { subscription: row.id, ...(isAppError(err) ? (err.details ?? {}) : {}) },
      },
    );
  }
}

function authOf(row: SubscriptionRecord): SubscriptionAuth {
  return JSON.parse(row.auth) as SubscriptionAuth;
}
