// Linking a new device (shared/devices/link-*.ts): the two pure machines run against each other
// through a relay that may rewrite frames as a hostile server would. Honest runs show the same
// code on both sides and link; a relay that swaps any key makes the codes differ and gets no
// grant through; bad commits, bad grants, a full list, too many requests and expiry are refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sodium from 'libsodium-wrappers';
import { ready, identityFromSeed, encodePublicKey, type IdentityKeyPair } from '../../shared/crypto/index';
import { toBase64Url } from '../../shared/crypto/bytes';
import { LIMITS } from '../../shared/limits';
import { parseClientMsg } from '../../shared/signal-protocol';
import {
  DEVICE_NAME_MAX,
  MAX_DEVICES,
  deviceEntry,
  deviceIdOf,
  firstDeviceList,
  signDeviceList,
  verifyDeviceList,
  withDevice,
  type DeviceList,
  type SignedDeviceList,
} from '../../shared/devices/device-list';
import { LINK_TIMEOUT_MS, parseLinkMsg, type LinkMsg } from '../../shared/devices/link-messages';
import {
  accountKeyPairFromGrant,
  freshGrantNonce,
  freshLinkSecrets,
  linkBoxKey,
  linkCode,
  linkCommit,
  linkEphemeralFromSeed,
  linkSas,
  openLinkGrant,
  sealLinkGrant,
  type LinkSecrets,
} from '../../shared/devices/link-crypto';
import {
  initialNewDeviceLinkState,
  linkDenyErrorCode,
  stepNewDeviceLink,
  type NewDeviceLinkEffect,
  type NewDeviceLinkState,
} from '../../shared/devices/link-new-device';
import {
  MAX_OPEN_LINK_REQUESTS,
  initialExistingDeviceLinkState,
  stepExistingDeviceLink,
  type ChallengeSecrets,
  type ExistingDeviceLinkEffect,
  type ExistingDeviceLinkEvent,
  type ExistingDeviceLinkState,
} from '../../shared/devices/link-existing-device';

await ready();

const ACCOUNT = 'alice';
const T0 = 1_764_460_800_000;
const seed = (n: number) => new Uint8Array(32).fill(n);
const accountKey = identityFromSeed(seed(1));
const otherAccountKey = identityFromSeed(seed(2));
const deviceE = identityFromSeed(seed(3));
const deviceN = identityFromSeed(seed(4));
const deviceM = identityFromSeed(seed(5)); // the relay's own device
const idE = deviceIdOf(deviceE.publicKey);
const idN = deviceIdOf(deviceN.publicKey);
const idM = deviceIdOf(deviceM.publicKey);

const listV1: DeviceList = firstDeviceList(ACCOUNT, deviceEntry(deviceE.publicKey, 'Chromium on Linux', T0 - 1000));
const signedV1 = signDeviceList(listV1, accountKey);

/** Deterministic secrets for one side of one attempt. */
function secrets(n: number): LinkSecrets {
  return { rid: toBase64Url(new Uint8Array(16).fill(n)), nonce: new Uint8Array(32).fill(n + 1), eph: linkEphemeralFromSeed(seed(n + 2)) };
}
const boxNonce = new Uint8Array(24).fill(9);

/** One frame on the wire between the two devices. */
interface Frame {
  to: 'N' | 'E';
  fromDevice: string;
  msg: LinkMsg;
}
/** A relay may rewrite a frame (as the server could), or drop it (null). */
type Relay = (frame: Frame) => Frame | null;
const honest: Relay = (f) => f;

/** Through JSON and the strict parser, as the real wire does. */
function wire(msg: LinkMsg): LinkMsg {
  const parsed = parseLinkMsg(JSON.parse(JSON.stringify(msg)));
  assert.ok(parsed, `parses: ${msg.type}`);
  return parsed;
}

class World {
  n: NewDeviceLinkState = initialNewDeviceLinkState();
  e: ExistingDeviceLinkState;
  nEffects: NewDeviceLinkEffect[] = [];
  eEffects: ExistingDeviceLinkEffect[] = [];
  now = T0;
  /**
   * The person on N presses "The codes match" as soon as the code shows (the tests about the
   * relay then show that E's check or E's person stops it). Off: the test confirms by hand.
   */
  autoConfirm = true;
  private queue: Frame[] = [];

  constructor(
    private readonly relay: Relay = honest,
    account: IdentityKeyPair = accountKey,
    devices: SignedDeviceList = signedV1,
    list: DeviceList = listV1,
  ) {
    this.e = initialExistingDeviceLinkState(account, devices, list);
  }

  start(name = 'Firefox on Linux'): void {
    this.stepN({ type: 'start', account: 'Alice', name, deviceKey: deviceN.publicKey, secrets: secrets(10), now: this.now });
    this.pump();
  }

  approve(deviceName?: string): void {
    const rid = this.onlyRid();
    this.stepE({ type: 'approve', rid, now: this.now, boxNonce, ...(deviceName ? { deviceName } : {}) });
    this.pump();
  }

  reject(): void {
    this.stepE({ type: 'reject', rid: this.onlyRid() });
    this.pump();
  }

  onlyRid(): string {
    const rids = [...this.e.requests.keys()];
    assert.equal(rids.length, 1);
    return rids[0]!;
  }

