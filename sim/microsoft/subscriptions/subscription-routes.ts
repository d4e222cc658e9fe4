/**
 * `/subscriptions` (graph-api.md §5.1, §5.5): create with validation handshakes, list (the caller app's only;
 * a delegated caller sees the ones it created), get, PATCH `expirationDateTime`, reauthorize, delete.
 *
 * Assumptions: an expiration under 45 minutes ahead is raised to 45 minutes (not for presence, whose maximum is
 * 60); one beyond the resource's maximum is a 400 `ExtensionError` naming the limit in minutes (observed); subscriptions of other apps
 * are invisible (404) rather than 403.
 */
import type { Handler, SimContext, SimRequest } from '../context.ts';
import { checkPermissions, principalOf } from '../graph/auth.ts';
import { badRequest, GraphError } from '../graph-error.ts';
import { guid } from '../ids.ts';
import type { SubscriptionRecord } from '../state.ts';
import { subscriptionExpiry } from './delivery.ts';
import { parseCertificate } from './encryption.ts';
import type { LifecycleEvent } from './notifier.ts';
import { type ResourceSpec, resolveResource, subscriptionPrincipal } from './resources.ts';

const CHANGE_TYPES = ['created', 'updated', 'deleted'];
const TLS_VERSIONS = ['v1_0', 'v1_1', 'v1_2', 'v1_3'];
const notFound = () => new GraphError(404, 'ResourceNotFound', 'The object was not found.');

export function subscriptionJson(ctx: SimContext, s: SubscriptionRecord): Record<string, unknown> {
  return {
    '@odata.context': `${ctx.urls.graph}/$metadata#subscriptions/$entity`,
    id: s.id,
    resource: s.resource,
    applicationId: s.applicationId,
    changeType: s.changeTypes.join(','),
    clientState: s.clientState,
    notificationUrl: s.notificationUrl,
    notificationQueryOptions: s.notificationQueryOptions,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl,
    expirationDateTime: subscriptionExpiry(s.expiresAt),
    creatorId: s.creatorId,
    includeResourceData: s.includeResourceData,
    latestSupportedTlsVersion: s.latestSupportedTlsVersion,
    encryptionCertificate: s.encryptionCertificate,
    encryptionCertificateId: s.encryptionCertificateId,
    notificationUrlAppId: null,
  };
}

function checkUrl(ctx: SimContext, url: unknown, field: string): string {
  if (typeof url !== 'string' || url === '')
    throw badRequest(`${field} is a required property for subscription creation.`, 'InvalidRequest');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badRequest(`Invalid ${field} '${url}'.`, 'InvalidRequest');
  }
  if (u.protocol !== 'https:' && !(ctx.settings.allowHttpNotificationUrl && u.protocol === 'http:')) {
    throw badRequest(`The ${field} must use the https scheme.`, 'InvalidRequest');
  }
  return url;
}

/** Clamps/validates an expiration against the resource's maximum; returns ms since epoch. */
function expiration(ctx: SimContext, raw: unknown, spec: ResourceSpec, withData: boolean): number {
  if (typeof raw !== 'string' || Number.isNaN(Date.parse(raw))) {
    throw badRequest(
      'expirationDateTime is a required property for subscription creation.',
      'InvalidRequest',
    );
  }
  const now = ctx.clock.now();
  let at = Date.parse(raw);
  if (at <= now) throw badRequest('Subscription expiration must be in the future.', 'InvalidRequest');
  const max = withData ? spec.maxMinutesWithData : spec.maxMinutes;
  if (at > now + max * 60_000) {
    throw badRequest(`Subscription expiration can only be ${max} minutes in the future.`, 'ExtensionError');
  }
  if (at < now + 45 * 60_000) at = Math.min(now + 45 * 60_000, now + max * 60_000);
  return at;
}

function ownedBy(req: SimRequest, s: SubscriptionRecord): boolean {
  const p = principalOf(req);
  if (s.applicationId !== p.appId) return false;
  return p.kind === 'app' || s.creatorId === p.userId;
}

