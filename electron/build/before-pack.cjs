'use strict';
// electron-builder beforePack hook (electron-builder.yml). No native rebuild is needed: the
// database driver (better-sqlite3 13) is Node-API and ships a prebuilt binary per platform inside
// its npm package, loaded by Node (tests, CLI) and Electron alike. What packaging still needs is
// that the target's native parts are present in node_modules, so a cross-build cannot produce an
// app that fails at its first database open.
const fs = require('node:fs');
const path = require('node:path');

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

/** The files a packaged app loads at runtime for one target, relative to the project. */
function nativeFilesFor(platform, arch) {
  const vecOs = platform === 'win32' ? 'windows' : platform;
  const vecExt = platform === 'win32' ? 'dll' : platform === 'darwin' ? 'dylib' : 'so';
  return [
    path.join('node_modules', 'better-sqlite3', 'prebuilds', `${platform}-${arch}.node`),
    path.join('node_modules', `sqlite-vec-${vecOs}-${arch}`, `vec0.${vecExt}`),
  ];
}

function projectDirOf(context) {
  const packager = (context && context.packager) || {};
  return (packager.info && packager.info.projectDir) || packager.projectDir || process.cwd();
}

/** Throws with the way out when a native file of the target is missing. */
function checkNativeFiles(context, projectDir = projectDirOf(context)) {
  const platform = platformName(context.electronPlatformName);
  const arch = archName(context.arch);
  if (arch === 'universal') throw new Error('before-pack: universal macOS builds are not supported; package x64 and arm64 separately');
  const files = nativeFilesFor(platform, arch);
  const missing = files.filter((file) => !fs.existsSync(path.join(projectDir, file)));
  if (missing.length > 0) {
    throw new Error(
      `before-pack: ${missing.join(', ')} missing, so the packaged app could not open its database on ${platform}/${arch}. ` +
        `Package on a ${platform}/${arch} machine, or install the platform package first (npm install --no-save --force sqlite-vec-<os>-<arch>).`,
    );
  }
  return { platform, arch, files };
}

module.exports = async function beforePack(context) {
  const { platform, arch } = checkNativeFiles(context);
  console.log(`  • native files for ${platform}/${arch} present (better-sqlite3 prebuild, sqlite-vec)`);
};
module.exports.checkNativeFiles = checkNativeFiles;
module.exports.nativeFilesFor = nativeFilesFor;
module.exports.archName = archName;
