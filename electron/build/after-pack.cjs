'use strict';
// electron-builder afterPack hook (electron-builder.yml): the app is copied; put the Node-ABI
// build of the native modules back so tests and the CLI keep working.
const { projectDirOf, restoreNodeBuild } = require('./native-modules.cjs');

module.exports = async function afterPack(context) {
  const restored = restoreNodeBuild(projectDirOf(context));
  if (restored > 0) console.log(`  • restored the Node build of ${restored} native module(s)`);
};
