/**
 * Default knobs of a fresh sim (all changeable through `PATCH /_sim/settings`). Defaults are Graph's real values;
 * throttling and metering are off because the real limits are far away in normal use and tests turn them on.
 */
import type { SimSettings } from './context.ts';

export function defaultSettings(): SimSettings {
  return {
    throttling: { enabled: false, scale: 1 },
    metering: 'off',
    allowHttpNotificationUrl: false,
    validationTimeoutMs: 10_000,
    notificationTimeoutMs: 3_000,
    slowEndpoint: {
      slowMs: 2_900,
      minSample: 100,
      delayPercent: 10,
      dropPercent: 15,
      windowMs: 600_000,
      delayMs: 600_000,
    },
    extraCaPems: [],
  };
}
