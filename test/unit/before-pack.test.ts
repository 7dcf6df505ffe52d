/**
 * The electron-builder beforePack hook: it refuses to package a target whose native files (the
 * better-sqlite3 prebuild, the sqlite-vec extension) are not installed, and accepts this machine's
 * own target with the files npm ci installed. No Electron, no network.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const hook = require('../../electron/build/before-pack.cjs') as {
  checkNativeFiles(context: unknown, projectDir?: string): { platform: string; arch: string; files: string[] };
};
const root = path.resolve(import.meta.dirname, '../..');
const context = (electronPlatformName: string, arch: number | string) => ({ electronPlatformName, arch, packager: { projectDir: root } });

describe('before-pack native file check', () => {
  it("accepts this machine's target: the prebuilt driver and sqlite-vec are installed", () => {
    const result = hook.checkNativeFiles(context(process.platform, process.arch));
    expect(result.files.some((f) => f.endsWith(path.join('better-sqlite3', 'prebuilds', `${process.platform}-${process.arch}.node`)))).toBe(true);
  });

  it('maps electron-builder arch numbers (1 = x64, 3 = arm64)', () => {
    expect(hook.checkNativeFiles(context('linux', 1)).arch).toBe('x64');
  });

  it('refuses a project where the native files are missing, naming them', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'coordinator-pack-'));
    try {
      expect(() => hook.checkNativeFiles(context('linux', 'x64'), empty)).toThrow(/prebuilds\/linux-x64\.node.*sqlite-vec-linux-x64/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses a universal macOS build', () => {
    expect(() => hook.checkNativeFiles(context('darwin', 'universal'))).toThrow(/universal/);
  });
});
