/**
 * The device list of an account: which browsers (devices) belong to it, signed by the account
 * key. The signalling server stores and serves it but cannot forge it; every client checks the
 * signature with the account key it pinned, and the version against the highest it has seen, so
 * an older list (one that still names an unlinked device) is refused.
 *
 * Wire form ({@link SignedDeviceList}): the list as canonical JSON text plus an Ed25519
 * signature over LP("peerchat-device-list-v1", text). Canonical means: keys in the order
 * below, devices sorted by id, no extra whitespace; {@link verifyDeviceList} re-serialises and
 * refuses anything spelled differently, so one list has exactly one signed form.
 *
 * A device id is derived from the device key (BLAKE2b-128 of it), so an id names one key and a
 * list cannot pair a known id with another key.
 */
import * as v from 'valibot';
import { safeJsonParse } from '../json';
import { LIMITS } from '../limits';
import type { IdentityKeyPair } from '../crypto/identity';
import { decodePublicKey, encodePublicKey } from '../crypto/identity';
import { assertReady, sodium } from '../crypto/sodium';
import { fromBase64UrlExact, lengthPrefixed, toBase64Url } from '../crypto/bytes';

/** Devices one account may have. */
export const MAX_DEVICES = 16;
/** Characters in a device name ("Firefox on Linux"). */
export const DEVICE_NAME_MAX = 64;
/** Bytes of a device id before base64url (22 characters after). */
export const DEVICE_ID_BYTES = 16;
/** Largest signed list on the wire: 16 devices of ~200 characters, with room to spare. */
export const SIGNED_DEVICE_LIST_MAX_CHARS = 8192;

const SIG_BYTES = 64;
const LIST_CONTEXT = 'peerchat-device-list-v1';
const ID_CONTEXT = 'peerchat-device-id-v1';

export interface DeviceEntry {
  /** {@link deviceIdOf} the key: 22 characters base64url. */
  id: string;
  /** The device's Ed25519 public key, base64url (43 characters). */
  key: string;
  /** What the person calls it, e.g. "Firefox on Linux". */
  name: string;
  /** When it was added, ms since the epoch (the adding device's clock). */
  addedAt: number;
}

export interface DeviceList {
  /** The account (username, lowercased) the list belongs to. */
  account: string;
  /** Starts at 1; every change publishes version + 1. */
  version: number;
  /** Sorted by id; ids and keys unique; 1..MAX_DEVICES entries. */
  devices: DeviceEntry[];
}

/** What the server stores and relays. Opaque to it except for the shape. */
export interface SignedDeviceList {
  /** Canonical JSON of a {@link DeviceList}. */
  list: string;
  /** base64url Ed25519 signature by the account key (86 characters). */
  sig: string;
}

export type DeviceListFailure =
  /** Not a well-formed, canonical list (shape, order, duplicates, lengths). */
  | 'DEVICE_LIST_BAD'
  /** The signature does not verify with the account key. */
  | 'DEVICE_LIST_SIGNATURE'
  /** The list names another account. */
  | 'DEVICE_LIST_ACCOUNT'
  /** Older than a version already seen: a rollback. */
  | 'DEVICE_LIST_ROLLBACK'
  /** More than MAX_DEVICES devices. */
  | 'DEVICE_LIST_TOO_MANY';

export type DeviceListCheck = { ok: true; list: DeviceList } | { ok: false; code: DeviceListFailure };

const DeviceId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{22}$/));
const SignedShape = v.strictObject({
  list: v.pipe(v.string(), v.minLength(2), v.maxLength(SIGNED_DEVICE_LIST_MAX_CHARS)),
  sig: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{86}$/)),
});
const EntryShape = v.strictObject({
  id: DeviceId,
  key: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/)),
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(DEVICE_NAME_MAX)),
  addedAt: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
});
const ListShape = v.strictObject({
  account: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.usernameMax)),
  version: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(Number.MAX_SAFE_INTEGER)),
  // Parsed beyond the cap so that "too many" is told apart from "malformed".
  devices: v.pipe(v.array(EntryShape), v.minLength(1), v.maxLength(MAX_DEVICES * 4)),
});

/** The schema for a device id on any wire (22 characters base64url). */
export const DeviceIdSchema = DeviceId;

/** The id of the device with this Ed25519 public key. */
export function deviceIdOf(deviceKey: Uint8Array): string {
  assertReady();
  return toBase64Url(sodium.crypto_generichash(DEVICE_ID_BYTES, lengthPrefixed([ID_CONTEXT, deviceKey]), null));
}

/** True if `s` has the shape of a device id. */
export function isDeviceId(s: unknown): s is string {
  return v.is(DeviceId, s);
}

/** The shape of a signed list, without checking the signature (for parsers of wire frames). */
export function parseSignedDeviceList(raw: unknown): SignedDeviceList | null {
  const r = v.safeParse(SignedShape, raw);
  return r.success ? r.output : null;
}

/** The schema of a signed list, for embedding in wire schemas (shape only). */
export const SignedDeviceListSchema = SignedShape;

/** The one canonical spelling of a list (devices sorted by id, fixed key order). */
export function canonicalDeviceList(list: DeviceList): string {
  const devices = [...list.devices]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((d) => ({ id: d.id, key: d.key, name: d.name, addedAt: d.addedAt }));
  return JSON.stringify({ account: list.account, version: list.version, devices });
}

