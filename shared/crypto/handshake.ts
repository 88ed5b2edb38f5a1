/**
 * The inner handshake run over every new data channel, as a pure state machine (no I/O, no
 * timers: the caller moves frames and enforces a deadline).
 *
 * Why it exists: the signalling server relays the SDP, DTLS fingerprints included, so it could
 * sit in the middle of DTLS. This handshake authenticates the peer with its pinned Ed25519
 * identity key and binds what each side saw (names, identity keys, fresh ephemeral keys, the
 * DTLS fingerprints of the SDP actually applied) into one transcript hash T. Any difference
 * between the two sides' views makes the signatures fail.
 *
 * Devices: an account is a set of devices. Contacts pin the ACCOUNT key; each device signs with
 * its own DEVICE key, which the peer takes from the account's device list (signed by the account
 * key, versioned) carried in the hello. The receiver verifies that list with the pinned account
 * key, refuses a version older than the highest it has seen (rollback), requires the hello's
 * device id to be in it (and to be the device the signalling named), and verifies the signature
 * with that entry's key. A browser whose account has no list yet sends `dev: null, devices:
 * null` and signs with the account key itself; that is refused once a list was seen for the
 * account (an unlinked device could otherwise keep talking).
 *
 * Flow, symmetric (both sides run it at once over an ordered channel):
 *   start()           → send hs-hello  { eph, dev, devices }  fresh crypto_kx key: forward secrecy
 *   receive(hello)    → send hs-auth   { sig }        Ed25519 (device key) over (role ‖ T)
 *   receive(auth)     → send hs-confirm{ mac }        proves we derived the same keys
 *   receive(confirm)  → done: { txKey, rxKey, transcriptHash }; `peer` names the verified device
 * Any failure throws a CryptoError with a stable code and kills the handshake; the caller must
 * then close the connection.
 *
 * Transcript, independent of which side computes it (ordered by role):
 *   T = BLAKE2b-256(LP("peerchat-hs-v2", nameI, nameR, accountKeyI, accountKeyR, deviceKeyI,
 *                      deviceKeyR, H(listI, sigI), H(listR, sigR), ephI, ephR, fpI, fpR))
 * where LP is 4-byte length-prefixed concatenation, H(list, sig) = BLAKE2b-256(LP(list, sig))
 * (both empty without a list; the device key is then the account key) and names are lowercased
 * (usernames are unique ignoring case). Key schedule, per direction d ∈ {"i2r","r2i"}:
 *   raw_d     = crypto_kx_{client,server}_session_keys (initiator = client)
 *   key_d     = BLAKE2b-256(LP("peerchat-hs-key-v1", d, T), key = raw_d)
 *   confirm_d = BLAKE2b-256(LP("peerchat-hs-confirm-v1", d, T), key = key_d)
 * A side sends confirm of its own direction and checks the peer's direction, so a confirm
 * reflected back to its sender never matches. Signatures name the signer's role for the same
 * reason.
 */
import type { IdentityKeyPair } from './identity';
import type { HandshakeMsg, HsHello } from './handshake-messages';
import { HS_CONFIRM_BYTES, HS_EPH_BYTES, HS_SIG_BYTES, HS_VERSION, parseHandshakeMsg } from './handshake-messages';
import { CryptoError, type CryptoErrorCode } from './errors';
import { assertReady, sodium } from './sodium';
import { bytesEqual, fromBase64UrlExact, lengthPrefixed, toBase64Url } from './bytes';
import { decodePublicKey } from './identity';
import { findDevice, isDeviceId, verifyDeviceList, type DeviceList, type SignedDeviceList } from '../devices/device-list';

export type HandshakeRole = 'initiator' | 'responder';

export interface HandshakeOptions {
  /** The side that created the WebRTC offer is the initiator; the answerer is the responder. */
  role: HandshakeRole;
  myName: string;
  peerName: string;
  /** The key this device signs with: its device key (the account key itself without a list). */
  myIdentity: IdentityKeyPair;
  /** Our account's public key; without it, myIdentity's (a device without a list). */
  myAccountKey?: Uint8Array;
  /** Our device id and our account's signed list naming it (null: no list yet). */
  myDevice?: { id: string; devices: SignedDeviceList } | null;
  /** The peer's ACCOUNT key as pinned on first contact (not as it claims now). */
  peerIdentityKey: Uint8Array;
  /** The device the signalling named at the other end; the hello must name the same one. */
  peerDeviceId?: string | null;
  /** The highest version of the peer's device list seen so far (older is refused; > 0 refuses a hello without a list). */
  peerMinVersion?: number;
  /** parseSdpFingerprints() of our applied local description. */
  myFingerprint: string;
  /** parseSdpFingerprints() of the applied remote description. */
  peerFingerprint: string;
}

