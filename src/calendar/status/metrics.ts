import { Counter, Histogram, type Registry } from 'prom-client';
import { metricPrefix } from '../../core/metrics/registry.ts';

/**
 * What status sync did, by result (bounded labels):
 * applied, restored, adjusted (block moved), custom_set, custom_cleared, already (the user had it),
 * offline (left alone), changed_by_user (not restored), asked, declined, failed.
 */
export type StatusResult =
  | 'applied'
  | 'restored'
  | 'adjusted'
  | 'custom_set'
  | 'custom_cleared'
  | 'already'
  | 'offline'
  | 'changed_by_user'
  | 'asked'
  | 'declined'
  | 'failed';

export interface StatusMetrics {
  changes: Counter<'result'>;
  /** Seconds from a block's start (or end) to the change applied: the benchmark reads it. */
  lag: Histogram<'transition'>;
}

/** With no registry the metrics are kept unregistered (tests read them directly). */
export function createStatusMetrics(registry?: Registry): StatusMetrics {
  const registers = registry ? [registry] : [];
  const existing = (name: string) => registry?.getSingleMetric(`${metricPrefix}${name}`);
  return {
    changes:
      (existing('calendar_status_changes_total') as Counter<'result'> | undefined) ??
      new Counter({
        name: `${metricPrefix}calendar_status_changes_total`,
        help: 'Status sync decisions and changes, by result (applied, restored, adjusted, custom_set, custom_cleared, already, offline, changed_by_user, asked, declined, failed).',
        labelNames: ['result'] as const,
        registers,
      }),
    lag:
      (existing('calendar_status_lag_seconds') as Histogram<'transition'> | undefined) ??
      new Histogram({
        name: `${metricPrefix}calendar_status_lag_seconds`,
        help: 'Seconds from a busy block start (transition=start) or end (transition=end) to the status change applied.',
        labelNames: ['transition'] as const,
        buckets: [0.5, 1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 300],
        registers,
      }),
  };
}
