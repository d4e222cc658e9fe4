import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { AppError } from '../../core/errors.ts';
import { metricPrefix } from '../../core/metrics/registry.ts';
import { clientStateMatches } from '../notifications/client-state.ts';
import { type ChangeNotification, notificationEnvelopeSchema } from '../notifications/notification-schema.ts';
import type { ValidationTokenVerifier } from '../notifications/validation-tokens.ts';
import type { InboundNotificationRow, NotificationInbox, SubscriptionLookup } from './ports.ts';
import { isInertValidationToken } from './validation-token.ts';
import '../errors.ts'; // registers this folder's MM365_* codes, so AppError knows their HTTP status

export interface WebhookPluginOptions {
  inbox: NotificationInbox;
  subscriptions: SubscriptionLookup;
  /** Checks `validationTokens` when a POST carries them (rich notifications). */
  validationTokens: Pick<ValidationTokenVerifier, 'verifyAll'>;
  registry: Registry;
  /** Body limit for notification POSTs (Graph batches many notifications; rich ones carry content). */
  bodyLimitBytes?: number;
}

/** Paths inside the plugin's prefix: the notificationUrl and lifecycleNotificationUrl of our subscriptions. */
export const webhookPaths = { notifications: '/notifications', lifecycle: '/lifecycle' } as const;

function metrics(registry: Registry) {
  const get = (n: string) => registry.getSingleMetric(`${metricPrefix}${n}`);
  return {
    notifications: (get('graph_notifications_total') ??
      new Counter({
        name: `${metricPrefix}graph_notifications_total`,
        help: 'Graph notifications received, by endpoint and outcome (recorded, duplicate, bad_client_state, unknown_subscription, bad_validation_tokens).',
        labelNames: ['endpoint', 'outcome'] as const,
        registers: [registry],
      })) as Counter<'endpoint' | 'outcome'>,
    ack: (get('graph_webhook_ack_seconds') ??
      new Histogram({
        name: `${metricPrefix}graph_webhook_ack_seconds`,
        help: 'Time from a Graph webhook request to our answer; Graph wants 3 s (10 s for validation).',
        labelNames: ['endpoint'] as const,
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.9, 5, 10],
        registers: [registry],
      })) as Histogram<'endpoint'>,
  };
}

/**
 * The Graph webhook receiver, an encapsulated Fastify plugin with its own body parsers (house style rules
 * 5 and 14). For each POST, in order:
 * 1. `?validationToken=` (subscription create/renew handshake): inert text is echoed as text/plain 200,
 *    anything else is refused with 400 MM365_WEBHOOK_VALIDATION_TOKEN_INVALID. No database access.
 * 2. The envelope is validated (400 MM365_WEBHOOK_PAYLOAD_INVALID otherwise).
 * 3. When `validationTokens` are present, all must verify; otherwise every notification is dropped but
 *    the POST is still answered 202, as Graph's guidance says.
 * 4. Each notification's clientState is compared in constant time with the hash of its subscription's.
 *    Mismatches and unknown subscriptions are dropped and counted. When none verifies, 403
 *    MM365_WEBHOOK_UNVERIFIED and nothing is recorded (a forged POST is refused).
 * 5. Verified notifications are recorded and enqueued in one transaction, then 202. A crash after the
 *    202 loses nothing; a redelivery is a no-op while the first copy is pending.
 * Processing happens later, in the job (see NotificationProcessor).
 */
export async function graphWebhookPlugin(app: FastifyInstance, options: WebhookPluginOptions): Promise<void> {
  const m = metrics(options.registry);
  const bodyLimit = options.bodyLimitBytes ?? 4 * 1024 * 1024;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    try {
      done(null, body === '' ? undefined : JSON.parse(body as string));
    } catch {
      done(new AppError('MM365_WEBHOOK_PAYLOAD_INVALID', 'The notification body is not JSON.'), undefined);
    }
  });
  // Validation requests come as text/plain (usually empty); the token is in the query string.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) =>
    done(null, body),
  );

  const handle = (kind: 'change' | 'lifecycle') => async (request: FastifyRequest, reply: FastifyReply) => {
    const endpoint = kind === 'change' ? 'notifications' : 'lifecycle';
    const end = m.ack.startTimer({ endpoint });
    try {
      const token = (request.query as Record<string, unknown>).validationToken;
      if (typeof token === 'string') {
        if (!isInertValidationToken(token)) {
          throw new AppError(
            'MM365_WEBHOOK_VALIDATION_TOKEN_INVALID',
            'The validationToken is not inert text; it is not echoed.',
          );
        }
        return reply
          .status(200)
          .header('content-type', 'text/plain; charset=utf-8')
          .header('x-content-type-options', 'nosniff')
          .send(token);
      }
      const parsed = notificationEnvelopeSchema.safeParse(request.body);
      if (!parsed.success) {
        throw new AppError('MM365_WEBHOOK_PAYLOAD_INVALID', 'The body is not a Graph notification envelope.');
      }
      const { value, validationTokens } = parsed.data;
      if (validationTokens !== undefined && !(await options.validationTokens.verifyAll(validationTokens))) {
        m.notifications.inc({ endpoint, outcome: 'bad_validation_tokens' }, value.length);
        return reply.status(202).send();
      }
      const rows: InboundNotificationRow[] = [];
      for (const n of value) {
        const sub = await options.subscriptions.getByGraphId(n.subscriptionId);
        if (!sub) {
          m.notifications.inc({ endpoint, outcome: 'unknown_subscription' });
          continue;
        }
        if (!clientStateMatches(n.clientState, sub.clientStateHash)) {
          m.notifications.inc({ endpoint, outcome: 'bad_client_state' });
          continue;
        }
        rows.push(toRow(kind, sub.id, n));
      }
      if (rows.length === 0) {
        throw new AppError('MM365_WEBHOOK_UNVERIFIED', 'No notification in this request could be verified.');
      }
      const fresh = await options.inbox.record(rows);
      m.notifications.inc({ endpoint, outcome: 'recorded' }, fresh.length);
      if (rows.length > fresh.length)
        m.notifications.inc({ endpoint, outcome: 'duplicate' }, rows.length - fresh.length);
      return reply.status(202).send();
    } finally {
      end();
    }
  };

  app.post(webhookPaths.notifications, handle('change'));
  app.post(webhookPaths.lifecycle, handle('lifecycle'));
}

function toRow(
  kind: 'change' | 'lifecycle',
  subscriptionId: string,
  n: ChangeNotification,
): InboundNotificationRow {
  const { clientState: _secret, ...rest } = n;
  const body = JSON.stringify(rest);
  return {
    dedupeKey: createHash('sha256').update(`${kind}\n${body}`).digest('hex'),
    kind,
    subscriptionId,
    body,
  };
}
