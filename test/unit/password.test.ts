import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPasswordHasher, DEFAULT_SCRYPT, formatHash, parseHash } from '../../signal-server/src/password';

const FAST = { N: 2 ** 14, r: 8, p: 1 };

describe('password hashing', () => {
  const hasher = createPasswordHasher({ scrypt: FAST });

  test('production defaults are scrypt N=2^17, r=8, p=1', () => {
    assert.deepEqual({ ...DEFAULT_SCRYPT }, { N: 2 ** 17, r: 8, p: 1 });
    assert.deepEqual({ ...createPasswordHasher().params }, { N: 2 ** 17, r: 8, p: 1 });
  });

  test('hash format is scrypt$N$r$p$salt$hash with a 16-byte salt and 32-byte hash', async () => {
    const h = await hasher.hashPassword('correct horse');
    const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(h);
    assert.ok(m, h);
    assert.deepEqual([Number(m[1]), Number(m[2]), Number(m[3])], [FAST.N, FAST.r, FAST.p]);
    assert.equal(Buffer.from(m[4] as string, 'base64url').length, 16);
    assert.equal(Buffer.from(m[5] as string, 'base64url').length, 32);
    assert.ok(!h.includes('correct horse'));
  });

  test('round trip: the right password verifies, a wrong one does not', async () => {
    const h = await hasher.hashPassword('correct horse');
    assert.equal(await hasher.verifyPassword('correct horse', h), true);
    assert.equal(await hasher.verifyPassword('correct horsE', h), false);
    assert.equal(await hasher.verifyPassword('', h), false);
    assert.equal(await hasher.verifyPassword('correct horse ', h), false);
  });

  test('unicode passwords work, in either normalisation form', async () => {
    const composed = 'pässwörd-日本語';
    const h = await hasher.hashPassword(composed);
    assert.equal(await hasher.verifyPassword(composed, h), true);
    assert.equal(await hasher.verifyPassword(composed.normalize('NFD'), h), true);
  });

  test('the same password hashes differently each time (random salt)', async () => {
    const [a, b] = await Promise.all([hasher.hashPassword('same password'), hasher.hashPassword('same password')]);
    assert.notEqual(a, b);
    assert.notEqual(parseHash(a)?.salt.toString('hex'), parseHash(b)?.salt.toString('hex'));
  });

  test('verification uses the parameters stored in the hash, not the current ones', async () => {
    const older = createPasswordHasher({ scrypt: { N: 2 ** 12, r: 8, p: 1 } });
    const h = await older.hashPassword('kept working');
    assert.equal(await hasher.verifyPassword('kept working', h), true);
  });

  test('malformed or out-of-range stored values verify as false, never throw', async () => {
    const good = await hasher.hashPassword('x-password');
    const p = parseHash(good);
    assert.ok(p);
    const tampered = [
      '',
      'plaintext',
      'bcrypt$2b$10$abc',
      'scrypt$' + good.slice('scrypt'.length), // an empty field
      formatHash({ N: 2 ** 30, r: 8, p: 1 }, p.salt, p.hash),
      formatHash({ N: 1000, r: 8, p: 1 }, p.salt, p.hash),
      good.slice(0, -5) + '!!!!!',
    ];
    for (const s of tampered) assert.equal(await hasher.verifyPassword('x-password', s), false, s);
  });

  test('dummyVerify resolves false and costs about as much as a real verify', async () => {
    const h = await hasher.hashPassword('timing');
    assert.equal(await hasher.dummyVerify('timing'), false);
    const time = async (f: () => Promise<unknown>) => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < 4; i++) await f();
      return Number(process.hrtime.bigint() - t) / 4e6;
    };
    const real = await time(() => hasher.verifyPassword('timing', h));
    const dummy = await time(() => hasher.dummyVerify('timing'));
    // Same scrypt work: within a factor of 3 either way (generous for a busy CI machine).
    assert.ok(dummy > real / 3 && dummy < real * 3, `real ${real.toFixed(1)} ms, dummy ${dummy.toFixed(1)} ms`);
    assert.ok(dummy > 1, `dummy verify did real work (${dummy.toFixed(2)} ms)`);
  });
});