/** Keys of one session. Give them only to createSealer/createOpener and deriveFileKey. */
export interface SessionKeys {
  /** Our sending key (the peer's rxKey). 32 bytes. */
  txKey: Uint8Array;
  /** Our receiving key (the peer's txKey). 32 bytes. */
  rxKey: Uint8Array;
  /** T, 32 bytes; equal on both sides. Useful as a session id in logs (it is not secret). */
  transcriptHash: Uint8Array;
}

/** Who the peer turned out to be, once its hello verified. */
export interface PeerDevice {
  /** Its device id, or null for a device without a list (signing with the account key). */
  deviceId: string | null;
  /** Its account's verified device list (the caller keeps the highest version). */
  devices: DeviceList | null;
  /** The same list as signed, to store and pass on. */
  signed: SignedDeviceList | null;
}

export interface HandshakeStep {
  /** Frame to send to the peer now, if any. */
  send: HandshakeMsg | null;
  /** Set on the step that completes the handshake. */
  done: SessionKeys | null;
}

export type HandshakeState = 'new' | 'awaiting-hello' | 'awaiting-auth' | 'awaiting-confirm' | 'done' | 'failed';

export interface Handshake {
  readonly role: HandshakeRole;
  readonly state: HandshakeState;
  /** The peer's device, once its hello verified (trust it only once the handshake is done). */
  readonly peer: PeerDevice | null;
  /** Creates our hello. Call exactly once, when the channel opens, before receive(). */
  start(): HsHello;
  /**
   * Feeds one frame from the peer (a raw text frame or a parsed message; it is validated
   * either way). Throws CryptoError (HS_*) on any problem, after which the handshake is dead.
   */
  receive(frame: HandshakeMsg | string): HandshakeStep;
  /** Kills the handshake and wipes its secrets (e.g. on timeout or channel close). */
  abort(): void;
}

const MAX_NAME_CHARS = 256;
const MAX_FP_CHARS = 4096;

