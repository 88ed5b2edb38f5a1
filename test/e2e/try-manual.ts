import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSignalServer } from '../../signal-server/src/server';
import { launchBrowser, closeAllBrowsers } from './browsers';

const dataDir = mkdtempSync(path.join(tmpdir(), 'pc-try-'));
const server = await createSignalServer({ port: 0, host: '127.0.0.1', dataDir, staticDir: path.resolve('web/dist'), scrypt: { N: 2 ** 12 } });
const shots = '/tmp/shots';
try {
  const alice = await launchBrowser('chromium', { name: 'alice', echoConsole: true });
  const bob = await launchBrowser('chromium', { name: 'bob', echoConsole: true });
  await alice.goto(server.url);
  await alice.screenshot(`${shots}/01-login.png`);
  await alice.fill('Username', 'al');
  await alice.click('Register');
  await alice.screenshot(`${shots}/02-login-error.png`);
  await alice.fill('Username', 'alice');
  await alice.fill('Password', 'correct horse');
  await alice.click('Register');
  await alice.waitForText('Signed in as');
  await alice.screenshot(`${shots}/03-empty.png`);
  await bob.goto(server.url);
  await bob.fill('Username', 'bob');
  await bob.fill('Password', 'correct horse');
  await bob.click('Register');
  await bob.waitForText('Signed in as');
  await alice.click('bob, online');
  await alice.fill('Message', 'Hello Bob!');
  await alice.press('Enter');
  await bob.waitForText('Hello Bob!', 15000);
  await alice.waitForText('Delivered', 10000);
  await bob.screenshot(`${shots}/04-bob-unread.png`);
  await alice.screenshot(`${shots}/05-alice-conv.png`);
  await bob.click('alice, online, 1 unread');
  await bob.fill('Message', 'Hi Alice, line one');
  await bob.press('Enter');
  await alice.waitForText('Hi Alice, line one');
  await alice.screenshot(`${shots}/06-alice-reply.png`);
  await bob.reload();
  await bob.waitForText('Signed in as');
  await bob.click('alice, online');
  await bob.waitForText('Hello Bob!');
  await bob.screenshot(`${shots}/07-bob-reloaded.png`);
  console.log('OK');
} catch (e) {
  console.error('FAILED', e);
} finally {
  await closeAllBrowsers();
  await server.close();
}
