import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI and the sync child, bundled once for the run: tests spawn them as plain Node scripts.
    globalSetup: ['test/support/cli-bundle.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here: keep files from starving each other (and PostgreSQL) of CPU.
    maxWorkers: 2,
  },
});
