/** The CLI entry as a real child process: banner, graceful shutdown, clear start-up failures. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runNode, tempDir, waitForOutput } from './helpers';

const MAIN = fileURLToPath(new URL('../../signal-server/src/main.ts', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  return runNode(['--import', 'tsx', MAIN, ...args], env);
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('prints where it runs, serves /healthz, and exits 0 on SIGTERM', async () => {
  const dataDir = tempDir();
  const port = await freePort();
  const p = run(['--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir]);
  try {
    await waitForOutput(p, 'Peerchat is running:');
    assert.match(p.out(), new RegExp(`http://localhost:${port}`));
    assert.ok(p.out().includes(`Data folder (accounts): ${dataDir}\n`), p.out());
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(((await res.json()) as { status: string }).status, 'ok');
    assert.ok(fs.existsSync(`${dataDir}/peerchat.sqlite`));
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
  } finally {
    p.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a port in use exits non-zero with a clear sentence', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as net.AddressInfo).port;
  const dataDir = tempDir();
  try {
    const p = run([], { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
    assert.equal(await p.exited, 1);
    assert.match(p.err(), new RegExp(`port ${port} on 127.0.0.1 is already in use`));
  } finally {
    blocker.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a bad setting exits non-zero naming it', async () => {
  const p = run(['--port', 'http']);
  assert.equal(await p.exited, 1);
  assert.match(p.err(), /Peerchat could not start: --port must be a whole number from 0 to 65535/);
});

test('--https generates a certificate into the data folder, prints https URLs and serves HTTPS', async () => {
  const dataDir = tempDir();
  const port = await freePort();
  const p = run(['--https', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir]);
  try {
    await waitForOutput(p, 'fingerprint');
    assert.match(p.out(), new RegExp(`Peerchat is running \\(HTTPS\\):\\n  https://localhost:${port}`));
    assert.match(p.out(), /HTTPS certificate: made by this computer/);
    const ca = fs.readFileSync(`${dataDir}/tls/ca-cert.pem`, 'utf8');
    const status = await new Promise<number>((resolve, reject) => {
      https.get(`https://127.0.0.1:${port}/healthz`, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(status, 200);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
  } finally {
    p.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('--cert without --key exits non-zero with a sentence', async () => {
  const p = run(['--cert', '/nonexistent/cert.pem']);
  assert.equal(await p.exited, 1);
  assert.match(p.err(), /Peerchat could not start: --cert needs the certificate's private key too: add --key/);
});
