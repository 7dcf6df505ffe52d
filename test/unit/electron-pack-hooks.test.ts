/**
 * The electron-builder hooks' logic (electron/build/native-modules.cjs) on a fake project folder:
 * the Node build of better-sqlite3 is backed up, the rebuild is asked for the right target, and
 * the Node build is back afterwards. No Electron, no network.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const require = createRequire(import.meta.url);
const hooks = require('../../electron/build/native-modules.cjs') as {
  archName(arch: unknown): string;
  sqliteVecPackage(platform: string, arch: string): string;
  electronVersionOf(context: unknown, projectDir: string): string;
  prepareNativeModules(context: unknown, options: { projectDir?: string; rebuild: (options: Record<string, unknown>) => Promise<void> }): Promise<{ electronVersion: string; platform: string; arch: string }>;
  restoreNodeBuild(projectDir: string): number;
};

const binary = (dir: string) => path.join(dir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

describe('electron-builder native-module hooks', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'coordinator-pack-'));
    mkdirSync(path.dirname(binary(dir)), { recursive: true });
    writeFileSync(binary(dir), 'node-abi-build');
    mkdirSync(path.join(dir, 'node_modules', 'sqlite-vec-linux-x64'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', 'sqlite-vec-linux-x64', 'package.json'), '{}');
    mkdirSync(path.join(dir, 'node_modules', 'electron'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', 'electron', 'package.json'), JSON.stringify({ version: '45.4.1' }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const context = (over: Record<string, unknown> = {}) => ({
    electronPlatformName: 'linux',
    arch: 1,
    packager: { config: { electronVersion: '45.4.1' }, info: { projectDir: dir } },
    ...over,
  });

  it('maps the builder Arch enum and names sqlite-vec platform packages', () => {
    expect([0, 1, 2, 3].map((a) => hooks.archName(a))).toEqual(['ia32', 'x64', 'armv7l', 'arm64']);
    expect(hooks.archName('arm64')).toBe('arm64');
    expect(() => hooks.archName(9)).toThrow(/architecture/);
    expect(hooks.sqliteVecPackage('win32', 'x64')).toBe('sqlite-vec-windows-x64');
    expect(hooks.sqliteVecPackage('darwin', 'arm64')).toBe('sqlite-vec-darwin-arm64');
  });

  it('finds the Electron version from the packager, or from node_modules/electron', () => {
    expect(hooks.electronVersionOf(context(), dir)).toBe('45.4.1');
    expect(hooks.electronVersionOf({ packager: { info: { framework: { version: '45.0.2' } } } }, dir)).toBe('45.0.2');
    expect(hooks.electronVersionOf({}, dir)).toBe('45.4.1');
  });

  it('rebuilds for the target Electron and restores the Node build afterwards', async () => {
    const rebuild = vi.fn(async () => writeFileSync(binary(dir), 'electron-abi-build'));
    const done = await hooks.prepareNativeModules(context(), { rebuild });
    expect(done).toMatchObject({ electronVersion: '45.4.1', platform: 'linux', arch: 'x64' });
    expect(rebuild).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ buildPath: dir, electronVersion: '45.4.1', arch: 'x64', platform: 'linux', onlyModules: ['better-sqlite3'], force: true }),
    );
    expect(readFileSync(binary(dir), 'utf8')).toBe('electron-abi-build');

    expect(hooks.restoreNodeBuild(dir)).toBe(1);
    expect(readFileSync(binary(dir), 'utf8')).toBe('node-abi-build');
    expect(existsSync(path.join(dir, 'node_modules', '.coordinator-node-abi-backup'))).toBe(false);
    expect(hooks.restoreNodeBuild(dir)).toBe(0);
  });

  it('keeps the Node backup of an interrupted run instead of backing up an Electron build', async () => {
    await hooks.prepareNativeModules(context(), { rebuild: async () => writeFileSync(binary(dir), 'electron-abi-build') });
    // No after-pack (crash); the next run starts from the Electron build.
    await hooks.prepareNativeModules(context(), { rebuild: async () => writeFileSync(binary(dir), 'electron-abi-build-2') });
    hooks.restoreNodeBuild(dir);
    expect(readFileSync(binary(dir), 'utf8')).toBe('node-abi-build');
  });

  it('refuses a target whose sqlite-vec package is not installed, before touching anything', async () => {
    const rebuild = vi.fn(async () => undefined);
    await expect(hooks.prepareNativeModules(context({ electronPlatformName: 'win32' }), { rebuild })).rejects.toThrow(/sqlite-vec-windows-x64 is not installed/);
    await expect(hooks.prepareNativeModules(context({ arch: 4 }), { rebuild })).rejects.toThrow(/universal/);
    expect(rebuild).not.toHaveBeenCalled();
    expect(readFileSync(binary(dir), 'utf8')).toBe('node-abi-build');
  });
});
