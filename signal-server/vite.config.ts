/**
 * Production build of the signal server: `npm run build:server` bundles `src/main.ts` and the
 * `shared/` modules it imports into one ES module, `signal-server/dist/main.js`, that plain
 * `node` runs (no TypeScript at run time). Packages from node_modules stay external imports.
 *
 * A bundle rather than `tsc`: the sources use extension-less relative imports, which Node's ES
 * module loader does not resolve. The output sits two folders below the repository root, like
 * `src/`, so the runtime paths in paths.ts hold for both.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: repoRoot,
  publicDir: false,
  logLevel: 'warn',
  build: {
    ssr: 'signal-server/src/main.ts',
    outDir: 'signal-server/dist',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    minify: false,
    rolldownOptions: {
      output: { format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
});
