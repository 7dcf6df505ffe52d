// Bundles the Electron main process and preload into dist-electron/ (CommonJS, what Electron loads
// from package.json "main"). No Electron binary is needed. Run: node electron/build.mjs
import { builtinModules } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.resolve(root, process.env.COORDINATOR_ELECTRON_OUTDIR ?? 'dist-electron');
const contractsEntry = path.join(root, 'shared', 'contracts', 'index.ts');
const production = process.env.NODE_ENV === 'production';

/**
 * Left to require() at runtime from node_modules (shipped by electron-builder, native parts in
 * app.asar.unpacked): native modules, their loaders, and optional native add-ons of deps.
 */
const mainExternals = [
  'electron',
  'better-sqlite3',
  'sqlite-vec',
  'sqlite-vec-*',
  'pg-native',
  'bufferutil',
  'utf-8-validate',
  '@energetic-ai/*',
  '*.node',
];

/** A sandboxed preload can require only these; everything else must be bundled. */
const preloadAllowedRequires = new Set(['electron', 'events', 'timers', 'url']);

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const matchesExternal = (specifier) =>
  mainExternals.some((pattern) =>
    pattern.includes('*')
      ? new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(specifier)
      : specifier === pattern || specifier.startsWith(`${pattern}/`),
  );

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  minify: production,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};

/** The external imports left in a bundle (from esbuild's metafile). */
function externalImports(result) {
  const found = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) if (imported.external) found.add(imported.path);
  }
  return [...found].sort();
}

/**
 * The contracts' channel and event names, read by evaluating shared/contracts at build time. The
 * preload needs only these names: serving them as a generated module keeps zod and every schema
 * out of the sandboxed preload (a few KiB instead of ~750 KiB parsed on every page load).
 */
async function contractNames() {
  const bundled = await build({ entryPoints: [contractsEntry], absWorkingDir: root, bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'error' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-contracts-'));
  try {
    const file = path.join(dir, 'contracts.mjs');
    writeFileSync(file, bundled.outputFiles[0].contents);
    const { channelNames, eventNames } = await import(pathToFileURL(file).href);
    if (!Array.isArray(channelNames) || channelNames.length === 0 || !Array.isArray(eventNames)) throw new Error('shared/contracts exports no channel names');
    return { channelNames, eventNames };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Replaces shared/contracts/index.ts, for the preload bundle only, by its names. */
const contractNamesPlugin = (names) => ({
  name: 'contract-names',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]shared[\\/]contracts[\\/]index\.ts$/ }, (args) => {
      if (path.resolve(args.path) !== contractsEntry) return undefined;
      return {
        loader: 'js',
        contents: `export const channelNames = ${JSON.stringify(names.channelNames)};\nexport const eventNames = ${JSON.stringify(names.eventNames)};\n`,
      };
    });
  },
});

rmSync(outdir, { recursive: true, force: true });

const main = await build({
  ...common,
  entryPoints: { main: 'electron/main/index.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  external: mainExternals,
  // Core modules written as ESM may read import.meta.url; in the CJS bundle it is the bundle's own URL.
  inject: ['electron/main/import-meta-url.ts'],
  define: { 'import.meta.url': 'importMetaUrl' },
});

const preload = await build({
  ...common,
  entryPoints: { preload: 'electron/preload/index.ts' },
  outdir,
  outExtension: { '.js': '.cjs' },
  external: ['electron'],
  define: { 'import.meta.url': 'undefined' },
  plugins: [contractNamesPlugin(await contractNames())],
});

// Static check of what each bundle will require() at runtime.
const problems = [];
for (const specifier of externalImports(main)) {
  if (!builtins.has(specifier) && !matchesExternal(specifier)) problems.push(`main.cjs requires unexpected module ${specifier}`);
}
for (const specifier of externalImports(preload)) {
  if (!preloadAllowedRequires.has(specifier.replace(/^node:/, ''))) problems.push(`preload.cjs requires ${specifier}, which a sandboxed preload cannot load`);
}
if (Object.keys(preload.metafile.inputs).some((input) => input.includes('node_modules/zod/'))) problems.push('preload.cjs bundles zod');
const warnings = [...main.warnings, ...preload.warnings];
if (problems.length > 0 || warnings.length > 0) {
  for (const problem of problems) console.error(`✖ ${problem}`);
  for (const warning of warnings) console.error(`✖ esbuild: ${warning.text}`);
  process.exit(1);
}

const size = (result) => Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.cjs')).map(([file, o]) => `${path.basename(file)} ${(o.bytes / 1024).toFixed(0)} KiB`);
console.log(`dist-electron: ${[...size(main), ...size(preload)].join(', ')}`);
console.log(`main externals: ${externalImports(main).filter((s) => !builtins.has(s)).join(', ') || '(none)'}`);
