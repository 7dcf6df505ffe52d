import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { bundleFolder, bundleTestEntries, type BundleName } from './support/cli-bundle';
import { databasesStartingWith, dropDatabases } from './support/pg-admin';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled CLI and sync child, by name (test/support/cli-bundle.ts). */
    testBundles: Record<BundleName, string>;
    /** Starts the name of every central database this run creates (test/support/pg.ts). */
    testDatabasePrefix: string;
  }
}

/**
 * Once per vitest run: bundles what the tests spawn, and afterwards drops the central databases a
 * test worker left behind. The prefix is this run's own, so a run never drops the databases of
 * another one using the same PostgreSQL at the same time.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const outdir = bundleFolder();
  const prefix = `coord_test_${randomBytes(4).toString('hex')}_`;
  project.provide('testBundles', await bundleTestEntries(outdir));
  project.provide('testDatabasePrefix', prefix);
  // Watch mode: a rerun tests the sources as they are now.
  project.onTestsRerun(async () => {
    project.provide('testBundles', await bundleTestEntries(outdir));
  });
  return async () => {
    rmSync(outdir, { recursive: true, force: true });
    await dropDatabases(await databasesStartingWith(prefix));
  };
}
