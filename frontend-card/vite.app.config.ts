import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Ingress web UI: a single-page Lit app served by the service at its root.
 * The page lives under /api/hassio_ingress/<token>/ inside Home Assistant, so every URL is relative
 * (`base: './'`), there are no inline scripts (CSP script-src 'self') and nothing is loaded from a CDN.
 */
const root = fileURLToPath(new URL('./app', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/ui', import.meta.url));

export default defineConfig({
  root,
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // ECharts is one lazily loaded chunk (~580 kB minified, ~200 kB gzip): not on the first paint's path
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      input: fileURLToPath(new URL('./app/index.html', import.meta.url)),
    },
  },
});