export function createHandshake(opts: HandshakeOptions): Handshake {
  assertReady();
  checkOptions(opts);
  const role = opts.role;
  const isInitiator = role === 'initiator';
  const peerRole: HandshakeRole = isInitiator ? 'responder' : 'initiator';
  const myDir = isInitiator ? 'i2r' : 'r2i';
  const peerDir = isInitiator ? 'r2i' : 'i2r';
  const myName = opts.myName.toLowerCase();
  const peerName = opts.peerName.toLowerCase();
  const peerAccountKey = opts.peerIdentityKey.slice();
  const myAccountKey = (opts.myAccountKey ?? opts.myIdentity.publicKey).slice();
  const myDevice = opts.myDevice ?? null;
  let peerDeviceKey: Uint8Array | null = null;
  let peer: PeerDevice | null = null;

  let state: HandshakeState = 'new';
  let ephPk: Uint8Array | null = null;
  let ephSk: Uint8Array | null = null;
  let transcript: Uint8Array | null = null;
  let txKey: Uint8Array | null = null;
  let rxKey: Uint8Array | null = null;
  let myConfirm: Uint8Array | null = null;
  let peerConfirm: Uint8Array | null = null;

  function wipe(keepSessionKeys: boolean): void {
    for (const b of [ephSk, myConfirm, peerConfirm]) if (b) sodium.memzero(b);
    if (!keepSessionKeys) for (const b of [txKey, rxKey]) if (b) sodium.memzero(b);
    ephSk = myConfirm = peerConfirm = null;
    txKey = rxKey = null;
  }

  function markFailed(): void {
    state = 'failed';
    wipe(false);
  }

  function fail(code: CryptoErrorCode, detail?: string): never {
    markFailed();
    throw new CryptoError(code, detail);
  }

  /** The peer's device key from its hello, after every device check; fails otherwise. */
  function peerDeviceFrom(hello: HsHello): { key: Uint8Array; peer: PeerDevice } {
    if (hello.dev === null || hello.devices === null) {
      // Signed by the account key itself, which every device of the account holds; the
      // signalling may already name the device (its list not known to it yet).
      if ((opts.peerMinVersion ?? 0) > 0) return fail('HS_BAD_DEVICE', 'no device list, but one was seen for this account');
      return { key: peerAccountKey, peer: { deviceId: null, devices: null, signed: null } };
    }
    if (opts.peerDeviceId && hello.dev !== opts.peerDeviceId) return fail('HS_BAD_DEVICE', 'another device than the one signalled');
    if (myDevice && hello.dev === myDevice.id) return fail('HS_REFLECTED', 'peer hello names our own device');
    const check = verifyDeviceList(hello.devices, {
      accountKey: peerAccountKey,
      account: peerName,
      ...(opts.peerMinVersion !== undefined ? { minVersion: opts.peerMinVersion } : {}),
    });
    if (!check.ok) return fail('HS_BAD_DEVICE', check.code);
    const entry = findDevice(check.list, hello.dev);
    const key = entry ? decodePublicKey(entry.key) : null;
    if (!key) return fail('HS_BAD_DEVICE', 'the device is not in its account list');
    return { key, peer: { deviceId: hello.dev, devices: check.list, signed: hello.devices } };
  }

  function onHello(hello: HsHello): HandshakeStep {
    const peerEph = fromBase64UrlExact(hello.eph, HS_EPH_BYTES);
    if (!peerEph || !ephPk || !ephSk) return fail('HS_BAD_MESSAGE');
    if (bytesEqual(peerEph, ephPk)) return fail('HS_REFLECTED', 'peer hello carries our own ephemeral key');
    const found = peerDeviceFrom(hello);
    peerDeviceKey = found.key;
    peer = found.peer;
    const mine = [myName, myAccountKey, opts.myIdentity.publicKey, listHash(myDevice?.devices ?? null), ephPk, opts.myFingerprint] as const;
    const theirs = [peerName, peerAccountKey, peerDeviceKey, listHash(hello.devices), peerEph, opts.peerFingerprint] as const;
    const [i, r] = isInitiator ? [mine, theirs] : [theirs, mine];
    const t = sodium.crypto_generichash(
      32,
      lengthPrefixed(['peerchat-hs-v2', i[0], r[0], i[1], r[1], i[2], r[2], i[3], r[3], i[4], r[4], i[5], r[5]]),
      null,
    );
    transcript = t;

    let raw: { sharedRx: Uint8Array; sharedTx: Uint8Array };
    try {
      raw = isInitiator
        ? sodium.crypto_kx_client_session_keys(ephPk, ephSk, peerEph)
        : sodium.crypto_kx_server_session_keys(ephPk, ephSk, peerEph);
    } catch {
      return fail('HS_BAD_KEY', 'peer ephemeral key rejected by key exchange');
    }
    txKey = sodium.crypto_generichash(32, lengthPrefixed(['peerchat-hs-key-v1', myDir, t]), raw.sharedTx);
    rxKey = sodium.crypto_generichash(32, lengthPrefixed(['peerchat-hs-key-v1', peerDir, t]), raw.sharedRx);
    sodium.memzero(raw.sharedTx);
    sodium.memzero(raw.sharedRx);
    myConfirm = sodium.crypto_generichash(32, lengthPrefixed(['peerchat-hs-confirm-v1', myDir, t]), txKey);
    peerConfirm = sodium.crypto_generichash(32, lengthPrefixed(['peerchat-hs-confirm-v1', peerDir, t]), rxKey);

    const sig = sodium.crypto_sign_detached(signedMessage(role, t), opts.myIdentity.secretKey);
    state = 'awaiting-auth';
    return { send: { type: 'hs-auth', sig: toBase64Url(sig) }, done: null };
  }

  function onAuth(sigB64: string): HandshakeStep {
    const sig = fromBase64UrlExact(sigB64, HS_SIG_BYTES);
    if (!sig || !transcript || !myConfirm || !peerDeviceKey) return fail('HS_BAD_MESSAGE');
    if (!sodium.crypto_sign_verify_detached(sig, signedMessage(peerRole, transcript), peerDeviceKey)) {
      return fail('HS_BAD_SIGNATURE', 'transcript signature does not verify with the device key from the list');
    }
    state = 'awaiting-confirm';
    return { send: { type: 'hs-confirm', mac: toBase64Url(myConfirm) }, done: null };
  }

  function onConfirm(macB64: string): HandshakeStep {
    const mac = fromBase64UrlExact(macB64, HS_CONFIRM_BYTES);
    if (!mac || !peerConfirm || !txKey || !rxKey || !transcript) return fail('HS_BAD_MESSAGE');
    if (!bytesEqual(mac, peerConfirm)) return fail('HS_BAD_CONFIRM', 'peer did not derive the same session keys');
    const done: SessionKeys = { txKey, rxKey, transcriptHash: transcript };
    state = 'done';
    wipe(true);
    return { send: null, done };
  }

  return {
    role,
    get state() {
      return state;
    },
    get peer() {
      return peer;
    },
    start(): HsHello {
      if (state === 'failed') throw new CryptoError('HS_ABORTED');
      if (state !== 'new') return fail('HS_UNEXPECTED', 'start() called twice');
      const kp = sodium.crypto_kx_keypair();
      ephPk = kp.publicKey;
      ephSk = kp.privateKey;
      state = 'awaiting-hello';
      return {
        type: 'hs-hello',
        v: HS_VERSION,
        eph: toBase64Url(ephPk),
        dev: myDevice?.id ?? null,
        devices: myDevice ? { list: myDevice.devices.list, sig: myDevice.devices.sig } : null,
      };
    },
    receive(frame: HandshakeMsg | string): HandshakeStep {
      if (state === 'failed') throw new CryptoError('HS_ABORTED');
      try {
        const msg = parseHandshakeMsg(frame);
        if (!msg) return fail('HS_BAD_MESSAGE');
        if (state === 'awaiting-hello' && msg.type === 'hs-hello') return onHello(msg);
        if (state === 'awaiting-auth' && msg.type === 'hs-auth') return onAuth(msg.sig);
        if (state === 'awaiting-confirm' && msg.type === 'hs-confirm') return onConfirm(msg.mac);
        return fail('HS_UNEXPECTED', `${msg.type} in state ${state}`);
      } catch (e) {
        // Whatever went wrong (including an unexpected libsodium throw), the handshake is over.
        markFailed();
        throw e;
      }
    },
    abort(): void {
      if (state !== 'done') markFailed();
    },
  };
}

