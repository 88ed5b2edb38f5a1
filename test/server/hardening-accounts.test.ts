/**
 * Limits that protect accounts and people: logged-in connections per account, failed-login
 * backoff that still serves the real user, a fair password-hash queue, and a relay budget per
 * (sender, target). Loopback has room for many source addresses (127.0.0.2 …), which stand in
 * for many addresses of one attacker; `ipLimitKey` maps them into one group where a test needs
 * one IPv6 /64 (the real /64 grouping is unit-tested in test/unit/server-limits.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LIMITS } from '../../shared/limits';
import { ipLimitKey } from '../../signal-server/src/ip-key';
import { cid, Client, registerUser, startServer, waitFor } from './helpers';

/** 127.0.0.2 … 127.0.0.(n+1): one source address each. */
const addresses = (n: number, from = 2): string[] => Array.from({ length: n }, (_, i) => `127.0.0.${from + i}`);

/** Every loopback address but 127.0.0.1 counts as one group: one attacker's IPv6 /64. */
const ATTACKER_64 = (ip: string): string => (/^127\.0\.0\.(?!1$)\d+$/.test(ip) ? 'attacker-/64' : ipLimitKey(ip));

async function connectFrom(url: string, localAddress: string): Promise<Client> {
  return Client.connect(url, { localAddress });
}

/** The code of the first error or 'welcome', whichever comes. */
async function outcome(c: Client): Promise<string> {
  await waitFor(() => c.queue.some((m) => m.type === 'welcome' || m.type === 'error'), 20_000, 'an answer');
  const m = c.queue.find((x) => x.type === 'welcome' || x.type === 'error');
  return m?.type === 'error' ? m.code : (m?.type ?? '?');
}

describe('per-account cap on logged-in connections', () => {
  test('64 idle sockets of one account beyond the per-account cap refused', async () => {
    const srv = await startServer();
    const clients: Client[] = [];
    try {
      const first = await registerUser(srv, 'many');
      clients.push(first.client);
      const token = first.welcome.token;
      // Up to the default cap (8): served.
      for (let i = 1; i < 8; i++) {
        const c = await Client.connect(srv.wsUrl);
        clients.push(c);
        c.resume(token);
        await c.next('welcome');
      }
      // 64 more, each from its own address (the per-address cap is not what stops them).
      const extra = await Promise.all(addresses(64).map((a) => connectFrom(srv.wsUrl, a)));
      clients.push(...extra);
      extra.forEach((c) => c.resume(token));
      const outcomes = await Promise.all(extra.map(outcome));
      assert.deepEqual(new Set(outcomes), new Set(['TOO_MANY_SESSIONS']));
      assert.deepEqual(await extra[0]?.nextError(), { type: 'error', code: 'TOO_MANY_SESSIONS', ref: 'resume' });
      // A password login is refused the same way, and its new token is not left behind.
      const viaLogin = await connectFrom(srv.wsUrl, '127.0.0.100');
      clients.push(viaLogin);
      viaLogin.login('many');
      assert.deepEqual(await viaLogin.nextError(), { type: 'error', code: 'TOO_MANY_SESSIONS', ref: 'login' });
      // The eight are still served; when one leaves, a new one gets in.
      assert.equal(srv.stats().online, 1);
      await clients[1]?.close();
      const later = await Client.connect(srv.wsUrl);
      clients.push(later);
      later.resume(token);
      await later.next('welcome');
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await srv.stop();
    }
  });
});

describe('failed-login backoff', () => {
  test('wrong passwords for one account from 40 addresses in one /64 back off while the real user’s login from another address succeeds', async () => {
    // A long first wait, so nothing here depends on how fast the machine is.
    const srv = await startServer({ ipLimitKey: ATTACKER_64, loginBackoff: { baseDelayMs: 600_000 } });
    try {
      const real = await registerUser(srv, 'target');
      await real.client.close();
      const outcomes: string[] = [];
      for (const a of addresses(40)) {
        const c = await connectFrom(srv.wsUrl, a);
        c.login('target', 'not the password');
        outcomes.push((await c.nextError()).code);
        await c.close();
      }
      // Five free tries for the group, then it waits (no hash is spent on the rest).
      assert.deepEqual(outcomes, [...Array<string>(5).fill('BAD_PASSWORD'), ...Array<string>(35).fill('RATE_LIMITED')]);
      // The real user, from an address outside that /64, is served.
      const home = await connectFrom(srv.wsUrl, '127.0.0.1');
      home.login('target');
      await home.next('welcome');
      await home.close();
    } finally {
      await srv.stop();
    }
  });

  test('failures spread over 40 separate addresses trip the account-wide soft limit for those addresses only', async () => {
    const srv = await startServer({ loginBackoff: { baseDelayMs: 600_000 } });
    try {
      await (await registerUser(srv, 'spread')).client.close();
      const round = async (): Promise<string[]> => {
        const out: string[] = [];
        for (const a of addresses(40)) {
          const c = await connectFrom(srv.wsUrl, a);
          c.login('spread', 'not the password');
          out.push((await c.nextError()).code);
          await c.close();
        }
        return out;
      };
      // Each address is within its own allowance the first time…
      assert.deepEqual(new Set(await round()), new Set(['BAD_PASSWORD']));
      // …but the account has now seen 40 failures: every address that failed waits.
      assert.deepEqual(new Set(await round()), new Set(['RATE_LIMITED']));
      const home = await connectFrom(srv.wsUrl, '127.0.0.1');
      home.login('spread');
      await home.next('welcome');
      await home.close();
    } finally {
      await srv.stop();
    }
  });
});