  stepN(event: Parameters<typeof stepNewDeviceLink>[1]): void {
    const r = stepNewDeviceLink(this.n, event);
    this.n = r.state;
    this.nEffects.push(...r.effects);
    for (const f of r.effects) if (f.type === 'send') this.queue.push({ to: 'E', fromDevice: idN, msg: wire(f.msg) });
    if (this.autoConfirm && r.effects.some((f) => f.type === 'show-code')) this.stepN({ type: 'confirm', match: true });
  }

  stepE(event: ExistingDeviceLinkEvent): void {
    const r = stepExistingDeviceLink(this.e, event);
    this.e = r.state;
    this.eEffects.push(...r.effects);
    for (const f of r.effects) if (f.type === 'send') this.queue.push({ to: 'N', fromDevice: idE, msg: wire(f.msg) });
  }

  pump(): void {
    while (this.queue.length > 0) {
      const f = this.relay(this.queue.shift()!);
      if (!f) continue;
      if (f.to === 'E') this.stepE({ type: 'message', fromDevice: f.fromDevice, msg: f.msg, now: this.now, secrets: challengeSecrets(20) });
      else this.stepN({ type: 'message', fromDevice: f.fromDevice, msg: f.msg });
    }
  }

  nCode(): string | undefined {
    return this.nEffects.flatMap((f) => (f.type === 'show-code' ? [f.code] : []))[0];
  }

  eCode(): string | undefined {
    return this.eEffects.flatMap((f) => (f.type === 'show-code' ? [f.code] : []))[0];
  }

  granted() {
    return this.nEffects.flatMap((f) => (f.type === 'granted' ? [f] : []))[0];
  }
}

function challengeSecrets(n: number): ChallengeSecrets {
  const s = secrets(n);
  return { nonce: s.nonce, eph: s.eph };
}

/** What a man in the middle holds: its own ephemeral key and nonce, device key and account key. */
const mitm = secrets(40);
const mitmEph = toBase64Url(mitm.eph.publicKey);
const mitmNonce = toBase64Url(mitm.nonce);

describe('linking: honest run', () => {
  test('both devices show the same code; approve publishes v2 naming the new device and the grant links it', () => {
    const w = new World();
    w.start();
    const code = w.nCode();
    assert.match(code ?? '', /^\d{6}$/);
    assert.equal(w.eCode(), code);
    const shown = w.eEffects.find((f) => f.type === 'show-code');
    assert.deepEqual(shown && { name: shown.name, fromDevice: shown.fromDevice }, { name: 'Firefox on Linux', fromDevice: idN });

    w.approve();
    const publish = w.eEffects.find((f) => f.type === 'publish');
    assert.ok(publish && publish.type === 'publish');
    // Published before the grant is sent.
    const order = w.eEffects.map((f) => (f.type === 'send' ? f.msg.type : f.type));
    assert.ok(order.indexOf('publish') < order.indexOf('link-grant'), order.join(','));
    assert.equal(publish.list.version, 2);
    assert.deepEqual(
      publish.list.devices.map((d) => d.id).sort(),
      [idE, idN].sort(),
    );
    assert.deepEqual(publish.list.devices.find((d) => d.id === idN), deviceEntry(deviceN.publicKey, 'Firefox on Linux', T0));
    assert.ok(verifyDeviceList(publish.devices, { accountKey: accountKey.publicKey, account: ACCOUNT, minVersion: 2 }).ok);

    const granted = w.granted();
    assert.ok(granted);
    assert.deepEqual(granted.accountKeyPair.publicKey, accountKey.publicKey);
    assert.deepEqual(granted.accountKeyPair.secretKey, accountKey.secretKey);
    assert.deepEqual(granted.devices, publish.devices);
    assert.deepEqual(granted.list, publish.list);
    assert.equal(w.n.phase, 'done');
    // E now builds on v2, and the request is closed.
    assert.equal(w.e.list.version, 2);
    assert.equal(w.e.requests.size, 0);
    assert.ok(!w.nEffects.some((f) => f.type === 'failed' || f.type === 'denied'));
    assert.ok(!w.eEffects.some((f) => f.type === 'failed'));
  });

  test('the person may rename the device on approval', () => {
    const w = new World();
    w.start();
    w.approve('  Laptop  ');
    assert.equal(w.granted()?.list.devices.find((d) => d.id === idN)?.name, 'Laptop');
  });

  test('the codes depend on the fresh values: another attempt shows another code', () => {
    const a = new World();
    a.start();
    const b = new World();
    b.stepN({ type: 'start', account: ACCOUNT, name: 'Firefox on Linux', deviceKey: deviceN.publicKey, secrets: secrets(11), now: T0 });
    b.pump();
    assert.equal(b.nCode(), b.eCode());
    assert.notEqual(a.nCode(), b.nCode());
  });

  test('the code is the big-endian uint32 of S[0..4] mod 10^6, zero-padded', () => {
    const s = new Uint8Array(32);
    assert.equal(linkCode(s), '000000');
    s.set([0, 0, 0, 7]);
    assert.equal(linkCode(s), '000007');
    s.set([0xff, 0xff, 0xff, 0xff]);
    assert.equal(linkCode(s), '967295');
    s.set([0x00, 0x0f, 0x42, 0x40]); // exactly 10^6
    assert.equal(linkCode(s), '000000');
  });

  test('reject tells the new device', () => {
    const w = new World();
    w.start();
    w.reject();
    assert.deepEqual(w.nEffects.at(-1), { type: 'denied', reason: 'rejected', code: 'LINK_REJECTED' });
    assert.equal(w.e.requests.size, 0);
    assert.ok(!w.eEffects.some((f) => f.type === 'publish'));
  });

  test('the new device giving up closes the dialog on the existing one', () => {
    const w = new World();
    w.start();
    w.stepN({ type: 'cancel' });
    w.pump();
    assert.deepEqual(w.eEffects.at(-1), { type: 'closed', rid: secrets(10).rid, reason: 'cancelled' });
    assert.equal(w.e.requests.size, 0);
  });

  test('each deny reason has its own error code', () => {
    assert.equal(linkDenyErrorCode('rejected'), 'LINK_REJECTED');
    assert.equal(linkDenyErrorCode('check-failed'), 'LINK_CHECK_FAILED');
    assert.equal(linkDenyErrorCode('busy'), 'LINK_BUSY');
    assert.equal(linkDenyErrorCode('full'), 'LINK_FULL');
  });

  test('fresh secrets have the right sizes and differ every time', () => {
    const a = freshLinkSecrets();
    const b = freshLinkSecrets();
    assert.equal(a.rid.length, 22);
    assert.equal(a.nonce.length, 32);
    assert.equal(a.eph.publicKey.length, 32);
    assert.notEqual(a.rid, b.rid);
    assert.notDeepEqual(a.nonce, b.nonce);
    assert.equal(freshGrantNonce().length, 24);
  });
});

