/**
 * The encrypted backup file: layout, header, and the key derivation.
 *
 * Layout (all integers big-endian):
 *   16 bytes  magic "PEERCHAT-BACKUP\n" (so `head -1` names the file)
 *    1 byte   format version (BACKUP_FORMAT_VERSION)
 *    2 bytes  header length H (at most MAX_HEADER_BYTES)
 *    H bytes  header, UTF-8 JSON: { kdf: "PBKDF2-SHA-256", iterations, salt, check, chunkBytes, createdAt }
 *   24 bytes  crypto_secretstream_xchacha20poly1305 header
 *   then frames: 4-byte length L, then L bytes of secretstream ciphertext (a plaintext chunk of at
 *            most chunkBytes + 17 bytes); the last frame is tagged FINAL, and nothing follows it.
 *
 * Key: PBKDF2-HMAC-SHA-256 of the passphrase (Unicode NFC, UTF-8) with the header's 16-byte salt
 * and iteration count gives a 32-byte master key; BLAKE2b keyed with it derives the stream key
 * and a 16-byte check value stored in the header, so a wrong passphrase is told apart from a
 * damaged file before any decryption. The first frame authenticates everything before the
 * stream header (magic, version, header) as additional data: a changed header is refused.
 *
 * Why PBKDF2: libsodium's Argon2id (crypto_pwhash) is only in its sumo build, which would add
 * about 0.5 MB to the app for this one use; WebCrypto's PBKDF2 is in every browser and in Node
 * 20 with no extra code. At 600,000 iterations (OWASP's 2023 figure for PBKDF2-SHA-256) it costs
 * about a quarter to half a second on a laptop; being not memory-hard, it relies on the
 * passphrase's own strength more than Argon2id would, so the app asks for a long passphrase.
 */
import * as v from 'valibot';
import { PeerchatError } from '../errors';
import { safeJsonParse } from '../json';
import { fromBase64UrlExact, lengthPrefixed, toBase64Url } from '../crypto/bytes';
import { sodium } from '../crypto/sodium';

export const BACKUP_MAGIC = 'PEERCHAT-BACKUP\n';
export const BACKUP_FORMAT_VERSION = 1;
export const MAX_HEADER_BYTES = 1024;
export const SALT_BYTES = 16;
export const CHECK_BYTES = 16;
/** Default PBKDF2 iterations for a new backup. */
export const DEFAULT_ITERATIONS = 600_000;
/** The fewest iterations a backup may be made (or read) with, and the most (a file cannot make us spin for hours). */
export const MIN_ITERATIONS = 100_000;
export const MAX_ITERATIONS = 10_000_000;
/** Plaintext bytes per sealed chunk. */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
export const MAX_CHUNK_BYTES = 1024 * 1024;
/** Shortest passphrase accepted for a new backup (in characters). */
export const MIN_PASSPHRASE_CHARS = 10;

const B64 = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+$/));
const HeaderSchema = v.strictObject({
  kdf: v.literal('PBKDF2-SHA-256'),
  iterations: v.pipe(v.number(), v.integer(), v.minValue(MIN_ITERATIONS), v.maxValue(MAX_ITERATIONS)),
  salt: B64,
  check: B64,
  chunkBytes: v.pipe(v.number(), v.integer(), v.minValue(1024), v.maxValue(MAX_CHUNK_BYTES)),
  createdAt: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

export interface BackupHeader {
  iterations: number;
  salt: Uint8Array;
  check: Uint8Array;
  chunkBytes: number;
  createdAt: number;
}

const encoder = new TextEncoder();

/** The bytes before the stream header: magic, version, header length, header JSON. */
export function encodePreamble(h: BackupHeader): Uint8Array {
  const json = encoder.encode(
    JSON.stringify({ kdf: 'PBKDF2-SHA-256', iterations: h.iterations, salt: toBase64Url(h.salt), check: toBase64Url(h.check), chunkBytes: h.chunkBytes, createdAt: h.createdAt }),
  );
  const magic = encoder.encode(BACKUP_MAGIC);
  const out = new Uint8Array(magic.length + 3 + json.length);
  out.set(magic, 0);
  out[magic.length] = BACKUP_FORMAT_VERSION;
  out[magic.length + 1] = json.length >> 8;
  out[magic.length + 2] = json.length & 0xff;
  out.set(json, magic.length + 3);
  return out;
}

/** Parses the header JSON. Throws BACKUP_DAMAGED when it is not a valid header. */
export function parseHeader(json: Uint8Array): BackupHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw new PeerchatError('BACKUP_DAMAGED');
  }
  const r = v.safeParse(HeaderSchema, safeJsonParse(text));
  if (!r.success) throw new PeerchatError('BACKUP_DAMAGED');
  const salt = fromBase64UrlExact(r.output.salt, SALT_BYTES);
  const check = fromBase64UrlExact(r.output.check, CHECK_BYTES);
  if (!salt || !check) throw new PeerchatError('BACKUP_DAMAGED');
  return { iterations: r.output.iterations, salt, check, chunkBytes: r.output.chunkBytes, createdAt: r.output.createdAt };
}

/** PBKDF2-HMAC-SHA-256 (WebCrypto) of the passphrase: the 32-byte master key. */
export async function deriveMasterKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new PeerchatError('BACKUP_UNAVAILABLE');
  const base = await subtle.importKey('raw', encoder.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations }, base, 256);
  return new Uint8Array(bits);
}

/** The stream key and the check value, both from the master key (BLAKE2b keyed, domain-separated). */
export function subkeys(master: Uint8Array): { streamKey: Uint8Array; check: Uint8Array } {
  return {
    streamKey: sodium.crypto_generichash(32, lengthPrefixed(['peerchat-backup-stream-v1']), master),
    check: sodium.crypto_generichash(CHECK_BYTES, lengthPrefixed(['peerchat-backup-check-v1']), master),
  };
}
