import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bundles the CLI and the child processes the tests spawn as plain Node scripts.
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: keep files from starving each other (and PostgreSQL) of CPU.
    maxWorkers: 2,
  },
});