function find(req: SimRequest, ctx: SimContext): SubscriptionRecord {
  const s = ctx.state.subscriptions.get(req.params.subscriptionId ?? '');
  if (!s || !ownedBy(req, s)) throw notFound();
  return s;
}

export const createSubscription: Handler = async (req, ctx) => {
  const p = principalOf(req);
  const b = (req.body ?? {}) as Record<string, unknown>;
  if (typeof b.resource !== 'string' || !b.resource)
    throw badRequest('resource is a required property for subscription creation.', 'InvalidRequest');
  if (/^https?:/i.test(b.resource))
    throw badRequest('The resource must be relative to the Graph version root.', 'InvalidRequest');
  const spec = resolveResource(ctx, b.resource, p);
  checkPermissions(p, spec.permissions);
  const changeTypes = String(b.changeType ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (changeTypes.length === 0 || changeTypes.some((c) => !CHANGE_TYPES.includes(c))) {
    throw badRequest(
      `Invalid changeType '${String(b.changeType ?? '')}'. Allowed: created, updated, deleted.`,
      'InvalidRequest',
    );
  }
  const notificationUrl = checkUrl(ctx, b.notificationUrl, 'notificationUrl');
  const lifecycleNotificationUrl =
    b.lifecycleNotificationUrl === undefined || b.lifecycleNotificationUrl === null
      ? null
      : checkUrl(ctx, b.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
  const withData = b.includeResourceData === true;
  const expiresAt = expiration(ctx, b.expirationDateTime, spec, withData);
  if (spec.kind === 'teams' && !lifecycleNotificationUrl && expiresAt - ctx.clock.now() > 3_600_000) {
    throw badRequest(
      'lifecycleNotificationUrl is a required property for subscription creation on this resource when the expirationDateTime value is set to greater than 1 hour.',
      'InvalidRequest',
    );
  }
  if (
    b.clientState !== undefined &&
    b.clientState !== null &&
    (typeof b.clientState !== 'string' || b.clientState.length > 128)
  ) {
    throw badRequest('clientState must be a string of at most 128 characters.', 'InvalidRequest');
  }
  let certificate: string | null = null;
  if (withData) {
    if (typeof b.encryptionCertificate !== 'string' || typeof b.encryptionCertificateId !== 'string') {
      throw badRequest(
        'encryptionCertificate and encryptionCertificateId are required when includeResourceData is true.',
        'InvalidRequest',
      );
    }
    try {
      parseCertificate(b.encryptionCertificate);
    } catch {
      throw badRequest(
        'The encryptionCertificate is not a valid base64-encoded X.509 certificate with an RSA key.',
        'InvalidRequest',
      );
    }
    if (spec.kind === 'outlook' && !spec.select) {
      throw badRequest(
        'Rich notifications for Outlook resources need a $select in the resource.',
        'InvalidRequest',
      );
    }
    certificate = b.encryptionCertificate;
  }
  const tls = String(b.latestSupportedTlsVersion ?? 'v1_2');
  if (!TLS_VERSIONS.includes(tls))
    throw badRequest(`Invalid latestSupportedTlsVersion '${tls}'.`, 'InvalidRequest');
  const quota = spec.quota;
  if (quota) {
    const taken = [...ctx.state.subscriptions.values()].filter(
      (s) => (!quota.perApp || s.applicationId === p.appId) && quotaKeyOf(ctx, s) === quota.key,
    );
    if (taken.length >= quota.limit) {
      throw new GraphError(
        403,
        'ExtensionError',
        `Operation: Create; Exception: [Status Code: Forbidden; Reason: The maximum number of subscriptions for this resource (${quota.limit}) has been reached.]`,
      );
    }
  }
  await ctx.notifier.validate(notificationUrl);
  if (lifecycleNotificationUrl) await ctx.notifier.validate(lifecycleNotificationUrl);
  const sub: SubscriptionRecord = {
    id: guid(),
    resource: b.resource,
    changeTypes,
    notificationUrl,
    lifecycleNotificationUrl,
    clientState: typeof b.clientState === 'string' ? b.clientState : null,
    expiresAt,
    includeResourceData: withData,
    encryptionCertificate: certificate,
    encryptionCertificateId: withData ? String(b.encryptionCertificateId) : null,
    applicationId: p.appId,
    creatorId: p.kind === 'delegated' ? p.userId : p.appId,
    latestSupportedTlsVersion: tls,
    notificationQueryOptions: null,
  };
  ctx.state.subscriptions.set(sub.id, sub);
  ctx.notifier.armExpiry(sub.id);
  return { status: 201, body: subscriptionJson(ctx, sub) };
};

function quotaKeyOf(ctx: SimContext, s: SubscriptionRecord): string | null {
  try {
    return resolveResource(ctx, s.resource, subscriptionPrincipal(ctx, s)).quota?.key ?? null;
  } catch {
    return null;
  }
}

export const listSubscriptions: Handler = (req, ctx) => {
  const mine = [...ctx.state.subscriptions.values()].filter(
    (s) => ownedBy(req, s) && s.expiresAt > ctx.clock.now(),
  );
  return {
    status: 200,
    body: {
      '@odata.context': `${ctx.urls.graph}/$metadata#subscriptions`,
      value: mine.map((s) => {
        const { '@odata.context': _, ...rest } = subscriptionJson(ctx, s);
        return rest;
      }),
    },
  };
};

export const getSubscription: Handler = (req, ctx) => ({
  status: 200,
  body: subscriptionJson(ctx, find(req, ctx)),
});

export const patchSubscription: Handler = (req, ctx) => {
  const s = find(req, ctx);
  const b = (req.body ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (k === 'lifecycleNotificationUrl' && !s.lifecycleNotificationUrl) {
      throw badRequest(
        'lifecycleNotificationUrl cannot be added to an existing subscription.',
        'InvalidRequest',
      );
    }
    if (!['expirationDateTime', 'notificationUrl', 'lifecycleNotificationUrl'].includes(k)) {
      throw badRequest(`The property '${k}' cannot be updated.`, 'InvalidRequest');
    }
  }
  if (b.expirationDateTime !== undefined) {
    const spec = resolveResource(ctx, s.resource, principalOf(req));
    s.expiresAt = expiration(ctx, b.expirationDateTime, spec, s.includeResourceData);
    ctx.notifier.armExpiry(s.id);
  }
  if (typeof b.notificationUrl === 'string')
    s.notificationUrl = checkUrl(ctx, b.notificationUrl, 'notificationUrl');
  return { status: 200, body: subscriptionJson(ctx, s) };
};

export const reauthorizeSubscription: Handler = (req, ctx) => {
  find(req, ctx);
  return { status: 200 };
};

export const deleteSubscription: Handler = (req, ctx) => {
  const s = find(req, ctx);
  ctx.state.subscriptions.delete(s.id);
  return { status: 204 };
};

/** Control: POST /_sim/subscriptions/:subscriptionId/lifecycle {event} → 202 after delivery was attempted. */
export const triggerLifecycle: Handler = async (req, ctx) => {
  const event = (req.body as { event?: string } | undefined)?.event;
  if (event !== 'reauthorizationRequired' && event !== 'subscriptionRemoved' && event !== 'missed') {
    throw badRequest('event must be reauthorizationRequired, subscriptionRemoved or missed');
  }
  const s = ctx.state.subscriptions.get(req.params.subscriptionId ?? '');
  if (!s) throw notFound();
  const spec = resolveResource(ctx, s.resource, subscriptionPrincipal(ctx, s));
  if (!spec.lifecycleEvents.includes(event)) {
    throw badRequest(`Graph does not send '${event}' for ${spec.kind} resources.`);
  }
  await ctx.notifier.lifecycle(s.id, event as LifecycleEvent);
  return { status: 202 };
};

/** Control: GET /_sim/notifications → {value: delivery log}. */
export const notificationLog: Handler = (_req, ctx) => ({ status: 200, body: { value: ctx.notifier.log() } });