describe('concurrency cap', () => {
  test('never runs more than maxConcurrent hashes at once; the rest wait and all finish', async () => {
    const h = createPasswordHasher({ scrypt: FAST, maxConcurrent: 2, maxQueued: 20 });
    let maxSeen = 0;
    const watch = setInterval(() => (maxSeen = Math.max(maxSeen, h.stats().active)), 1);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => h.hashPassword(`password-${i}`)));
    clearInterval(watch);
    assert.equal(results.length, 8);
    assert.equal(new Set(results).size, 8);
    assert.equal(h.stats().peakActive, 2);
    assert.ok(maxSeen <= 2);
    assert.deepEqual({ active: h.stats().active, queued: h.stats().queued }, { active: 0, queued: 0 });
  });

  test('a full queue rejects at once with SERVER_BUSY; capacity comes back afterwards', async () => {
    const h = createPasswordHasher({ scrypt: FAST, maxConcurrent: 1, maxQueued: 2 });
    const settled = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => h.hashPassword(`pw-${i}-long`)));
    const ok = settled.filter((s) => s.status === 'fulfilled').length;
    const busy = settled.filter((s) => s.status === 'rejected' && (s.reason as { code?: string }).code === 'SERVER_BUSY').length;
    assert.equal(ok, 3, '1 running + 2 queued');
    assert.equal(busy, 2);
    // verify and dummyVerify share the same cap.
    const stored = (settled[0] as PromiseFulfilledResult<string>).value;
    const again = await Promise.allSettled([h.verifyPassword('pw-0-long', stored), h.dummyVerify('a'), h.dummyVerify('b'), h.verifyPassword('pw-0-long', stored)]);
    assert.deepEqual(
      again.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as { code?: string }).code)),
      [true, false, false, 'SERVER_BUSY'],
    );
    assert.equal(h.stats().active, 0);
  });

  test('a matched password makes its address group known: it gets a place when strangers fill the account share', async () => {
    const h = createPasswordHasher({ scrypt: FAST, maxConcurrent: 1, maxQueued: 10, maxQueuedPerAccount: 1 });
    const stored = await h.hashPassword('right one', { address: 'elsewhere', account: 'someone' });
    const home = { address: 'home', account: 'alice' };
    assert.equal(await h.verifyPassword('right one', stored, home), true);
    const codeOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code?: string }) => e.code ?? '?');
    const running = codeOf(h.verifyPassword('guess', stored, { address: 'stranger-0', account: 'alice' }));
    const waiting = codeOf(h.verifyPassword('guess', stored, { address: 'stranger-1', account: 'alice' }));
    const refused = codeOf(h.verifyPassword('guess', stored, { address: 'stranger-2', account: 'alice' }));
    const real = codeOf(h.verifyPassword('right one', stored, home));
    assert.deepEqual(await Promise.all([running, waiting, refused, real]), ['ok', 'ok', 'RATE_LIMITED', 'ok']);
    // A wrong password does not make a group known.
    const strangerAgain = codeOf(h.verifyPassword('guess', stored, { address: 'stranger-3', account: 'alice' }));
    const stillWaiting = codeOf(h.verifyPassword('guess', stored, { address: 'stranger-2', account: 'alice' }));
    const notKnown = codeOf(h.verifyPassword('guess', stored, { address: 'stranger-0', account: 'alice' }));
    assert.deepEqual(await Promise.all([strangerAgain, stillWaiting, notKnown]), ['ok', 'ok', 'RATE_LIMITED']);
  });

  test('bad options are refused with BAD_CONFIG', () => {
    for (const opts of [{ scrypt: { N: 3000 } }, { scrypt: { N: 2 ** 22 } }, { scrypt: { r: 0 } }, { maxConcurrent: 0 }, { maxQueued: -1 }]) {
      assert.throws(() => createPasswordHasher(opts), (e: Error & { code?: string }) => e.code === 'BAD_CONFIG', JSON.stringify(opts));
    }
  });
});