/** Checks everything but the signature; null if the list is fine, else why not. */
function checkList(list: DeviceList): DeviceListFailure | null {
  if (list.devices.length > MAX_DEVICES) return 'DEVICE_LIST_TOO_MANY';
  const ids = new Set<string>();
  const keys = new Set<string>();
  for (const d of list.devices) {
    const key = decodePublicKey(d.key);
    if (!key || deviceIdOf(key) !== d.id) return 'DEVICE_LIST_BAD';
    if (ids.has(d.id) || keys.has(d.key)) return 'DEVICE_LIST_BAD';
    ids.add(d.id);
    keys.add(d.key);
  }
  if (list.account !== list.account.toLowerCase()) return 'DEVICE_LIST_BAD';
  return null;
}

/**
 * Signs `list` with the account key. Throws a RangeError for a list that {@link verifyDeviceList}
 * would refuse (so a bug never publishes a list nobody accepts).
 */
export function signDeviceList(list: DeviceList, account: IdentityKeyPair): SignedDeviceList {
  assertReady();
  const parsed = v.safeParse(ListShape, list);
  if (!parsed.success) throw new RangeError('device list: malformed');
  const bad = checkList(parsed.output);
  if (bad) throw new RangeError(`device list: ${bad}`);
  const text = canonicalDeviceList(parsed.output);
  if (text.length > SIGNED_DEVICE_LIST_MAX_CHARS) throw new RangeError('device list: too long');
  const sig = sodium.crypto_sign_detached(lengthPrefixed([LIST_CONTEXT, text]), account.secretKey);
  return { list: text, sig: toBase64Url(sig) };
}

export interface VerifyDeviceListOptions {
  /** The account's key as pinned (contacts) or held (own devices). */
  accountKey: Uint8Array;
  /** The account name, lowercased, the list must name. */
  account: string;
  /** The highest version seen before; an older one is refused (equal is accepted). */
  minVersion?: number;
}

/** Verifies a signed list received from anywhere (server, peer). Never throws on bad input. */
export function verifyDeviceList(signed: unknown, opts: VerifyDeviceListOptions): DeviceListCheck {
  assertReady();
  const shape = parseSignedDeviceList(signed);
  if (!shape) return { ok: false, code: 'DEVICE_LIST_BAD' };
  const sig = fromBase64UrlExact(shape.sig, SIG_BYTES);
  if (!sig || opts.accountKey.length !== 32) return { ok: false, code: 'DEVICE_LIST_BAD' };
  if (!sodium.crypto_sign_verify_detached(sig, lengthPrefixed([LIST_CONTEXT, shape.list]), opts.accountKey)) {
    return { ok: false, code: 'DEVICE_LIST_SIGNATURE' };
  }
  const parsed = v.safeParse(ListShape, safeJsonParse(shape.list));
  if (!parsed.success) return { ok: false, code: 'DEVICE_LIST_BAD' };
  const list = parsed.output;
  // Signed but not canonical (reordered, re-spaced): refused, so one list has one form.
  if (canonicalDeviceList(list) !== shape.list) return { ok: false, code: 'DEVICE_LIST_BAD' };
  const bad = checkList(list);
  if (bad) return { ok: false, code: bad };
  if (list.account !== opts.account.toLowerCase()) return { ok: false, code: 'DEVICE_LIST_ACCOUNT' };
  if (opts.minVersion !== undefined && list.version < opts.minVersion) return { ok: false, code: 'DEVICE_LIST_ROLLBACK' };
  return { ok: true, list };
}

/** The entry for a device id, if the list names it. */
export function findDevice(list: DeviceList, id: string): DeviceEntry | undefined {
  return list.devices.find((d) => d.id === id);
}

/** The next version with `entry` added (or its name and key replaced if the id is there). */
export function withDevice(list: DeviceList, entry: DeviceEntry): DeviceList {
  return { ...list, version: list.version + 1, devices: [...list.devices.filter((d) => d.id !== entry.id), entry] };
}

/** The next version without device `id`. */
export function withoutDevice(list: DeviceList, id: string): DeviceList {
  return { ...list, version: list.version + 1, devices: list.devices.filter((d) => d.id !== id) };
}

/** The next version with device `id` renamed. */
export function withDeviceName(list: DeviceList, id: string, name: string): DeviceList {
  return { ...list, version: list.version + 1, devices: list.devices.map((d) => (d.id === id ? { ...d, name } : d)) };
}

/** The first list of an account: just this device, version 1. */
export function firstDeviceList(account: string, device: DeviceEntry): DeviceList {
  return { account: account.toLowerCase(), version: 1, devices: [device] };
}

/** A device entry for a key (id derived from it). */
export function deviceEntry(deviceKey: Uint8Array, name: string, addedAt: number): DeviceEntry {
  return { id: deviceIdOf(deviceKey), key: encodePublicKey(deviceKey), name: name.slice(0, DEVICE_NAME_MAX) || 'Device', addedAt };
}

export interface DeviceListDiff {
  added: DeviceEntry[];
  removed: DeviceEntry[];
}

/** What changed between two versions of one account's list (for "bob added a device"). */
export function diffDeviceLists(before: DeviceList | null, after: DeviceList): DeviceListDiff {
  const old = new Map((before?.devices ?? []).map((d) => [d.id, d]));
  const now = new Map(after.devices.map((d) => [d.id, d]));
  return {
    added: after.devices.filter((d) => !old.has(d.id)),
    removed: [...old.values()].filter((d) => !now.has(d.id)),
  };
}
