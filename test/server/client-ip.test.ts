import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { hostHeaderName, isHostAllowed, machineNames, parseAllowedHosts } from '../../signal-server/src/allowed-hosts';
import { clientIp, parseTrustedProxies, plainAddress } from '../../signal-server/src/client-ip';

const req = (peer: string, xff?: string | string[]): IncomingMessage =>
  ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

test('clientIp: the peer unless it is a trusted proxy; then the right-most untrusted forwarded address', () => {
  const none = parseTrustedProxies([]);
  assert.equal(clientIp(req('::ffff:127.0.0.1', '9.9.9.9'), none), '127.0.0.1');
  const proxies = parseTrustedProxies(['127.0.0.1', '10.0.0.0/8', '::1']);
  assert.equal(clientIp(req('192.0.2.1', '9.9.9.9'), proxies), '192.0.2.1', 'peer is not a proxy');
  assert.equal(clientIp(req('::ffff:127.0.0.1', '9.9.9.9'), proxies), '9.9.9.9');
  assert.equal(clientIp(req('127.0.0.1', '6.6.6.6, 9.9.9.9, 10.1.2.3'), proxies), '9.9.9.9', 'proxy chain skipped, client-written part ignored');
  assert.equal(clientIp(req('127.0.0.1', ['6.6.6.6', '2001:db8::1']), proxies), '2001:db8::1', 'several headers');
  assert.equal(clientIp(req('::1', '[2001:DB8::2]'), proxies), '2001:db8::2');
  assert.equal(clientIp(req('127.0.0.1', 'garbage, 10.0.0.7'), proxies), '10.0.0.7', 'stops at a bad entry');
  assert.equal(clientIp(req('127.0.0.1', ''), proxies), '127.0.0.1');
  assert.equal(clientIp(req('127.0.0.1'), proxies), '127.0.0.1');
  assert.equal(plainAddress('::FFFF:10.0.0.1'), '10.0.0.1');
  // Some proxies write the client's port too.
  assert.equal(clientIp(req('127.0.0.1', '9.9.9.9:5678'), proxies), '9.9.9.9', 'IPv4 with a port');
  assert.equal(clientIp(req('127.0.0.1', '[2001:db8::3]:80'), proxies), '2001:db8::3', 'IPv6 with a port');
});

test('host names: addresses, localhost, own names and configured ones', () => {
  assert.equal(hostHeaderName('Example.ORG.:8080'), 'example.org');
  assert.equal(hostHeaderName('[::1]:80'), '::1');
  assert.equal(hostHeaderName('a b'), null);
  const own = machineNames('Box.example.net');
  assert.deepEqual([...own].sort(), ['box', 'box.example.net', 'box.example.net.local', 'box.local']);
  const none = parseAllowedHosts([]);
  for (const h of ['192.168.1.20:8080', '[fe80::1]:1', 'localhost', 'x.localhost:5173', 'box.local:8080', undefined]) {
    assert.equal(isHostAllowed(h, none, own), true, String(h));
  }
  for (const h of ['evil.example', 'localhost.evil.example', 'box.evil', '', ':80']) assert.equal(isHostAllowed(h, none, own), false, h);
  const some = parseAllowedHosts(['Chat.Example.org', '.home.arpa']);
  assert.equal(isHostAllowed('chat.example.org:443', some, own), true);
  assert.equal(isHostAllowed('a.b.home.arpa', some, own), true);
  assert.equal(isHostAllowed('evilhome.arpa', some, own), false);
  assert.equal(isHostAllowed('anything.example', parseAllowedHosts(['*']), own), true);
});
