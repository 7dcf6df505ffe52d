'use strict';
// Packaging-time handling of native modules (see DESIGN §7): node_modules stays built for Node
// (tests, CLI); only while electron-builder copies the app is better-sqlite3 rebuilt for the
// Electron being packaged. before-pack.cjs rebuilds (after backing up the Node build),
// after-pack.cjs puts the Node build back. Pure Node; the rebuild function is injected.
const fs = require('node:fs');
const path = require('node:path');

const NATIVE_MODULES = ['better-sqlite3'];
const BINARY = path.join('build', 'Release', 'better_sqlite3.node');
const BACKUP_DIR = path.join('node_modules', '.coordinator-node-abi-backup');
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal']; // builder-util's Arch enum order

/** electron-builder passes an Arch enum number; accept a name too. */
function archName(arch) {
  if (typeof arch === 'string' && ARCH_NAMES.includes(arch)) return arch;
  if (typeof arch === 'number' && ARCH_NAMES[arch]) return ARCH_NAMES[arch];
  throw new Error(`before-pack: unknown target architecture ${JSON.stringify(arch)}`);
}

function platformName(electronPlatformName) {
  if (['linux', 'win32', 'darwin', 'mas'].includes(electronPlatformName)) return electronPlatformName === 'mas' ? 'darwin' : electronPlatformName;
  throw new Error(`before-pack: unknown target platform ${JSON.stringify(electronPlatformName)}`);
}

/** The sqlite-vec package that carries the extension for a target (e.g. sqlite-vec-windows-x64). */
function sqliteVecPackage(platform, arch) {
  const os = platform === 'win32' ? 'windows' : platform;
  return `sqlite-vec-${os}-${arch}`;
}

/** The Electron version being packaged, from whatever this electron-builder version exposes. */
function electronVersionOf(context, projectDir) {
  const packager = (context && context.packager) || {};
  const candidates = [
    packager.config && packager.config.electronVersion,
    packager.info && packager.info.config && packager.info.config.electronVersion,
    packager.info && packager.info.framework && packager.info.framework.version,
  ];
  for (const candidate of candidates) if (typeof candidate === 'string' && /^\d+\.\d+\.\d+/.test(candidate)) return candidate;
  const pkg = path.join(projectDir, 'node_modules', 'electron', 'package.json');
  if (fs.existsSync(pkg)) return JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  throw new Error('before-pack: cannot tell which Electron version is being packaged');
}

function projectDirOf(context) {
  const packager = (context && context.packager) || {};
  return (packager.info && packager.info.projectDir) || (packager.projectDir) || process.cwd();
}

const backupPath = (projectDir, name) => path.join(projectDir, BACKUP_DIR, name, BINARY);
const binaryPath = (projectDir, name) => path.join(projectDir, 'node_modules', name, BINARY);

/** Puts the Node-ABI binaries back and drops the backup. Safe to call when there is none. */
function restoreNodeBuild(projectDir) {
  let restored = 0;
  for (const name of NATIVE_MODULES) {
    const backup = backupPath(projectDir, name);
    if (!fs.existsSync(backup)) continue;
    fs.mkdirSync(path.dirname(binaryPath(projectDir, name)), { recursive: true });
    fs.copyFileSync(backup, binaryPath(projectDir, name));
    restored += 1;
  }
  fs.rmSync(path.join(projectDir, BACKUP_DIR), { recursive: true, force: true });
  return restored;
}

/**
 * beforePack: check the target can be packaged from here, back up the Node builds, rebuild the
 * native modules for the target Electron. The Node builds are restored by after-pack (and on exit
 * if packaging dies half-way).
 */
async function prepareNativeModules(context, options) {
  const projectDir = (options && options.projectDir) || projectDirOf(context);
  const rebuild = options && options.rebuild;
  if (typeof rebuild !== 'function') throw new Error('before-pack: no rebuild function');
  const platform = platformName(context.electronPlatformName);
  const arch = archName(context.arch);
  if (arch === 'universal') throw new Error('before-pack: universal macOS builds are not supported; package x64 and arm64 separately');
  const electronVersion = electronVersionOf(context, projectDir);

  const vec = sqliteVecPackage(platform, arch);
  if (!fs.existsSync(path.join(projectDir, 'node_modules', vec, 'package.json'))) {
    throw new Error(
      `before-pack: ${vec} is not installed, so the packaged app could not load sqlite-vec. ` +
        `Package on a ${platform}/${arch} machine, or install it first: npm install --no-save --force ${vec}`,
    );
  }

  // A backup left by an interrupted run is the Node build: keep it, do not overwrite it.
  for (const name of NATIVE_MODULES) {
    const binary = binaryPath(projectDir, name);
    const backup = backupPath(projectDir, name);
    if (!fs.existsSync(binary)) throw new Error(`before-pack: ${path.relative(projectDir, binary)} is missing; run npm install first`);
    if (!fs.existsSync(backup)) {
      fs.mkdirSync(path.dirname(backup), { recursive: true });
      fs.copyFileSync(binary, backup);
    }
  }
  process.once('exit', () => {
    try {
      restoreNodeBuild(projectDir);
    } catch {
      /* best effort */
    }
  });

  const crossPlatform = platform !== process.platform;
  await rebuild({
    buildPath: projectDir,
    electronVersion,
    arch,
    platform,
    onlyModules: NATIVE_MODULES,
    force: true,
    mode: 'sequential',
    // Native modules cannot be cross-compiled: for another OS only a prebuilt binary will do.
    ...(crossPlatform ? { buildFromSource: false } : {}),
  });
  return { projectDir, electronVersion, platform, arch, modules: NATIVE_MODULES.slice() };
}

module.exports = { NATIVE_MODULES, archName, platformName, sqliteVecPackage, electronVersionOf, prepareNativeModules, restoreNodeBuild, projectDirOf };
