import { defineConfig, type Plugin } from 'vite';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { VitePWA } from 'vite-plugin-pwa';

const root = fileURLToPath(new URL('.', import.meta.url));

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Files worth compressing: text (the emoji picker's data is JSON), and WebAssembly. Images (png) are compressed already. */
const COMPRESSIBLE = /\.(?:js|css|html|svg|wasm|webmanifest|json)$/;
/** Below this, the saving is smaller than the headers it costs. */
const MIN_COMPRESS_BYTES = 1024;

/**
 * Writes `x.br` and `x.gz` next to every compressible file of the build (skipping either when it
 * would not be smaller), once, at build time. The signal server (sirv) sends them to browsers
 * that accept them, so serving costs no compression CPU. Runs after the PWA plugin has written
 * the service worker, so `sw.js` gets them too.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'peerchat:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler() {
        const names = (await fs.promises.readdir(outDir, { recursive: true })).filter((name) => COMPRESSIBLE.test(name));
        await Promise.all(
          names.map(async (name) => {
            const file = path.join(outDir, name);
            const data = await fs.promises.readFile(file);
            if (data.length < MIN_COMPRESS_BYTES) return;
            const [br, gz] = await Promise.all([
              brotli(data, {
                params: {
                  [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
                  [zlib.constants.BROTLI_PARAM_MODE]: name.endsWith('.wasm') ? zlib.constants.BROTLI_MODE_GENERIC : zlib.constants.BROTLI_MODE_TEXT,
                  [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
                },
              }),
              gzip(data, { level: zlib.constants.Z_BEST_COMPRESSION }),
            ]);
            if (br.length < data.length) await fs.promises.writeFile(`${file}.br`, br);
            if (gz.length < data.length) await fs.promises.writeFile(`${file}.gz`, gz);
          }),
        );
      },
    },
  };
}

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

/**
 * Translations of the manifest's name and description: the Web App Manifest's "*_localized"
 * members (W3C draft). No browser reads them yet, so installs show the English members; a browser
 * that does will pick these for a Chinese-speaking person. See docs/i18n.md. (Not in the plugin's
 * manifest type yet, hence spread in.)
 */
const MANIFEST_TRANSLATIONS: Record<string, unknown> = {
  name_localized: { 'zh-CN': { value: 'Peerchat', lang: 'zh-CN', dir: 'ltr' } },
  short_name_localized: { 'zh-CN': { value: 'Peerchat', lang: 'zh-CN', dir: 'ltr' } },
  description_localized: {
    'zh-CN': { value: '浏览器之间直接私聊：端到端加密，聊天记录只保存在你自己的设备上，局域网内不联网也能用。', lang: 'zh-CN', dir: 'ltr' },
  },
};

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
        // json: the emoji picker's data (web/src/components/emoji-picker-create.ts), so the picker
        // works offline; about 400 KB per language, 60 KB over the wire compressed.
        globPatterns: ['**/*.{js,css,html,svg,png,wasm,json}'],
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
        ...MANIFEST_TRANSLATIONS,
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
    precompress(),
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