/** Binds a device list as signed (empty for none) into the transcript. */
function listHash(signed: SignedDeviceList | null): Uint8Array {
  return sodium.crypto_generichash(32, lengthPrefixed([signed?.list ?? '', signed?.sig ?? '']), null);
}

/** What each side signs: its own role and T, under a context string of its own. */
function signedMessage(signer: HandshakeRole, t: Uint8Array): Uint8Array {
  return lengthPrefixed(['peerchat-hs-auth-v1', signer, t]);
}

function checkOptions(o: HandshakeOptions): void {
  const bad = (why: string): never => {
    throw new CryptoError('HS_BAD_INPUT', why);
  };
  if (o.role !== 'initiator' && o.role !== 'responder') bad('role');
  for (const name of [o.myName, o.peerName]) {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_CHARS) bad('name');
  }
  for (const fp of [o.myFingerprint, o.peerFingerprint]) {
    if (typeof fp !== 'string' || fp.length === 0 || fp.length > MAX_FP_CHARS) bad('fingerprint');
  }
  const { publicKey, secretKey } = o.myIdentity;
  if (publicKey.length !== 32 || secretKey.length !== 64) bad('identity key pair length');
  if (!bytesEqual(secretKey.subarray(32), publicKey)) bad('identity key pair mismatch');
  if (o.peerIdentityKey.length !== 32) bad('peer identity key length');
  if (o.myAccountKey !== undefined && o.myAccountKey.length !== 32) bad('account key length');
  if (o.myDevice && !isDeviceId(o.myDevice.id)) bad('device id');
  if (!o.myDevice && o.myAccountKey !== undefined && !bytesEqual(o.myAccountKey, publicKey)) bad('a device without a list signs with the account key');
}
