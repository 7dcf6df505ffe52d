import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * The `coordinator` CLI and the child processes the sync fault tests kill, bundled once per test
 * run (test/global-setup.ts), so a test spawns plain `node` on JavaScript instead of tsx loading a
 * few hundred TypeScript and ESM files on every start (about 1.4 s of CPU a start, 0.3 s bundled).
 * The same sources, bundled the way electron/build.mjs bundles the desktop app's main process; the
 * shipped bin/coordinator.mjs (tsx from source) keeps its own test in test/integration/cli.test.ts.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

const ENTRIES = {
  coordinator: 'core/cli/main.ts',
  'sync-child': 'test/support/sync-child.ts',
  'fleet-child': 'test/support/fleet-child.ts',
} as const;
export type BundleName = keyof typeof ENTRIES;

/**
 * Loaded at runtime from node_modules, as the desktop app's bundle does: native add-ons and their
 * loaders, the embedding model's packages, and the Chromium driver (which finds files beside itself).
 */
const EXTERNAL = ['better-sqlite3', 'sqlite-vec', 'sqlite-vec-*', 'pg-native', '@energetic-ai/*', 'playwright-core', '*.node'];

/**
 * `import.meta.url` in a project module stays that module's source URL (not the chunk's), as under
 * tsx: the CLI reads package.json and finds migrations/ relative to its own source file.
 */
const sourceImportMeta: Plugin = {
  name: 'source-import-meta',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta')) return undefined;
      const url = pathToFileURL(args.path);
      return {
        loader: 'ts',
        contents: source
          .replaceAll('import.meta.url', JSON.stringify(url.href))
          .replaceAll('import.meta.filename', JSON.stringify(args.path))
          .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path))),
      };
    });
  },
};

/**
 * A package the code imports with `import()` stays external: Node then gives it the namespace it
 * gives under tsx (a CommonJS package's named exports too), where esbuild's split chunk of a
 * CommonJS module would export only its default (`(await import('mysql2/promise')).createConnection`).
 */
const dynamicImportsStayExternal: Plugin = {
  name: 'dynamic-imports-stay-external',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
  },
};

/** Bundles every entry into `outdir` (emptied first) and returns each one's path. */
export async function bundleTestEntries(outdir: string): Promise<Record<BundleName, string>> {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // Bundled CommonJS packages require() Node built-ins: give the ESM chunks a require().
    banner: { js: "import { createRequire as __coordinatorCreateRequire } from 'node:module'; const require = __coordinatorCreateRequire(import.meta.url);" },
    external: EXTERNAL,
    plugins: [sourceImportMeta, dynamicImportsStayExternal],
    logLevel: 'silent',
  });
  if (result.warnings.length > 0) throw new Error(`bundling the CLI for the tests: ${result.warnings.map((w) => w.text).join('; ')}`);
  const output = (name: BundleName) => path.join(outdir, `${name}.js`);
  return { coordinator: output('coordinator'), 'sync-child': output('sync-child'), 'fleet-child': output('fleet-child') };
}

/** A fresh folder for one run's bundles: inside the project, so the external packages resolve from its node_modules. */
export function bundleFolder(): string {
  const cache = path.join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  return mkdtempSync(path.join(cache, 'coordinator-test-bundles-'));
}
