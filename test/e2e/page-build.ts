// Test-only pages built from the project's own modules: writes an entry script to a temp
// folder, builds it with Vite's JS API (so workers referenced with
// `new Worker(new URL('./x.ts', import.meta.url))` are bundled exactly as in the app), and serves
// the result on 127.0.0.1:0. Used by test/e2e/opfs-sink.test.ts (and the benchmark's app part).
//
//   const page = await buildTestPage('opfs', `import { OpfsSink } from '${fromRepo('web/src/files/opfs-sink.ts')}'; …`);
//   await browser.goto(page.url); … ; await page.close();

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of a file in the repository, for imports in a page's entry source. */
export function fromRepo(relative: string): string {
  return path.join(REPO, relative);
}

export interface TestPage {
  url: string;
  dir: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.css': 'text/css',
};

/**
 * Builds `entrySource` (TypeScript, may import repo files by absolute path) into a page and
 * serves it. Vite's log is kept quiet except for warnings.
 */
export async function buildTestPage(name: string, entrySource: string): Promise<TestPage> {
  const dir = await mkdtemp(path.join(tmpdir(), `peerchat-page-${name}-`));
  const outDir = path.join(dir, 'dist');
  await writeFile(path.join(dir, 'index.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${name}</title></head><body><p id="status">loading</p><script type="module" src="./entry.ts"></script></body></html>`);
  await writeFile(path.join(dir, 'entry.ts'), entrySource);
  try {
    await build({
      root: dir,
      configFile: false,
      logLevel: 'warn',
      define: { global: 'globalThis' },
      build: { outDir, emptyOutDir: true, target: 'es2022', minify: false, sourcemap: false, reportCompressedSize: false },
      worker: { format: 'es' },
      server: { fs: { allow: [REPO, dir] } },
    });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = path.join(outDir, rel);
    if (!file.startsWith(outDir + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    dir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
