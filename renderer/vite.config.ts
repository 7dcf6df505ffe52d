import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const rendererDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Renderer build. The output is loaded by Electron from disk (file://), so asset URLs are
 * relative (`base: './'`). Nothing is inlined into index.html: the page runs under a strict CSP
 * without 'unsafe-inline'.
 */
export default defineConfig({
  root: rendererDir,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Never inline assets as data: URLs into scripts/styles; keep every asset a 'self' file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
  server: {
    host: '127.0.0.1',
    // The renderer imports types and enums from ../shared.
    fs: { allow: [repoRoot] },
  },
});
