#!/usr/bin/env node
// The `coordinator` command: runs the TypeScript CLI straight from source through tsx, so it works
// right after `npm ci` with no build step. The project's own tsconfig is used whatever the working
// directory (tsx would otherwise pick up a tsconfig.json found in the caller's folder).
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import(new URL('../core/cli/main.ts', import.meta.url).href);
