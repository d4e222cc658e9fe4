import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Every metric name starts with this, so a dashboard can select the product's series at once. */
export const metricPrefix = 'mm365_';

/**
 * The product's metric registry: default process metrics plus the ones every part shares. Labels are
 * bounded (route templates, methods, status codes, queue names), never user, channel or link ids.
 * Each instance has its own Registry so tests and several apps in one process do not collide.
 */
export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: metricPrefix });
  const httpRequestDuration = new Histogram({
    name: `${metricPrefix}http_request_duration_seconds`,
    help: 'HTTP requests served, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, httpRequestDuration };
}
