/// <reference types="node" />
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The partner portal, served by the api at /portal (dist/portal). `npm run build` runs this
 * after `nest build api`, which empties dist/ first.
 */
export default defineConfig({
  root: here,
  base: '/portal/',
  plugins: [preact()],
  resolve: {
    // TanStack Query is written for React; preact/compat stands in for it (a few KB instead of ~45).
    alias: { react: 'preact/compat', 'react-dom': 'preact/compat', 'react/jsx-runtime': 'preact/jsx-runtime' },
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/portal', import.meta.url)),
    emptyOutDir: true,
    // The api sends a strict Content-Security-Policy (default-src 'self'): no inline script, no data: URLs.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