/**
 * Ways a relay in the middle can swap keys. Each keeps the commit consistent where it must (a
 * swap the commit catches is the bad-commit case below), so E's check passes and only the codes
 * can tell.
 */
const SWAPS: { name: string; relay: Relay }[] = [
  {
    name: 'N→E: the new device’s ephemeral key (commit recomputed)',
    relay: (f) => {
      if (f.msg.type === 'link-request') return { ...f, msg: { ...f.msg, commit: toBase64Url(linkCommit(mitm.eph.publicKey, secrets(10).nonce, deviceN.publicKey)) } };
      if (f.msg.type === 'link-reveal') return { ...f, msg: { ...f.msg, eph: mitmEph } };
      return f;
    },
  },
  {
    name: 'N→E: the new device’s nonce (commit recomputed)',
    relay: (f) => {
      if (f.msg.type === 'link-request') return { ...f, msg: { ...f.msg, commit: toBase64Url(linkCommit(secrets(10).eph.publicKey, mitm.nonce, deviceN.publicKey)) } };
      if (f.msg.type === 'link-reveal') return { ...f, msg: { ...f.msg, nonce: mitmNonce } };
      return f;
    },
  },
  {
    name: 'N→E: the device key, so the relay’s own device joins (commit and sender recomputed)',
    relay: (f) => {
      if (f.to === 'E' && f.msg.type === 'link-request') {
        return { ...f, fromDevice: idM, msg: { ...f.msg, commit: toBase64Url(linkCommit(secrets(10).eph.publicKey, secrets(10).nonce, deviceM.publicKey)) } };
      }
      if (f.to === 'E' && f.msg.type === 'link-reveal') return { ...f, fromDevice: idM, msg: { ...f.msg, deviceKey: encodePublicKey(deviceM.publicKey) } };
      if (f.to === 'E') return { ...f, fromDevice: idM };
      return f;
    },
  },
  {
    name: 'E→N: the existing device’s ephemeral key',
    relay: (f) => (f.msg.type === 'link-challenge' ? { ...f, msg: { ...f.msg, eph: mitmEph } } : f),
  },
  {
    name: 'E→N: the existing device’s nonce',
    relay: (f) => (f.msg.type === 'link-challenge' ? { ...f, msg: { ...f.msg, nonce: mitmNonce } } : f),
  },
  {
    name: 'E→N: the account key',
    relay: (f) => (f.msg.type === 'link-challenge' ? { ...f, msg: { ...f.msg, accountKey: encodePublicKey(otherAccountKey.publicKey) } } : f),
  },
  {
    name: 'both ways: both ephemeral keys',
    relay: (f) => {
      if (f.msg.type === 'link-request') return { ...f, msg: { ...f.msg, commit: toBase64Url(linkCommit(mitm.eph.publicKey, secrets(10).nonce, deviceN.publicKey)) } };
      if (f.msg.type === 'link-reveal' || f.msg.type === 'link-challenge') return { ...f, msg: { ...f.msg, eph: mitmEph } };
      return f;
    },
  },
];

