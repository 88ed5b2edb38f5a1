/**
 * Small byte helpers shared by the crypto core: strict base64url, UTF-8, length-prefixed
 * encoding for hashed transcripts, hex. Browser- and Node-safe (no Buffer).
 */
import { sodium } from './sodium';

const B64URL_RE = /^[A-Za-z0-9_-]*$/;
const encoder = new TextEncoder();

/** base64url without padding (RFC 4648 §5), as used for every binary field on our wires. */
export function toBase64Url(bytes: Uint8Array): string {
  return sodium.to_base64(bytes, sodium.base64_variants.URLSAFE_NO_PADDING);
}

/**
 * Decodes base64url without padding, only if it decodes to exactly `byteLength` bytes and is
 * the canonical encoding of them (so one value has one spelling: nothing to malleate).
 */
export function fromBase64UrlExact(s: unknown, byteLength: number): Uint8Array | null {
  if (typeof s !== 'string') return null;
  if (s.length !== Math.ceil((byteLength * 4) / 3) || !B64URL_RE.test(s)) return null;
  let out: Uint8Array;
  try {
    out = sodium.from_base64(s, sodium.base64_variants.URLSAFE_NO_PADDING);
  } catch {
    return null;
  }
  if (out.length !== byteLength || toBase64Url(out) !== s) return null;
  return out;
}

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * Unambiguous concatenation: each field is written as a 4-byte big-endian length followed by
 * its bytes. Used for everything that is hashed or signed, so that moving bytes between
 * adjacent fields ("ab"+"c" vs "a"+"bc") always changes the encoding.
 */
export function lengthPrefixed(fields: readonly (Uint8Array | string)[]): Uint8Array {
  const parts = fields.map((f) => (typeof f === 'string' ? utf8(f) : f));
  let total = 0;
  for (const p of parts) total += 4 + p.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let off = 0;
  for (const p of parts) {
    view.setUint32(off, p.length);
    out.set(p, off + 4);
    off += 4 + p.length;
  }
  return out;
}

/** Writes `n` (an integer 0 ≤ n ≤ 2^53−1) as 8 bytes big-endian at `off`. */
export function writeUint64BE(target: Uint8Array, off: number, n: number): void {
  const hi = Math.floor(n / 0x1_0000_0000);
  const lo = n >>> 0;
  for (let i = 0; i < 4; i++) {
    target[off + i] = (hi >>> (24 - 8 * i)) & 0xff;
    target[off + 4 + i] = (lo >>> (24 - 8 * i)) & 0xff;
  }
}

/** Constant-time equality of two byte arrays (false when lengths differ). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && sodium.memcmp(a, b);
}

export function toHex(bytes: Uint8Array): string {
  return sodium.to_hex(bytes);
}
