'use strict';
// electron-builder beforePack hook (electron-builder.yml): rebuild better-sqlite3 for the Electron
// being packaged; after-pack.cjs restores the Node build. Requires @electron/rebuild.
const { prepareNativeModules } = require('./native-modules.cjs');

module.exports = async function beforePack(context) {
  let rebuild;
  try {
    ({ rebuild } = await import('@electron/rebuild'));
  } catch (error) {
    throw new Error(`before-pack: @electron/rebuild is not installed (add it to devDependencies): ${error && error.message}`);
  }
  const done = await prepareNativeModules(context, { rebuild });
  console.log(`  • rebuilt ${done.modules.join(', ')} for Electron ${done.electronVersion} ${done.platform}/${done.arch}`);
};
