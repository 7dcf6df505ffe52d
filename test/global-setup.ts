import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { bundleFolder, bundleTestEntries, type BundleName } from './support/cli-bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled CLI and child processes, by name (test/support/cli-bundle.ts). */
    testBundles: Record<BundleName, string>;
  }
}

/** Once per vitest run: bundles the CLI and the child processes the tests spawn (test/support/cli-bundle.ts). */
export default async function setup(project: TestProject): Promise<() => void> {
  const outdir = bundleFolder();
  project.provide('testBundles', await bundleTestEntries(outdir));
  // Watch mode: a rerun tests the sources as they are now.
  project.onTestsRerun(async () => {
    project.provide('testBundles', await bundleTestEntries(outdir));
  });
  return () => rmSync(outdir, { recursive: true, force: true });
}
