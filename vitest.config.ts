import { defineConfig } from 'vitest/config';

// One config for every layer; test paths mirror src/ and sim/ paths (house style rule 18).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Two cores: more workers only add contention for the database and the simulators' ports.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
