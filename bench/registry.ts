import { calendarBench } from './calendar/index.ts';
import { jobsBench } from './foundation/jobs.ts';
import { storeBench } from './foundation/store.ts';
import { vaultBench } from './foundation/vault.ts';

/** Every benchmark by name. A feature adds its own line here. */
export const benchmarks: Record<string, () => Promise<void>> = {
  vault: vaultBench,
  store: storeBench,
  jobs: jobsBench,
  calendar: calendarBench,
};