describe('fair password-hash queue', () => {
  test('one address opening many logins cannot fill the hash queue; a login from elsewhere is still hashed', async () => {
    const srv = await startServer({
      scrypt: { N: 2 ** 16, r: 8, p: 1 },
      maxConcurrentHashes: 1,
      maxQueuedHashes: 8,
      maxQueuedHashesPerAddress: 3,
    });
    const clients: Client[] = [];
    try {
      await (await registerUser(srv, 'patient')).client.close();
      const flood = await Promise.all(Array.from({ length: 20 }, () => connectFrom(srv.wsUrl, '127.0.0.2')));
      clients.push(...flood);
      flood.forEach((c, i) => c.login(`nobody${i}`, 'whatever password'));
      // Everything past one running and eight waiting is refused at once, whatever the fix.
      await waitFor(() => flood.filter((c) => c.queue.some((m) => m.type === 'error')).length >= 11, 20_000, 'the flood to be refused');
      const home = await connectFrom(srv.wsUrl, '127.0.0.1');
      clients.push(home);
      home.login('patient');
      assert.equal(await outcome(home), 'welcome');
      const floodOutcomes = await Promise.all(flood.map(outcome));
      assert.ok(floodOutcomes.includes('RATE_LIMITED'), floodOutcomes.join());
      assert.ok(
        floodOutcomes.every((o) => o === 'UNKNOWN_USER' || o === 'RATE_LIMITED'),
        floodOutcomes.join(),
      );
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await srv.stop();
    }
  });
});

describe('relay budget per sender and target', () => {
  test('one sender flooding offers at one victim is limited and the victim stays connected', async () => {
    const srv = await startServer({
      maxBufferedBytes: LIMITS.maxFrameBytes,
      // The per-connection frame budget is out of the way: the flood is within it.
      rateLimit: { perSecond: 10_000, burst: 10_000, abuseDebt: 10_000 },
      // About two big offers, then (next to) nothing.
      relayRateLimit: { perSecond: 1, burst: 100_000 },
    });
    try {
      const flooder = await registerUser(srv, 'flooder');
      const victim = await registerUser(srv, 'victim');
      const friend = await registerUser(srv, 'friend');
      // The victim's browser is busy and does not read: the flood would pile up on the server.
      const raw = (victim.client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      raw.pause();
      const big = { type: 'offer', sdp: 'x'.repeat(LIMITS.maxSignalBytes - 100) };
      for (let i = 0; i < 400; i++) flooder.client.send({ type: 'signal', to: 'victim', cid: cid(i), data: big });
      // Frames of a connection are handled in order: once the lookup is answered, the flood was.
      flooder.client.send({ type: 'lookup', username: 'victim' });
      await flooder.client.next('identity', 30_000);
      const limited = await flooder.client.nextError('RATE_LIMITED');
      assert.equal(limited.ref, 'signal');
      assert.equal(limited.to, 'victim');
      assert.ok(!flooder.client.queue.some((m) => m.type === 'presence-update' && m.username === 'victim' && !m.online), 'the victim was not dropped');
      raw.resume();
      // Another sender still reaches the victim.
      friend.client.send({ type: 'signal', to: 'victim', cid: cid(9999), data: { type: 'offer', sdp: 'v=0\r\n' } });
      const got = await victim.client.next('signal', 10_000, (m) => m.from === 'friend');
      assert.equal(got.cid, cid(9999));
      const fromFlooder = victim.client.queue.filter((m) => m.type === 'signal' && m.from === 'flooder').length;
      assert.ok(fromFlooder <= 2, `${fromFlooder} flood frames reached the victim`);
      assert.equal(srv.stats().online, 3);
      await Promise.all([flooder.client.close(), victim.client.close(), friend.client.close()]);
    } finally {
      await srv.stop();
    }
  });
});