describe('linking: a man in the middle', () => {
  for (const { name, relay } of SWAPS) {
    test(`${name}: the codes differ, and a grant approved anyway does not link`, () => {
      const w = new World(relay);
      w.start();
      const nCode = w.nCode();
      const eCode = w.eCode();
      assert.ok(nCode && eCode, 'both sides show a code');
      assert.notEqual(nCode, eCode);
      // The person approves without comparing: the relay forwards the grant untouched.
      w.approve();
      assert.ok(w.eEffects.some((f) => f.type === 'send' && f.msg.type === 'link-grant'));
      assert.equal(w.granted(), undefined);
      assert.deepEqual(w.nEffects.at(-1), { type: 'failed', code: 'LINK_BAD_GRANT' });
    });
  }

  test('the box key each side derives differs under a swap, and equals without one', () => {
    const t = { accountKey: accountKey.publicKey, deviceKey: deviceN.publicKey, ephN: secrets(10).eph.publicKey, ephE: secrets(20).eph.publicKey, nonceN: secrets(10).nonce, nonceE: secrets(20).nonce };
    const s = linkSas(t);
    const kN = linkBoxKey(s, secrets(10).eph.secretKey, t.ephE);
    const kE = linkBoxKey(s, secrets(20).eph.secretKey, t.ephN);
    assert.ok(kN && kE);
    assert.deepEqual(kN, kE);
    const kM = linkBoxKey(s, secrets(10).eph.secretKey, mitm.eph.publicKey);
    assert.notDeepEqual(kM, kE);
  });

  test('a low-order ephemeral key gives no box key (the challenge is ignored)', () => {
    const s = linkSas({ accountKey: accountKey.publicKey, deviceKey: deviceN.publicKey, ephN: new Uint8Array(32), ephE: new Uint8Array(32), nonceN: new Uint8Array(32), nonceE: new Uint8Array(32) });
    assert.equal(linkBoxKey(s, secrets(10).eph.secretKey, new Uint8Array(32)), null);
    const w = new World((f) => (f.msg.type === 'link-challenge' ? { ...f, msg: { ...f.msg, eph: toBase64Url(new Uint8Array(32)) } } : f));
    w.start();
    assert.equal(w.nCode(), undefined);
    assert.equal(w.n.phase, 'requested');
  });

  test('a relay that changes the reveal without the commit: E shows a failed check and tells N', () => {
    const w = new World((f) => (f.msg.type === 'link-reveal' ? { ...f, msg: { ...f.msg, eph: mitmEph } } : f));
    w.start();
    assert.equal(w.eCode(), undefined, 'no code is shown for a failed check');
    assert.deepEqual(
      w.eEffects.filter((f) => f.type === 'failed'),
      [{ type: 'failed', rid: secrets(10).rid, code: 'LINK_CHECK_FAILED' }],
    );
    assert.deepEqual(w.nEffects.at(-1), { type: 'denied', reason: 'check-failed', code: 'LINK_CHECK_FAILED' });
    assert.equal(w.e.requests.size, 0);
    // Nothing can be approved afterwards.
    const r = stepExistingDeviceLink(w.e, { type: 'approve', rid: secrets(10).rid, now: T0, boxNonce });
    assert.deepEqual(r.effects, []);
  });

  test('a bad commit: E shows a failed check and N is told', () => {
    const w = new World((f) => (f.msg.type === 'link-request' ? { ...f, msg: { ...f.msg, commit: toBase64Url(new Uint8Array(32).fill(7)) } } : f));
    w.start();
    assert.ok(w.nCode(), 'N showed its code before it could know');
    assert.equal(w.eCode(), undefined);
    assert.ok(w.eEffects.some((f) => f.type === 'failed' && f.code === 'LINK_CHECK_FAILED'));
    assert.ok(w.eEffects.some((f) => f.type === 'send' && f.msg.type === 'link-deny' && f.msg.reason === 'check-failed'));
    assert.deepEqual(w.nEffects.at(-1), { type: 'denied', reason: 'check-failed', code: 'LINK_CHECK_FAILED' });
    assert.ok(!w.eEffects.some((f) => f.type === 'publish'));
  });

  test('a reveal whose device key is not the sending device’s id fails the check', () => {
    // The relay delivers N's honest frames as coming from device M: the commit opens, the id does not match.
    const w = new World((f) => (f.to === 'E' ? { ...f, fromDevice: idM } : f));
    w.start();
    assert.equal(w.eCode(), undefined);
    assert.ok(w.eEffects.some((f) => f.type === 'failed' && f.code === 'LINK_CHECK_FAILED'));
  });

  test('messages about a request from another device than the one that opened it are ignored', () => {
    let reveal: Frame | null = null;
    const w = new World((f) => {
      if (f.msg.type === 'link-reveal') {
        reveal = f;
        return { ...f, fromDevice: idM };
      }
      return f;
    });
    w.start();
    assert.ok(reveal);
    assert.equal(w.eCode(), undefined);
    assert.ok(!w.eEffects.some((f) => f.type === 'failed'));
    assert.equal(w.e.requests.size, 1, 'the honest reveal can still come');
  });
});

