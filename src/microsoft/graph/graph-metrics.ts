import { Counter, Histogram, type Registry } from 'prom-client';
import { metricPrefix } from '../../core/metrics/registry.ts';

/** Who a Graph call is for: a feature, or the edge's own work (sign-in, subscriptions). Bounded. */
export type GraphFeature = 'calendar' | 'teams' | 'core';

/**
 * The Graph client's metrics. Labels: route template (ids masked), method, status (HTTP code, or
 * `timeout` / `network`), feature, retry reason. Never user, mailbox or resource ids.
 */
export interface GraphMetrics {
  requests: Counter<'route' | 'method' | 'status'>;
  duration: Histogram<'route' | 'method' | 'status'>;
  featureCalls: Counter<'feature'>;
  retries: Counter<'reason'>;
  batchItems: Counter<'route' | 'status'>;
}

export function createGraphMetrics(registry: Registry): GraphMetrics {
  const existing = (name: string) => registry.getSingleMetric(`${metricPrefix}${name}`);
  const make = <T>(name: string, build: () => T): T => (existing(name) as T | undefined) ?? build();
  return {
    requests: make(
      'graph_requests_total',
      () =>
        new Counter({
          name: `${metricPrefix}graph_requests_total`,
          help: 'Microsoft Graph HTTP calls (each attempt), by route template, method and status.',
          labelNames: ['route', 'method', 'status'] as const,
          registers: [registry],
        }),
    ),
    duration: make(
      'graph_request_duration_seconds',
      () =>
        new Histogram({
          name: `${metricPrefix}graph_request_duration_seconds`,
          help: 'Duration of Microsoft Graph HTTP calls (each attempt), by route template, method and status.',
          labelNames: ['route', 'method', 'status'] as const,
          buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers: [registry],
        }),
    ),
    featureCalls: make(
      'graph_feature_calls_total',
      () =>
        new Counter({
          name: `${metricPrefix}graph_feature_calls_total`,
          help: 'Microsoft Graph calls made on behalf of each feature (calendar, teams, core), retries included.',
          labelNames: ['feature'] as const,
          registers: [registry],
        }),
    ),
    retries: make(
      'graph_retries_total',
      () =>
        new Counter({
          name: `${metricPrefix}graph_retries_total`,
          help: 'Microsoft Graph calls retried, by reason (429, 503, 504, timeout, network, 401).',
          labelNames: ['reason'] as const,
          registers: [registry],
        }),
    ),
    batchItems: make(
      'graph_batch_items_total',
      () =>
        new Counter({
          name: `${metricPrefix}graph_batch_items_total`,
          help: 'Items of Microsoft Graph $batch calls, by the item route template and status.',
          labelNames: ['route', 'status'] as const,
          registers: [registry],
        }),
    ),
  };
}
