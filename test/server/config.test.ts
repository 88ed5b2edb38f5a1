import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../signal-server/src/config';
import { createSignalServer } from '../../signal-server/src/server';
import { lanAddresses } from '../../signal-server/src/lan-urls';
import { tempDir } from './helpers';

const ARGV0 = ['node', 'main.ts'];
const isBadConfig = (re: RegExp) => (err: Error & { code?: string }) => err.code === 'BAD_CONFIG' && re.test(err.message);

describe('loadConfig', () => {
  test('defaults', () => {
    const c = loadConfig(ARGV0, {}, '/srv/peer');
    assert.equal(c.port, 8080);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.dataDir, '/srv/peer/data');
    assert.equal(c.staticDir, path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../../web/dist'));
    assert.deepEqual(c.iceServers, []);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.help, false);
  });

  test('environment, and flags over environment (both --flag value and --flag=value)', () => {
    const env = { PORT: '9000', HOST: '127.0.0.1', DATA_DIR: '/var/pc', LOG_LEVEL: 'warn', ICE_SERVERS: '[{"urls":"stun:a.example:3478"}]', STATIC_DIR: 'dist' };
    const e = loadConfig(ARGV0, env, '/w');
    assert.deepEqual(
      { port: e.port, host: e.host, dataDir: e.dataDir, logLevel: e.logLevel, ice: e.iceServers, staticDir: e.staticDir },
      { port: 9000, host: '127.0.0.1', dataDir: '/var/pc', logLevel: 'warn', ice: [{ urls: 'stun:a.example:3478' }], staticDir: '/w/dist' },
    );
    const f = loadConfig([...ARGV0, '--port', '0', '--host=::1', '--data-dir', 'd2', '--log-level=DEBUG', '--ice-servers', '[]', '--help'], env, '/w');
    assert.deepEqual(
      { port: f.port, host: f.host, dataDir: f.dataDir, logLevel: f.logLevel, ice: f.iceServers, help: f.help },
      { port: 0, host: '::1', dataDir: '/w/d2', logLevel: 'debug', ice: [], help: true },
    );
  });

  test('presence mode: open by default, contacts when REDIS_URL is set, PRESENCE and --presence win', () => {
    assert.equal(loadConfig(ARGV0, {}).presence, 'open');
    assert.equal(loadConfig(ARGV0, { REDIS_URL: 'redis://127.0.0.1:6379' }).presence, 'contacts');
    assert.equal(loadConfig(ARGV0, { REDIS_URL: 'redis://127.0.0.1:6379', PRESENCE: 'open' }).presence, 'open');
    assert.equal(loadConfig(ARGV0, { PRESENCE: 'Contacts' }).presence, 'contacts');
    assert.equal(loadConfig([...ARGV0, '--presence', 'open'], { PRESENCE: 'contacts' }).presence, 'open');
    assert.equal(loadConfig([...ARGV0, '--presence=contacts'], {}).presence, 'contacts');
    assert.throws(() => loadConfig(ARGV0, { PRESENCE: 'friends' }), isBadConfig(/^PRESENCE must be open or contacts, but it is "friends"\.$/));
    assert.throws(() => loadConfig([...ARGV0, '--presence', 'all'], {}), isBadConfig(/^--presence must be open or contacts/));
    assert.throws(() => loadConfig([...ARGV0, '--presence'], {}), isBadConfig(/^Option --presence needs a value\.$/));
  });

  test('bad values throw BAD_CONFIG with a sentence naming the setting', () => {
    assert.throws(() => loadConfig(ARGV0, { PORT: 'eighty' }), isBadConfig(/^PORT must be a whole number/));
    assert.throws(() => loadConfig(ARGV0, { PORT: '70000' }), isBadConfig(/PORT/));
    assert.throws(() => loadConfig(ARGV0, { PORT: '-1' }), isBadConfig(/PORT/));
    assert.throws(() => loadConfig([...ARGV0, '--port', '1.5'], {}), isBadConfig(/--port/));
    assert.throws(() => loadConfig([...ARGV0, '--port'], {}), isBadConfig(/--port needs a value/));
    assert.throws(() => loadConfig([...ARGV0, '--nope'], {}), isBadConfig(/Unknown option "--nope"/));
    assert.throws(() => loadConfig(ARGV0, { ICE_SERVERS: 'stun:x' }), isBadConfig(/ICE_SERVERS is not valid JSON/));
    assert.throws(() => loadConfig(ARGV0, { ICE_SERVERS: '{"urls":"stun:x"}' }), isBadConfig(/ICE_SERVERS/));
    assert.throws(() => loadConfig(ARGV0, { ICE_SERVERS: '[{"url":"stun:x"}]' }), isBadConfig(/ICE_SERVERS/));
    const many = JSON.stringify(Array.from({ length: 17 }, () => ({ urls: 'stun:x' })));
    assert.throws(() => loadConfig(ARGV0, { ICE_SERVERS: many }), isBadConfig(/At most 16/));
    assert.throws(() => loadConfig(ARGV0, { LOG_LEVEL: 'loud' }), isBadConfig(/LOG_LEVEL must be one of/));
    assert.throws(() => loadConfig(ARGV0, { HOST: 'a b' }), isBadConfig(/HOST/));
  });
  test('flags are parsed strictly: unknown flags, missing values and stray words are refused with a sentence', () => {
    assert.throws(() => loadConfig([...ARGV0, '--prot', '9000'], {}), isBadConfig(/^Unknown option "--prot"\. Run with --help to see the options\.$/));
    assert.throws(() => loadConfig([...ARGV0, '-x'], {}), isBadConfig(/^Unknown option "-x"\./));
    // The value of an unknown --flag=value is not echoed (it could be a secret typed in the wrong place).
    assert.throws(() => loadConfig([...ARGV0, '--tls-key=s3cret'], {}), (err: Error & { code?: string }) => err.code === 'BAD_CONFIG' && /^Unknown option "--tls-key"\./.test(err.message) && !err.message.includes('s3cret'));
    assert.throws(() => loadConfig([...ARGV0, '9000'], {}), isBadConfig(/^Unexpected argument in position 1: options start with --/));
    assert.throws(() => loadConfig([...ARGV0, '--https', 'false'], {}), isBadConfig(/^Unexpected argument in position 2 \(after --https\)/));
    // A stray word is never repeated: it could be a secret that lost its option (a space after `=`).
    const secret = '[{"urls":"turn:t.example","username":"u","credential":"s3cret"}]';
    assert.throws(
      () => loadConfig([...ARGV0, '--port', '1', '--ice-servers=', secret], {}),
      (err: Error & { code?: string }) => err.code === 'BAD_CONFIG' && /^Unexpected argument in position 4 \(after --ice-servers\)/.test(err.message) && !err.message.includes('s3cret'),
    );
    assert.throws(() => loadConfig([...ARGV0, 's3cret'], {}), (err: Error) => !err.message.includes('s3cret'));
    assert.throws(() => loadConfig([...ARGV0, '--help=yes'], {}), isBadConfig(/^Option --help takes no value\.$/));
    assert.throws(() => loadConfig([...ARGV0, '--port', '--host', '::1'], {}), isBadConfig(/^Option --port needs a value\. For a value that starts with "-", write --port=<value>\.$/));
    assert.equal(loadConfig([...ARGV0, '-h'], {}).help, true);
    assert.equal(loadConfig([...ARGV0, '--port=1', '--port', '2'], {}).port, 2);
  });
});

