/**
 * The server's limit building blocks as pure logic: address groups, the LRU-bounded rate
 * limiter, the failed-login backoff and the fair password-hash queue (with a stand-in hasher).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FairQueue } from '../../signal-server/src/hash-queue';
import { ipLimitKey } from '../../signal-server/src/ip-key';
import { LoginBackoff } from '../../signal-server/src/login-backoff';
import { LruMap } from '../../signal-server/src/lru-map';
import { KeyedLimiter, TokenBucket } from '../../signal-server/src/rate-limit';

describe('ipLimitKey: the group every per-address limit counts under', () => {
  test('IPv6 addresses in one /64 share a group, whatever their spelling', () => {
    const group = ipLimitKey('2001:db8:1:2::1');
    for (const ip of ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0DB8:0001:0002:0:0:0:9', '2001:db8:1:2:a:b:c:d', '2001:db8:1:2::1%eth0']) {
      assert.equal(ipLimitKey(ip), group, ip);
    }
    assert.equal(group, '2001:db8:1:2::/64');
  });

  test('link-local addresses count alone (every LAN shares fe80::/64)', () => {
    assert.notEqual(ipLimitKey('fe80::1%eth0'), ipLimitKey('fe80::2%eth0'));
    assert.equal(ipLimitKey('fe80::1%eth0'), ipLimitKey('FE80:0:0:0:0:0:0:1%wlan0'));
  });

  test('different /64s are different groups', () => {
    assert.notEqual(ipLimitKey('2001:db8:1:2::1'), ipLimitKey('2001:db8:1:3::1'));
    assert.notEqual(ipLimitKey('2001:db8:1:2::1'), ipLimitKey('2001:db9:1:2::1'));
  });

  test('IPv4 counts per address; an IPv4-mapped IPv6 address is its IPv4 address', () => {
    assert.equal(ipLimitKey('192.0.2.7'), '192.0.2.7');
    assert.notEqual(ipLimitKey('192.0.2.7'), ipLimitKey('192.0.2.8'));
    assert.equal(ipLimitKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(ipLimitKey('::FFFF:c000:207'), '192.0.2.7');
  });

  test('anything that is not an address is used as it is', () => {
    assert.equal(ipLimitKey('unknown'), 'unknown');
    assert.equal(ipLimitKey(''), '');
  });
});

describe('LruMap and KeyedLimiter: bounded, least recently used evicted', () => {
  test('LruMap evicts the least recently used key, not the newest or all', () => {
    const m = new LruMap<string, number>(3);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', 3);
    m.get('a');
    m.set('d', 4);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => m.has(k)), [true, false, true, true]);
    assert.equal(m.size, 3);
  });

  test('a full limiter serves a new key by evicting the idlest one; limited keys stay limited', () => {
    const limiter = new KeyedLimiter({ perSecond: 0.001, burst: 1, abuseDebt: 100 }, 3);
    const t = 1000;
    assert.equal(limiter.take('attacked', t), 'ok');
    assert.equal(limiter.take('attacked', t), 'limited');
    assert.equal(limiter.take('b', t), 'ok');
    assert.equal(limiter.take('c', t), 'ok');
    assert.equal(limiter.take('attacked', t), 'limited', 'marks it as recently used');
    // A new key while full: served (not refused), and 'b' (least recently used) is forgotten.
    assert.equal(limiter.take('new', t), 'ok');
    assert.equal(limiter.size, 3);
    assert.equal(limiter.has('b'), false);
    assert.equal(limiter.has('attacked'), true);
    assert.equal(limiter.take('attacked', t), 'limited', 'the limited key was not wiped');
  });

  test('a bucket counted in bytes refuses a frame it cannot pay for without going into debt', () => {
    const b = new TokenBucket({ perSecond: 10, burst: 100, abuseDebt: 1e9 }, 0);
    assert.equal(b.take(0, 60), 'ok');
    assert.equal(b.take(0, 60), 'limited');
    assert.equal(b.take(0, 40), 'ok', 'the refused 60 cost nothing');
    assert.equal(b.take(1000, 10), 'ok', 'refilled 10 in a second');
  });
});

describe('LoginBackoff', () => {
  const opts = { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 60_000, accountSoftLimit: 10, forgetAfterMs: 3_600_000, maxEntries: 1000 };

  test('a group that keeps failing waits exponentially longer; success clears it', () => {
    const b = new LoginBackoff(opts);
    let t = 0;
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(b.check('alice', 'g1', t), { ok: true });
      b.fail('alice', 'g1', t);
    }
    assert.deepEqual(b.check('alice', 'g1', t), { ok: false, retryInMs: 1000 });
    t += 1000;
    assert.deepEqual(b.check('alice', 'g1', t), { ok: true });
    b.fail('alice', 'g1', t);
    assert.deepEqual(b.check('alice', 'g1', t), { ok: false, retryInMs: 2000 });
    b.fail('alice', 'g1', t);
    b.fail('alice', 'g1', t);
    assert.deepEqual(b.check('alice', 'g1', t), { ok: false, retryInMs: 8000 });
    for (let i = 0; i < 20; i++) b.fail('alice', 'g1', t);
    assert.deepEqual(b.check('alice', 'g1', t), { ok: false, retryInMs: 60_000 }, 'capped');
    b.succeed('alice', 'g1');
    assert.deepEqual(b.check('alice', 'g1', t), { ok: true });
  });

  test('other accounts and other groups are not slowed by one group failing', () => {
    const b = new LoginBackoff(opts);
    for (let i = 0; i < 8; i++) b.fail('alice', 'g1', 0);
    assert.equal(b.check('alice', 'g1', 0).ok, false);
    assert.equal(b.check('bob', 'g1', 0).ok, true);
    assert.equal(b.check('alice', 'g2', 0).ok, true);
  });

  test('over the account-wide soft limit, every group that failed waits; one that never failed does not', () => {
    const b = new LoginBackoff(opts);
    // Ten groups fail once each: nobody is over the per-group allowance, but the account is.
    for (let i = 0; i < 10; i++) b.fail('alice', `g${i}`, 0);
    for (let i = 0; i < 10; i++) assert.equal(b.check('alice', `g${i}`, 0).ok, false, `g${i}`);
    assert.deepEqual(b.check('alice', 'home', 0), { ok: true });
    assert.deepEqual(b.check('bob', 'g1', 0), { ok: true });
  });

  test('behind one carrier NAT: a device that logged in before is not blocked by strangers failing in its group', () => {
    const b = new LoginBackoff({ ...opts, knownDeviceForMs: 10_000_000 });
    b.succeed('alice', 'cgnat', 'alice-phone', 0);
    // Strangers in the same group fail many times; the group backs off.
    for (let i = 0; i < 8; i++) b.fail('alice', 'cgnat', 10);
    assert.equal(b.check('alice', 'cgnat', 10).ok, false);
    assert.equal(b.check('alice', 'cgnat', 10, 'new-laptop').ok, false, 'a device that never logged in counts with its group');
    assert.deepEqual(b.check('alice', 'cgnat', 10, 'alice-phone'), { ok: true }, 'the known device is served');
    // The known device's own failures (or a stranger naming it) back off its own counter only.
    for (let i = 0; i < 3; i++) b.fail('alice', 'cgnat', 20, 'alice-phone');
    assert.equal(b.check('alice', 'cgnat', 20, 'alice-phone').ok, false);
    assert.deepEqual(b.check('alice', 'home', 20, 'alice-phone'), { ok: true }, 'naming the device in one group does not slow it in another');
    // Its success clears only its own counter, not the strangers' one.
    b.succeed('alice', 'cgnat', 'alice-phone', 20);
    assert.deepEqual(b.check('alice', 'cgnat', 20, 'alice-phone'), { ok: true });
    assert.equal(b.check('alice', 'cgnat', 20).ok, false);
    // A device known to another account is a stranger here.
    assert.equal(b.check('bob', 'cgnat', 20, 'alice-phone').ok, true, 'bob has no failures at all');
    for (let i = 0; i < 8; i++) b.fail('bob', 'cgnat', 20);
    assert.equal(b.check('bob', 'cgnat', 20, 'alice-phone').ok, false);
  });

  test('a known device is forgotten after knownDeviceForMs', () => {
    const b = new LoginBackoff({ ...opts, knownDeviceForMs: 1000, forgetAfterMs: 100_000 });
    b.succeed('alice', 'cgnat', 'alice-phone', 0);
    for (let i = 0; i < 8; i++) b.fail('alice', 'cgnat', 1000);
    assert.equal(b.check('alice', 'cgnat', 1000, 'alice-phone').ok, false);
  });

  test('failures are forgotten after forgetAfterMs', () => {
    const b = new LoginBackoff(opts);
    for (let i = 0; i < 8; i++) b.fail('alice', 'g1', 0);
    assert.equal(b.check('alice', 'g1', 1000).ok, false);
    b.prune(3_600_000);
    // Now the account counts from zero again: 3 free failures from g1.
    for (let i = 0; i < 3; i++) b.fail('alice', 'g1', 3_600_000);
    assert.equal(b.check('alice', 'g1', 3_600_000).ok, false);
    assert.equal(b.check('alice', 'g1', 7_200_000).ok, true);
  });
});

/** A stand-in hasher: each job waits until the test finishes it. */
function manualJobs(): { job: (name: string) => () => Promise<string>; finishNext: () => Promise<void>; started: string[] } {
  const started: string[] = [];
  const pending: Array<() => void> = [];
  return {
    started,
    job: (name) => () =>
      new Promise<string>((resolve) => {
        started.push(name);
        pending.push(() => resolve(name));
      }),
    async finishNext() {
      const f = pending.shift();
      assert.ok(f, 'a job is running');
      f();
      // Let the queue hand the slot on.
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

const codeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? '?',
  );

describe('FairQueue: the password-hash line', () => {
  test('waiters are served round-robin between address groups, not first come first served', async () => {
    const q = new FairQueue({ maxConcurrent: 1, maxQueued: 100, maxQueuedPerAddress: 100, maxQueuedPerAccount: 100 });
    const m = manualJobs();
    const all: Array<Promise<string>> = [];
    all.push(q.run({ address: 'flood' }, m.job('flood-0')));
    for (let i = 1; i <= 5; i++) all.push(q.run({ address: 'flood', account: `f${i}` }, m.job(`flood-${i}`)));
    all.push(q.run({ address: 'alice-home', account: 'alice' }, m.job('alice')));
    all.push(q.run({ address: 'bob-home', account: 'bob' }, m.job('bob')));
    assert.deepEqual(q.stats(), { active: 1, queued: 7, peakActive: 1 });
    for (let i = 0; i < 8; i++) await m.finishNext();
    await Promise.all(all);
    assert.deepEqual(m.started, ['flood-0', 'flood-1', 'alice', 'bob', 'flood-2', 'flood-3', 'flood-4', 'flood-5']);
    assert.deepEqual(q.stats(), { active: 0, queued: 0, peakActive: 1 });
  });

  test('one address cannot fill the line: past its share it gets RATE_LIMITED, others still get in', async () => {
    const q = new FairQueue({ maxConcurrent: 1, maxQueued: 6, maxQueuedPerAddress: 2, maxQueuedPerAccount: 100 });
    const m = manualJobs();
    const flood = Array.from({ length: 6 }, (_, i) => codeOf(q.run({ address: 'flood', account: `a${i}` }, m.job(`flood-${i}`))));
    const alice = codeOf(q.run({ address: 'alice-home', account: 'alice' }, m.job('alice')));
    for (let i = 0; i < 4; i++) await m.finishNext();
    assert.deepEqual(await Promise.all(flood), ['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    assert.equal(await alice, 'ok');
  });

  test('one account cannot fill the line from many addresses: past its share RATE_LIMITED', async () => {
    const q = new FairQueue({ maxConcurrent: 1, maxQueued: 10, maxQueuedPerAddress: 10, maxQueuedPerAccount: 2 });
    const m = manualJobs();
    const attack = Array.from({ length: 5 }, (_, i) => codeOf(q.run({ address: `a${i}`, account: 'victim' }, m.job(`attack-${i}`))));
    const other = codeOf(q.run({ address: 'x', account: 'bob' }, m.job('bob')));
    for (let i = 0; i < 4; i++) await m.finishNext();
    assert.deepEqual(await Promise.all(attack), ['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    assert.equal(await other, 'ok');
  });

  test('strangers from many groups fill the account share, yet a group that logged in before still gets a place', async () => {
    let now = 0;
    const q = new FairQueue({ maxConcurrent: 1, maxQueued: 20, maxQueuedPerAddress: 10, maxQueuedPerAccount: 2, knownGroupForMs: 1000, now: () => now });
    q.recordSuccess({ address: 'alice-home', account: 'alice' });
    const m = manualJobs();
    const attack = Array.from({ length: 5 }, (_, i) => codeOf(q.run({ address: `stranger-${i}`, account: 'alice' }, m.job(`attack-${i}`))));
    const home = codeOf(q.run({ address: 'alice-home', account: 'alice' }, m.job('home')));
    const hotel = codeOf(q.run({ address: 'hotel', account: 'alice' }, m.job('hotel')));
    for (let i = 0; i < 4; i++) await m.finishNext();
    assert.deepEqual(await Promise.all(attack), ['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    assert.equal(await home, 'ok', 'the known group is served');
    assert.equal(await hotel, 'RATE_LIMITED', 'an unknown group of the user is not (documented)');
    // The known mark ends: the home group is a stranger again.
    now = 1000;
    const again = Array.from({ length: 3 }, (_, i) => codeOf(q.run({ address: `stranger-${i}`, account: 'alice' }, m.job(`again-${i}`))));
    const home2 = codeOf(q.run({ address: 'alice-home', account: 'alice' }, m.job('home2')));
    for (let i = 0; i < 3; i++) await m.finishNext();
    assert.deepEqual(await Promise.all(again), ['ok', 'ok', 'ok']);
    assert.equal(await home2, 'RATE_LIMITED');
  });

  test('the reserved share is as big as the open one, not unlimited', async () => {
    const q = new FairQueue({ maxConcurrent: 1, maxQueued: 20, maxQueuedPerAddress: 10, maxQueuedPerAccount: 2 });
    q.recordSuccess({ address: 'shared-nat', account: 'alice' });
    const m = manualJobs();
    const all = Array.from({ length: 6 }, (_, i) => codeOf(q.run({ address: 'shared-nat', account: 'alice' }, m.job(`j${i}`))));
    for (let i = 0; i < 5; i++) await m.finishNext();
    assert.deepEqual(await Promise.all(all), ['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED']);
  });

  test('the whole line full: SERVER_BUSY', async () => {
    const q = new FairQueue({ maxConcurrent: 1, maxQueued: 2, maxQueuedPerAddress: 10, maxQueuedPerAccount: 10 });
    const m = manualJobs();
    const all = Array.from({ length: 4 }, (_, i) => codeOf(q.run({ address: `a${i}` }, m.job(`j${i}`))));
    for (let i = 0; i < 3; i++) await m.finishNext();
    assert.deepEqual(await Promise.all(all), ['ok', 'ok', 'ok', 'SERVER_BUSY']);
  });
});
