import { defineConfig, type Plugin, transformWithEsbuild } from 'vite';

/**
 * Lovelace card: ONE self-contained ES module (Lit bundled, no code-splitting, minified) at
 * frontend-card/dist/lan-sentinel-card.js. HA loads it as a `module` dashboard resource.
 */
const entry = decodeURIComponent(new URL('./src/card/index.ts', import.meta.url).pathname);
const outDir = decodeURIComponent(new URL('./dist', import.meta.url).pathname);

/** Vite keeps whitespace in ES library builds; minify the finished chunk with esbuild (no extra dependency). */
const minifyChunk: Plugin = {
  name: 'lan-sentinel:minify-es-lib',
  apply: 'build',
  enforce: 'post',
  // generateBundle runs after every renderChunk hook (Vite's own esbuild pass would re-print whitespace).
  async generateBundle(_options, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== 'chunk') continue;
      const out = await transformWithEsbuild(chunk.code, chunk.fileName, {
        minify: true,
        format: 'esm',
        target: 'es2021',
        legalComments: 'none',
      });
      chunk.code = out.code;
    }
  },
};

export default defineConfig({
  plugins: [minifyChunk],
  logLevel: 'warn',
  publicDir: false,
  // Always Lit's production build, even when NODE_ENV is inherited as 'test' (vitest) or 'development'.
  resolve: { conditions: ['module', 'browser', 'production'] },
  define: { 'process.env.NODE_ENV': '"production"' },
  build: {
    outDir,
    emptyOutDir: false,
    target: 'es2021',
    minify: false, // done by minifyChunk: Vite keeps whitespace in ES lib builds
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry,
      formats: ['es'],
      fileName: () => 'lan-sentinel-card.js',
    },
    rollupOptions: {
      output: { inlineDynamicImports: true },
    },
  },
  esbuild: { legalComments: 'none' },
});
