import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // simple-peer and its stream dependencies expect Node's `global`.
  define: { global: 'globalThis' },
  resolve: {
    alias: { buffer: 'buffer/', events: 'events/', process: 'process/browser.js' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npm run dev`: Vite serves the app and forwards the signalling socket to the server.
    proxy: { '/ws': { target: 'ws://127.0.0.1:8080', ws: true }, '/healthz': 'http://127.0.0.1:8080' },
  },
});
