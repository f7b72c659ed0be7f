// Vite config for the ZeroDock web UI.
// `vite build` writes the app to dist/ (served by src-tauri under a strict CSP);
// `vite build --mode test` writes dist-test/, the same app with a mocked Tauri IPC fed by
// real engine reports, for the headless-Chromium tests (tests/browser/).
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';

const here = import.meta.dirname;

export default defineConfig(({ mode }) => {
  const test = mode === 'test';
  return {
    plugins: [svelte()],
    base: './',
    clearScreen: false,
    build: {
      outDir: test ? 'dist-test' : 'dist',
      emptyOutDir: true,
      target: 'es2022',
      // No inline assets: the CSP allows only 'self' scripts/styles (img data: is allowed, but
      // keeping everything a file makes the rule simple).
      assetsInlineLimit: 0,
      // The name, version and licence of every npm package bundled into the app, as JSON: read by
      // `cargo xtask sbom` (the SBOM's npm components) and the supply-chain licence check.
      license: test ? false : { fileName: '.vite/license.json' },
      rollupOptions: {
        input: resolve(here, test ? 'test.html' : 'index.html'),
      },
    },
    test: {
      environment: 'jsdom',
      include: ['tests/unit/**/*.test.ts'],
    },
    // Vitest runs in Node: make Svelte resolve its browser build so components can mount in jsdom.
    resolve: process.env.VITEST ? { conditions: ['browser'] } : {},
  };
});