describe('createSignalServer option checks', () => {
  const dataDir = tempDir();
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no store', { dataDir: undefined }, /dataDir or store/],
    ['port', { port: 70000 }, /port/],
    ['heartbeat', { heartbeatMs: 0 }, /heartbeatMs/],
    ['login timeout', { loginTimeoutMs: -5 }, /loginTimeoutMs/],
    ['rate', { rateLimit: { perSecond: 0 } }, /rateLimit.perSecond/],
    ['scrypt', { scrypt: { N: 1000 } }, /scrypt N/],
    ['ice', { iceServers: [{ url: 'stun:x' }] }, /ICE servers/],
    ['origins', { allowedOrigins: ['not an origin'] }, /allowedOrigins/],
    ['caps', { maxConnectionsPerIp: 0 }, /maxConnectionsPerIp/],
  ];
  for (const [name, opts, re] of cases) {
    test(`rejects a bad ${name} before listening`, async () => {
      await assert.rejects(createSignalServer({ port: 0, dataDir, ...opts } as never), isBadConfig(re));
    });
  }
});

test('lanAddresses keeps non-internal IPv4 only, once each', () => {
  const fake = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    eth0: [
      { address: '192.168.1.20', family: 'IPv4', internal: false },
      { address: 'fe80::1', family: 'IPv6', internal: false },
    ],
    wlan0: [
      { address: '10.0.0.5', family: 'IPv4', internal: false },
      { address: '192.168.1.20', family: 'IPv4', internal: false },
    ],
  };
  assert.deepEqual(lanAddresses(fake as never), ['192.168.1.20', '10.0.0.5']);
});

describe('--allowed-hosts and --trust-proxy', () => {
  test('comma lists from the environment and flags', () => {
    const e = loadConfig(ARGV0, { ALLOWED_HOSTS: 'chat.example.org, .home.arpa', TRUST_PROXY: '127.0.0.1,10.0.0.0/8,::1' });
    assert.deepEqual(e.allowedHosts, ['chat.example.org', '.home.arpa']);
    assert.deepEqual(e.trustProxy, ['127.0.0.1', '10.0.0.0/8', '::1']);
    const f = loadConfig([...ARGV0, '--allowed-hosts=*', '--trust-proxy', 'fd00::/8'], { ALLOWED_HOSTS: 'x.example' });
    assert.deepEqual(f.allowedHosts, ['*']);
    assert.deepEqual(f.trustProxy, ['fd00::/8']);
    const d = loadConfig(ARGV0, {});
    assert.deepEqual([d.allowedHosts, d.trustProxy], [[], []]);
  });

  test('bad entries are refused with a sentence naming the setting and the entry', () => {
    assert.throws(() => loadConfig(ARGV0, { ALLOWED_HOSTS: 'https://chat.example.org' }), isBadConfig(/^ALLOWED_HOSTS: "https:\/\/chat\.example\.org" is not a host name/));
    assert.throws(() => loadConfig([...ARGV0, '--allowed-hosts', 'chat.example.org:8080'], {}), isBadConfig(/^--allowed-hosts: "chat\.example\.org:8080"/));
    assert.throws(() => loadConfig(ARGV0, { ALLOWED_HOSTS: 'a.example,,b.example' }), isBadConfig(/^ALLOWED_HOSTS is a comma-separated list with an empty entry/));
    assert.throws(() => loadConfig(ARGV0, { TRUST_PROXY: 'proxy.local' }), isBadConfig(/^TRUST_PROXY: "proxy\.local" is not an IP address or range/));
    assert.throws(() => loadConfig([...ARGV0, '--trust-proxy=10.0.0.0/33'], {}), isBadConfig(/^--trust-proxy: "10\.0\.0\.0\/33"/));
    assert.throws(() => loadConfig([...ARGV0, '--trust-proxy=1.2.3.4/8/1'], {}), isBadConfig(/--trust-proxy/));
  });
});
