// Test-only globals stay out of what people download: builds the web app in production mode
// (as `npm run build` does, into a temp folder) and looks for the names of the globals that only
// the e2e build (`npm run build:e2e`, web/dist-e2e) may publish. The same names must be in the e2e
// build, so a renamed global cannot make this check pass by accident.
//
// Run: npm run build:e2e && node --import tsx --test test/e2e/production-build.test.ts

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'vite';
import { STATIC_DIR } from './app-helpers';

/** Globals that code wrapped in `if (TEST_HOOKS)` (web/src/test-hooks.ts) puts on `window`. */
const TEST_ONLY_GLOBALS = ['peerchatTransfers'];

/** Every .js file under `dir`, with its text. */
function scripts(dir: string): Array<{ file: string; text: string }> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((rel) => path.join(dir, rel))
    .filter((file) => file.endsWith('.js') && statSync(file).isFile())
    .map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

describe('production build', { timeout: 180_000 }, () => {
  let outDir: string;

  before(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), 'peerchat-production-build-'));
    await build({ configFile: path.resolve('web/vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  });

  after(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  test('the e2e build publishes the test-only globals (so the names below are the real ones)', () => {
    assert.ok(existsSync(path.join(STATIC_DIR, 'index.html')), `${STATIC_DIR} is missing: run npm run build:e2e`);
    const all = scripts(STATIC_DIR).map((s) => s.text).join('\n');
    for (const name of TEST_ONLY_GLOBALS) assert.ok(all.includes(name), `the e2e build has ${name}`);
  });

  test('no test-only global is in the production JavaScript', () => {
    const found = scripts(outDir);
    assert.ok(found.some((s) => s.file.endsWith('sw.js')), 'the build wrote the app and its service worker');
    const leaks = found.flatMap((s) => TEST_ONLY_GLOBALS.filter((name) => s.text.includes(name)).map((name) => `${name} in ${path.relative(outDir, s.file)}`));
    assert.deepEqual(leaks, [], 'test-only globals in the production build');
  });
});
