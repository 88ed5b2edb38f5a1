/**
 * The production path: `npm run build:server` bundles the server, and plain `node` runs it (no
 * TypeScript loader), as `npm start` does. Its run-time lookups (the version from package.json,
 * the default web/dist) must resolve from the bundle's location.
 *
 * The test bundles into a folder of its own rather than signal-server/dist, which a running
 * `npm start` may be using. Like signal-server/dist, that folder sits two levels below the
 * repository root, so the bundle resolves its paths exactly as the real one does.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { makeStaticDir, runNode, tempDir, waitForOutput, type NodeProcess } from './helpers';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const OUT_DIR = path.join(REPO, 'test-results', `server-bundle-${process.pid}`);
const MAIN_JS = path.join(OUT_DIR, 'main.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** Node options such as `--import tsx` must not reach the server: it runs as people run it. */
const PLAIN_NODE_ENV = { NODE_OPTIONS: undefined };

const dataDir = tempDir();
const staticDir = makeStaticDir();
const running: NodeProcess[] = [];

/** signal-server/dist/main.js as it was before the test ran (a running `npm start` may use it). */
const REPO_BUNDLE = path.join(REPO, 'signal-server', 'dist', 'main.js');
let repoBundleBefore: number | undefined;

before(() => {
  repoBundleBefore = fs.statSync(REPO_BUNDLE, { throwIfNoEntry: false })?.mtimeMs;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['run', '--silent', 'build:server', '--', '--outDir', OUT_DIR], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  assert.equal(path.resolve(path.dirname(MAIN_JS), '..', '..'), path.resolve(REPO), 'the bundle sits two levels below the repository, as signal-server/dist/main.js does');
  const shell = fs.readFileSync(path.join(staticDir, 'index.html'));
  fs.writeFileSync(path.join(staticDir, 'index.html.br'), zlib.brotliCompressSync(shell));
});

after(() => {
  for (const p of running) p.child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(staticDir, { recursive: true, force: true });
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
});

async function start(args: string[], env: Record<string, string | undefined> = {}): Promise<{ p: NodeProcess; base: string }> {
  const p = runNode([MAIN_JS, '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, ...args], { ...PLAIN_NODE_ENV, ...env });
  running.push(p);
  await waitForOutput(p, 'Peerchat is running:');
  const port = /http:\/\/localhost:(\d+)/.exec(p.out())?.[1];
  assert.ok(port, p.out());
  return { p, base: `http://127.0.0.1:${port}` };
}

test('the bundle is plain JavaScript for node: no TypeScript loader, packages imported from node_modules', () => {
  const code = fs.readFileSync(MAIN_JS, 'utf8');
  assert.doesNotMatch(code, /from ["']tsx/);
  assert.doesNotMatch(code, /from ["']\.\.?\//, 'shared/ and the server are inside the bundle');
  assert.match(code, /from ["']sirv["']/);
});

test('the bundle, run by plain node, serves /healthz with the package version, and the app compressed', async () => {
  const { p, base } = await start(['--static-dir', staticDir]);
  const health = await fetch(`${base}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok', version: VERSION, protocol: 1 });

  // fetch() decodes the body itself; Content-Encoding still says what travelled.
  const index = await fetch(`${base}/`, { headers: { 'Accept-Encoding': 'br' } });
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-encoding'), 'br');
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(await index.text(), /Peerchat test shell/);

  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0);
});

test('by default the bundle serves web/dist of the repository', async () => {
  const { p } = await start([], { LOG_LEVEL: 'info', STATIC_DIR: undefined });
  const listening = p
    .out()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; staticDir?: string; dataDir?: string })
    .find((entry) => entry.msg === 'signal server listening');
  assert.equal(listening?.staticDir, path.join(REPO, 'web', 'dist'));
  assert.equal(listening?.dataDir, dataDir);
  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0);
});

test("the test's build leaves the repository's signal-server/dist as it was", () => {
  assert.ok(fs.existsSync(MAIN_JS));
  assert.equal(fs.statSync(REPO_BUNDLE, { throwIfNoEntry: false })?.mtimeMs, repoBundleBefore);
});
