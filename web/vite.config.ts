import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { VitePWA } from 'vite-plugin-pwa';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The build id the app shows (web/src/pwa/build-id.ts): git commit ("+" if the tree had changes) and date. */
function buildId(): string {
  const date = new Date().toISOString().slice(0, 10);
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  try {
    return `${git('rev-parse', '--short=8', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+' : ''} ${date}`;
  } catch {
    return date;
  }
}

export default defineConfig({
  root,
  // simple-peer and its stream dependencies expect Node's `global`.
  define: { global: 'globalThis', __PEERCHAT_BUILD__: JSON.stringify(buildId()) },
  resolve: {
    alias: { buffer: 'buffer/', events: 'events/', process: 'process/browser.js' },
  },
  plugins: [
    VitePWA({
      // Our own service worker (web/src/pwa/sw.ts): precache + navigation fallback + share target.
      strategies: 'injectManifest',
      srcDir: 'src/pwa',
      filename: 'sw.ts',
      // A new deployment waits for the person's "Reload" instead of mixing versions in one tab.
      registerType: 'prompt',
      injectRegister: false,
      manifestFilename: 'manifest.webmanifest',
      // The glob below already precaches every icon (and the plugin adds the manifest itself).
      includeManifestIcons: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,wasm}'],
        // The bundle grows with libsodium (WebAssembly inlined); it must still be precached.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      },
      manifest: {
        id: '/',
        name: 'Peerchat',
        short_name: 'Peerchat',
        description: 'Private chat straight between browsers: end-to-end encrypted, history only on your devices, works on a LAN without internet.',
        lang: 'en',
        dir: 'ltr',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: '#2456d6',
        background_color: '#ffffff',
        categories: ['social', 'communication'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        // Web Share Target: the service worker receives this POST (see sw.ts, share-store.ts).
        share_target: {
          action: '/share-target',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: { title: 'title', text: 'text', url: 'url', files: [{ name: 'files', accept: ['*/*'] }] },
        },
      },
      devOptions: { enabled: false },
    }),
  ],
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