describe('linking: the new device checks the grant', () => {
  /** A world stopped after the codes were shown, and N's box key. */
  function revealed(): { w: World; boxKey: Uint8Array; rid: string } {
    const w = new World();
    w.start();
    assert.equal(w.n.phase, 'revealed');
    const n = w.n as Extract<NewDeviceLinkState, { phase: 'revealed' }>;
    return { w, boxKey: n.boxKey, rid: n.rid };
  }
  const listV2 = withDevice(listV1, deviceEntry(deviceN.publicKey, 'Firefox on Linux', T0));

  function deliverGrant(w: World, rid: string, box: string, fromDevice = idE): void {
    w.stepN({ type: 'message', fromDevice, msg: wire({ type: 'link-grant', rid, box }) });
  }

  test('a grant built by hand under the right key links (the harness itself is sound)', () => {
    const { w, boxKey, rid } = revealed();
    deliverGrant(w, rid, sealLinkGrant(boxKey, { accountSecretKey: toBase64Url(accountKey.secretKey), devices: signDeviceList(listV2, accountKey) }, boxNonce));
    assert.ok(w.granted());
  });

  test('a grant boxed under another key is refused', () => {
    const { w, rid } = revealed();
    deliverGrant(w, rid, sealLinkGrant(new Uint8Array(32).fill(3), { accountSecretKey: toBase64Url(accountKey.secretKey), devices: signDeviceList(listV2, accountKey) }, boxNonce));
    assert.deepEqual(w.nEffects.at(-1), { type: 'failed', code: 'LINK_BAD_GRANT' });
    assert.equal(w.granted(), undefined);
  });

  test('a grant with the secret key of another account is refused', () => {
    const { w, boxKey, rid } = revealed();
    deliverGrant(w, rid, sealLinkGrant(boxKey, { accountSecretKey: toBase64Url(otherAccountKey.secretKey), devices: signDeviceList(listV2, accountKey) }, boxNonce));
    assert.deepEqual(w.nEffects.at(-1), { type: 'failed', code: 'LINK_BAD_GRANT' });
  });

  test('a secret key whose public half was swapped for the account key is refused', () => {
    const spliced = new Uint8Array(64);
    spliced.set(otherAccountKey.secretKey.subarray(0, 32), 0);
    spliced.set(accountKey.publicKey, 32);
    assert.equal(accountKeyPairFromGrant(toBase64Url(spliced), accountKey.publicKey), null);
    assert.ok(accountKeyPairFromGrant(toBase64Url(accountKey.secretKey), accountKey.publicKey));
  });

  test('a list that does not name the new device is refused', () => {
    const { w, boxKey, rid } = revealed();
    const withoutN = withDevice(listV1, deviceEntry(deviceM.publicKey, 'Firefox on Linux', T0));
    deliverGrant(w, rid, sealLinkGrant(boxKey, { accountSecretKey: toBase64Url(accountKey.secretKey), devices: signDeviceList(withoutN, accountKey) }, boxNonce));
    assert.deepEqual(w.nEffects.at(-1), { type: 'failed', code: 'LINK_BAD_GRANT' });
  });

  test('the old list (v1, without the new device) is refused', () => {
    const { w, boxKey, rid } = revealed();
    deliverGrant(w, rid, sealLinkGrant(boxKey, { accountSecretKey: toBase64Url(accountKey.secretKey), devices: signedV1 }, boxNonce));
    assert.deepEqual(w.nEffects.at(-1), { type: 'failed', code: 'LINK_BAD_GRANT' });
  });

  test('a list signed by another key, or for another account, is refused', () => {
    for (const devices of [
      signDeviceList(listV2, otherAccountKey),
      signDeviceList({ ...listV2, account: 'mallory' }, accountKey),
    ]) {
      const { w, boxKey, rid } = revealed();
      deliverGrant(w, rid, sealLinkGrant(boxKey, { accountSecretKey: toBase64Url(accountKey.secretKey), devices }, boxNonce));
      assert.deepEqual(w.nEffects.at(-1), { type: 'failed', code: 'LINK_BAD_GRANT' });
    }
  });

  test('a box that opens but is not a grant is refused', () => {
    const { w, boxKey, rid } = revealed();
    const n = new Uint8Array(24);
    const sealed = sodium.crypto_secretbox_easy('{"accountSecretKey":"x"}', n, boxKey);
    deliverGrant(w, rid, toBase64Url(new Uint8Array([...n, ...sealed])));
    assert.deepEqual(w.nEffects.at(-1), { type: 'failed', code: 'LINK_BAD_GRANT' });
    assert.equal(openLinkGrant(boxKey, 'not base64 at all!'), null);
  });

  test('a grant from another device than the one N answered is ignored', () => {
    const { w, boxKey, rid } = revealed();
    deliverGrant(w, rid, sealLinkGrant(boxKey, { accountSecretKey: toBase64Url(accountKey.secretKey), devices: signDeviceList(listV2, accountKey) }, boxNonce), idM);
    assert.equal(w.granted(), undefined);
    assert.equal(w.n.phase, 'revealed');
  });

  test('a second challenge (another of the account’s devices) gets a deny once N revealed, and the first goes on', () => {
    const { w, boxKey } = revealed();
    const before = w.nEffects.length;
    const s = secrets(30);
    w.stepN({
      type: 'message',
      fromDevice: idM,
      msg: { type: 'link-challenge', rid: secrets(10).rid, eph: toBase64Url(s.eph.publicKey), nonce: toBase64Url(s.nonce), accountKey: encodePublicKey(accountKey.publicKey) },
    });
    assert.deepEqual(w.nEffects.slice(before), [{ type: 'send', toDevice: idM, msg: { type: 'link-deny', rid: secrets(10).rid, reason: 'rejected' } }]);
    assert.equal(w.n.phase, 'revealed');
    assert.deepEqual((w.n as Extract<NewDeviceLinkState, { phase: 'revealed' }>).boxKey, boxKey);
  });

  test('the other device’s request closes when N chose another device', () => {
    // Two existing devices answer; the relay lets N see E2's challenge after E's.
    const e2 = stepExistingDeviceLink(initialExistingDeviceLinkState(accountKey, signedV1, listV1), {
      type: 'message',
      fromDevice: idN,
      msg: wire({ type: 'link-request', rid: secrets(10).rid, name: 'Firefox on Linux', commit: toBase64Url(linkCommit(secrets(10).eph.publicKey, secrets(10).nonce, deviceN.publicKey)) }),
      now: T0,
      secrets: challengeSecrets(31),
    });
    const challenge = e2.effects.find((f) => f.type === 'send');
    assert.ok(challenge?.type === 'send');
    const w = new World();
    w.start();
    const before = w.nEffects.length;
    w.stepN({ type: 'message', fromDevice: idM, msg: wire(challenge.msg) });
    const deny = w.nEffects.slice(before).find((f) => f.type === 'send');
    assert.ok(deny?.type === 'send');
    const closed = stepExistingDeviceLink(e2.state, { type: 'message', fromDevice: idN, msg: wire(deny.msg), now: T0, secrets: challengeSecrets(32) });
    assert.deepEqual(closed.effects, [{ type: 'closed', rid: secrets(10).rid, reason: 'cancelled' }]);
    assert.equal(closed.state.requests.size, 0);
  });

  test('N gives up after the time limit', () => {
    const w = new World();
    w.start();
    w.stepN({ type: 'tick', now: T0 + LINK_TIMEOUT_MS - 1 });
    assert.equal(w.n.phase, 'revealed');
    w.stepN({ type: 'tick', now: T0 + LINK_TIMEOUT_MS });
    assert.deepEqual(w.nEffects.at(-1), { type: 'failed', code: 'LINK_EXPIRED' });
    assert.equal(w.n.phase, 'done');
  });
});

