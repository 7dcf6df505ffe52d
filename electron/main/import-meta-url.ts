import { pathToFileURL } from 'node:url';

/**
 * Injected by electron/build.mjs into the CommonJS main bundle, where `import.meta` does not
 * exist: `import.meta.url` in core modules becomes the bundle's own file URL.
 */
export const importMetaUrl = pathToFileURL(__filename).href;
