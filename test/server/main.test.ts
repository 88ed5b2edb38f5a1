/** The CLI entry as a real child process: banner, graceful shutdown, clear start-up failures. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers';

const MAIN = fileURLToPath(new URL('../../signal-server/src/main.ts', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
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
    const deadline = Date.now() + 15_000;
    while (!p.out().includes('Peerchat is running:')) {
      assert.ok(Date.now() < deadline, `no banner; stderr: ${p.err()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(p.out(), new RegExp(`http://localhost:${port}`));
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
    const deadline = Date.now() + 20_000;
    while (!p.out().includes('fingerprint')) {
      assert.ok(Date.now() < deadline, `no banner; stdout: ${p.out()} stderr: ${p.err()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
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