describe('linking: nothing is granted on the new device before the person confirms the codes there', () => {
  /**
   * The server answers N's request itself, as a device of the account holding a key pair of its
   * own (A'): it knows every input of S and its own ephemeral secret, so it computes K the way N
   * does and boxes a grant of A' with a list A' signed naming N.
   */
  function serverRunChallenge(w: World): void {
    const attacker = otherAccountKey;
    const ephE = mitm.eph;
    const nonceE = mitm.nonce;
    const rid = secrets(10).rid;
    w.stepN({
      type: 'message',
      fromDevice: idM,
      msg: wire({ type: 'link-challenge', rid, eph: mitmEph, nonce: mitmNonce, accountKey: encodePublicKey(attacker.publicKey) }),
    });
    const n = secrets(10);
    const sas = linkSas({ accountKey: attacker.publicKey, deviceKey: deviceN.publicKey, ephN: n.eph.publicKey, ephE: ephE.publicKey, nonceN: n.nonce, nonceE });
    const k = linkBoxKey(sas, ephE.secretKey, n.eph.publicKey);
    assert.ok(k);
    const forged = signDeviceList(firstDeviceList(ACCOUNT, deviceEntry(deviceN.publicKey, 'Firefox on Linux', T0)), attacker);
    w.stepN({ type: 'message', fromDevice: idM, msg: wire({ type: 'link-grant', rid, box: sealLinkGrant(k, { accountSecretKey: toBase64Url(attacker.secretKey), devices: forged }, boxNonce) }) });
  }

  function startAlone(): World {
    const w = new World((f) => (f.to === 'E' ? null : f)); // no honest device answers
    w.autoConfirm = false;
    w.start();
    return w;
  }

  test('a server-run challenge and grant of its own key are held, not granted, until the person confirms', () => {
    const w = startAlone();
    serverRunChallenge(w);
    assert.equal(w.granted(), undefined, 'no grant without the person confirming on this screen');
    assert.equal(w.n.phase, 'revealed');
    assert.ok(!w.nEffects.some((f) => f.type === 'failed'));
    // The person sees no device of theirs showing this code: "They differ".
    w.stepN({ type: 'confirm', match: false });
    assert.equal(w.granted(), undefined);
    assert.deepEqual(w.nEffects.slice(-2), [
      { type: 'send', toDevice: idM, msg: { type: 'link-deny', rid: secrets(10).rid, reason: 'rejected' } },
      { type: 'failed', code: 'LINK_CODES_DIFFER' },
    ]);
    assert.equal(w.n.phase, 'done');
  });

  test('an honest grant that arrives before the confirmation is taken once the person says the codes match', () => {
    const w = new World();
    w.autoConfirm = false;
    w.start();
    assert.equal(w.nCode(), w.eCode());
    w.approve();
    assert.ok(w.eEffects.some((f) => f.type === 'send' && f.msg.type === 'link-grant'), 'E sent the grant');
    assert.equal(w.granted(), undefined, 'held until confirmed');
    w.stepN({ type: 'confirm', match: true });
    const g = w.granted();
    assert.ok(g);
    assert.deepEqual(g.accountKeyPair.publicKey, accountKey.publicKey);
    assert.equal(w.n.phase, 'done');
  });

  test('confirmed first, the grant is taken when it comes', () => {
    const w = new World();
    w.autoConfirm = false;
    w.start();
    w.stepN({ type: 'confirm', match: true });
    assert.equal(w.granted(), undefined);
    w.approve();
    assert.ok(w.granted());
  });

  test('"They differ" tells the device that answered, and a grant after it is not taken', () => {
    const w = new World();
    w.autoConfirm = false;
    w.start();
    w.stepN({ type: 'confirm', match: false });
    assert.deepEqual(w.nEffects.at(-1), { type: 'failed', code: 'LINK_CODES_DIFFER' });
    const n = secrets(10);
    // E learns of the deny; a grant arriving at N anyway changes nothing.
    w.pump();
    assert.equal(w.e.requests.size, 0, 'the deny closed the request on E');
    w.stepN({ type: 'message', fromDevice: idE, msg: wire({ type: 'link-grant', rid: n.rid, box: toBase64Url(new Uint8Array(60)) }) });
    assert.equal(w.granted(), undefined);
  });

  test('a confirmation before any code was shown does nothing', () => {
    const w = startAlone();
    const before = w.nEffects.length;
    w.stepN({ type: 'confirm', match: true });
    assert.equal(w.nEffects.length, before);
    assert.equal(w.n.phase, 'requested');
  });
});

