/**
 * Wire format of the inner (end-to-end) handshake: JSON text frames on the data channel,
 * discriminated on `type`. Binary fields are base64url without padding, with exact lengths.
 * The sender is whoever is at the other end of the channel; no frame names a party.
 */
import { safeJsonParse } from '../json';
import { fromBase64UrlExact } from './bytes';
import { isDeviceId, parseSignedDeviceList, SIGNED_DEVICE_LIST_MAX_CHARS, type SignedDeviceList } from '../devices/device-list';

/** 2: the hello names the sending device and carries its account's signed device list. */
export const HS_VERSION = 2;
/** crypto_kx public key. */
export const HS_EPH_BYTES = 32;
/** Ed25519 detached signature. */
export const HS_SIG_BYTES = 64;
/** Key confirmation value (BLAKE2b-256). */
export const HS_CONFIRM_BYTES = 32;

/**
 * First frame each side sends when the channel opens: a fresh ephemeral crypto_kx key, the
 * sending device's id and its account's signed device list (the peer takes the device key from
 * it). A browser whose account has no list yet sends null for both; its signer is then the
 * account key itself.
 */
export interface HsHello {
  type: 'hs-hello';
  v: typeof HS_VERSION;
  /** 43 chars: 32-byte X25519 public key, new for every handshake. */
  eph: string;
  /** The sender's device id (22 chars), or null for a device without a list. */
  dev: string | null;
  /** The sender's account's device list, signed by the account key; null with `dev` null. */
  devices: SignedDeviceList | null;
}

/** Sent after the peer's hello: an Ed25519 signature by our identity key over the transcript. */
export interface HsAuth {
  type: 'hs-auth';
  /** 86 chars: 64-byte signature. */
  sig: string;
}

/** Sent after the peer's auth verified: proves we derived the same session keys. */
export interface HsConfirm {
  type: 'hs-confirm';
  /** 43 chars: 32-byte confirmation value, specific to our sending direction. */
  mac: string;
}

export type HandshakeMsg = HsHello | HsAuth | HsConfirm;
export type HandshakeMsgType = HandshakeMsg['type'];

/** Largest serialized handshake frame we accept: a hello with a full 16-device list fits. */
export const HS_MAX_FRAME_CHARS = SIGNED_DEVICE_LIST_MAX_CHARS * 2 + 512;

const TYPES: ReadonlySet<string> = new Set<HandshakeMsgType>(['hs-hello', 'hs-auth', 'hs-confirm']);

/** True for the `type` of a handshake frame, so a data-channel router can dispatch cheaply. */
export function isHandshakeType(type: unknown): type is HandshakeMsgType {
  return typeof type === 'string' && TYPES.has(type);
}

function hasExactKeys(o: object, keys: readonly string[]): boolean {
  const own = Object.keys(o);
  return own.length === keys.length && keys.every((k) => Object.prototype.hasOwnProperty.call(o, k));
}

/**
 * Parses one handshake frame: a JSON string or an already-parsed value. Returns null for
 * anything but an exact, well-formed frame (unknown or extra keys, wrong version, a binary
 * field of the wrong length or in non-canonical base64url). Never throws.
 */
export function parseHandshakeMsg(raw: unknown): HandshakeMsg | null {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.length > HS_MAX_FRAME_CHARS) return null;
    value = safeJsonParse(raw);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  switch (o.type) {
    case 'hs-hello':
      if (!hasExactKeys(o, ['type', 'v', 'eph', 'dev', 'devices']) || o.v !== HS_VERSION) return null;
      if (!fromBase64UrlExact(o.eph, HS_EPH_BYTES)) return null;
      if (o.dev === null && o.devices === null) return { type: 'hs-hello', v: HS_VERSION, eph: o.eph as string, dev: null, devices: null };
      {
        const devices = parseSignedDeviceList(o.devices);
        if (!isDeviceId(o.dev) || !devices) return null;
        return { type: 'hs-hello', v: HS_VERSION, eph: o.eph as string, dev: o.dev, devices: { list: devices.list, sig: devices.sig } };
      }
    case 'hs-auth':
      if (!hasExactKeys(o, ['type', 'sig']) || !fromBase64UrlExact(o.sig, HS_SIG_BYTES)) return null;
      return { type: 'hs-auth', sig: o.sig as string };
    case 'hs-confirm':
      if (!hasExactKeys(o, ['type', 'mac']) || !fromBase64UrlExact(o.mac, HS_CONFIRM_BYTES)) return null;
      return { type: 'hs-confirm', mac: o.mac as string };
    default:
      return null;
  }
}

/** The text frame to send for a handshake message (fixed key order). */
export function serializeHandshakeMsg(msg: HandshakeMsg): string {
  switch (msg.type) {
    case 'hs-hello':
      return JSON.stringify({
        type: msg.type,
        v: msg.v,
        eph: msg.eph,
        dev: msg.dev,
        devices: msg.devices && { list: msg.devices.list, sig: msg.devices.sig },
      });
    case 'hs-auth':
      return JSON.stringify({ type: msg.type, sig: msg.sig });
    case 'hs-confirm':
      return JSON.stringify({ type: msg.type, mac: msg.mac });
  }
}