describe('linking: the existing device’s limits', () => {
  const request = (i: number): LinkMsg => ({
    type: 'link-request',
    rid: toBase64Url(new Uint8Array(16).fill(100 + i)),
    name: `Device ${i}`,
    commit: toBase64Url(new Uint8Array(32).fill(i)),
  });
  const requester = (i: number) => deviceIdOf(identityFromSeed(seed(100 + i)).publicKey);
  const message = (i: number, now = T0): ExistingDeviceLinkEvent => ({ type: 'message', fromDevice: requester(i), msg: request(i), now, secrets: challengeSecrets(20 + i) });

  function run(state: ExistingDeviceLinkState, events: ExistingDeviceLinkEvent[]) {
    const effects: ExistingDeviceLinkEffect[] = [];
    for (const e of events) {
      const r = stepExistingDeviceLink(state, e);
      state = r.state;
      effects.push(...r.effects);
    }
    return { state, effects };
  }

  test(`up to ${MAX_OPEN_LINK_REQUESTS} requests are challenged; the next is denied busy`, () => {
    const { state, effects } = run(
      initialExistingDeviceLinkState(accountKey, signedV1, listV1),
      Array.from({ length: MAX_OPEN_LINK_REQUESTS + 1 }, (_, i) => message(i)),
    );
    const sent = effects.map((f) => (f.type === 'send' ? f.msg.type : f.type));
    assert.deepEqual(sent, [...Array(MAX_OPEN_LINK_REQUESTS).fill('link-challenge'), 'link-deny']);
    const last = effects.at(-1);
    assert.ok(last?.type === 'send' && last.msg.type === 'link-deny');
    assert.equal(last.msg.reason, 'busy');
    assert.equal(last.toDevice, requester(MAX_OPEN_LINK_REQUESTS));
    assert.equal(state.requests.size, MAX_OPEN_LINK_REQUESTS);
  });

  test('the same request relayed twice is challenged once', () => {
    const { effects } = run(initialExistingDeviceLinkState(accountKey, signedV1, listV1), [message(0), message(0)]);
    assert.equal(effects.length, 1);
  });

  test(`requests expire ${LINK_TIMEOUT_MS / 60000} minutes after they arrived, freeing their place`, () => {
    const full = run(
      initialExistingDeviceLinkState(accountKey, signedV1, listV1),
      Array.from({ length: MAX_OPEN_LINK_REQUESTS }, (_, i) => message(i)),
    );
    const early = run(full.state, [{ type: 'tick', now: T0 + LINK_TIMEOUT_MS - 1 }]);
    assert.deepEqual(early.effects, []);
    const late = run(early.state, [{ type: 'tick', now: T0 + LINK_TIMEOUT_MS }]);
    assert.deepEqual(
      late.effects,
      Array.from({ length: MAX_OPEN_LINK_REQUESTS }, (_, i) => ({ type: 'closed', rid: request(i).rid, reason: 'expired' })),
    );
    assert.equal(late.state.requests.size, 0);
    const again = run(late.state, [message(9, T0 + LINK_TIMEOUT_MS)]);
    assert.ok(again.effects.some((f) => f.type === 'send' && f.msg.type === 'link-challenge'));
  });

  test('an expired request cannot be revealed or approved; a message after the limit expires it first', () => {
    const w = new World();
    w.start();
    w.now = T0 + LINK_TIMEOUT_MS;
    const rid = secrets(10).rid;
    w.stepE({ type: 'approve', rid, now: w.now, boxNonce });
    assert.deepEqual(w.eEffects.at(-1), { type: 'closed', rid, reason: 'expired' });
    assert.ok(!w.eEffects.some((f) => f.type === 'publish'));
  });

  test('a full list is denied on request, and on approval if it filled up meanwhile', () => {
    let list = listV1;
    for (let i = 1; i < MAX_DEVICES; i++) list = withDevice(list, deviceEntry(identityFromSeed(seed(60 + i)).publicKey, `D${i}`, T0));
    const signedFull = signDeviceList(list, accountKey);
    const w = new World(honest, accountKey, signedFull, list);
    w.start();
    assert.deepEqual(w.nEffects.at(-1), { type: 'denied', reason: 'full', code: 'LINK_FULL' });
    assert.equal(w.e.requests.size, 0);

    const late = new World();
    late.start();
    late.stepE({ type: 'list-changed', devices: signedFull, list });
    late.approve();
    assert.ok(late.eEffects.some((f) => f.type === 'failed' && f.code === 'LINK_FULL'));
    assert.deepEqual(late.nEffects.at(-1), { type: 'denied', reason: 'full', code: 'LINK_FULL' });
    assert.ok(!late.eEffects.some((f) => f.type === 'publish'));
  });

  test('approval builds on the newest list it was told about, never an older one', () => {
    const listV5 = { ...withDevice(listV1, deviceEntry(deviceM.publicKey, 'Tablet', T0)), version: 5 };
    const w = new World();
    w.start();
    w.stepE({ type: 'list-changed', devices: signDeviceList(listV5, accountKey), list: listV5 });
    w.stepE({ type: 'list-changed', devices: signedV1, list: listV1 });
    w.approve();
    const granted = w.granted();
    assert.equal(granted?.list.version, 6);
    assert.deepEqual(granted.list.devices.map((d) => d.id).sort(), [idE, idM, idN].sort());
  });
});

describe('link messages: strict parsing', () => {
  const rid = toBase64Url(new Uint8Array(16).fill(1));
  const k = toBase64Url(new Uint8Array(32).fill(2));
  const good: LinkMsg[] = [
    { type: 'link-request', rid, name: 'Firefox on Linux', commit: k },
    { type: 'link-challenge', rid, eph: k, nonce: k, accountKey: k },
    { type: 'link-reveal', rid, eph: k, nonce: k, deviceKey: k },
    { type: 'link-grant', rid, box: toBase64Url(new Uint8Array(60)) },
    { type: 'link-deny', rid, reason: 'busy' },
  ];

  test('each message parses, from an object or its JSON text', () => {
    for (const m of good) {
      assert.deepEqual(parseLinkMsg(m), m);
      assert.deepEqual(parseLinkMsg(JSON.stringify(m)), m);
    }
  });

  test('extra or missing keys are refused', () => {
    for (const m of good) {
      assert.equal(parseLinkMsg({ ...m, extra: 1 }), null, `${m.type} + extra`);
      for (const key of Object.keys(m)) {
        const copy: Record<string, unknown> = { ...m };
        delete copy[key];
        assert.equal(parseLinkMsg(copy), null, `${m.type} - ${key}`);
      }
    }
  });

  test('binary fields must be base64url of exactly their length, canonically spelled', () => {
    const nonCanonical = k.slice(0, 42) + 'B'; // last character carries bits past the 32 bytes
    for (const bad of [k.slice(1), k + 'A', nonCanonical, k.replace(/.$/, '+'), '']) {
      assert.equal(parseLinkMsg({ type: 'link-challenge', rid, eph: bad, nonce: k, accountKey: k }), null, bad);
      assert.equal(parseLinkMsg({ type: 'link-reveal', rid, eph: k, nonce: k, deviceKey: bad }), null, bad);
      assert.equal(parseLinkMsg({ type: 'link-request', rid, name: 'x', commit: bad }), null, bad);
    }
    assert.equal(parseLinkMsg({ type: 'link-deny', rid: k, reason: 'busy' }), null, 'a 32-byte rid');
    assert.equal(parseLinkMsg({ type: 'link-grant', rid, box: 'A'.repeat(57) }), null, 'box length 1 mod 4');
    assert.equal(parseLinkMsg({ type: 'link-grant', rid, box: 'AAAA' }), null, 'box shorter than nonce + mac');
    assert.equal(parseLinkMsg({ type: 'link-grant', rid, box: 'A/A+'.repeat(20) }), null, 'box not base64url');
  });

  test('names are 1..64 characters; reasons are the four known ones', () => {
    assert.equal(parseLinkMsg({ type: 'link-request', rid, name: '', commit: k }), null);
    assert.ok(parseLinkMsg({ type: 'link-request', rid, name: 'x'.repeat(DEVICE_NAME_MAX), commit: k }));
    assert.equal(parseLinkMsg({ type: 'link-request', rid, name: 'x'.repeat(DEVICE_NAME_MAX + 1), commit: k }), null);
    assert.equal(parseLinkMsg({ type: 'link-request', rid, name: 7, commit: k }), null);
    for (const reason of ['rejected', 'check-failed', 'busy', 'full']) assert.ok(parseLinkMsg({ type: 'link-deny', rid, reason }));
    assert.equal(parseLinkMsg({ type: 'link-deny', rid, reason: 'expired' }), null);
  });

  test('anything else is refused without throwing', () => {
    for (const x of [null, undefined, 1, 'x', '{', '[]', {}, { type: 'link-hello', rid }, '{"type":"link-deny","rid":"' + rid + '","reason":"busy","__proto__":{}}']) {
      assert.equal(parseLinkMsg(x), null, String(x));
    }
  });

  test('a grant for a full list of the longest names fits in a link frame the server relays', () => {
    let list = firstDeviceList('a'.repeat(LIMITS.usernameMax), deviceEntry(identityFromSeed(seed(200)).publicKey, '\u{ffff}'.repeat(DEVICE_NAME_MAX), Number.MAX_SAFE_INTEGER));
    for (let i = 1; i < MAX_DEVICES; i++) list = withDevice(list, deviceEntry(identityFromSeed(seed(200 + i)).publicKey, '"'.repeat(DEVICE_NAME_MAX), Number.MAX_SAFE_INTEGER));
    const devices = signDeviceList(list, accountKey);
    const box = sealLinkGrant(new Uint8Array(32), { accountSecretKey: toBase64Url(accountKey.secretKey), devices }, boxNonce);
    const data = { type: 'link-grant', rid, box };
    assert.ok(parseLinkMsg(data));
    assert.ok(parseClientMsg(JSON.stringify({ type: 'link', toDevice: idN, data })), `${JSON.stringify(data).length} characters`);
  });
});
