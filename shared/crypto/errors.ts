/**
 * Typed failures of the crypto core. Callers branch on `code` (stable, tested), never on the
 * message. Every failure of an authenticity check means "close the session": the UI should
 * say the connection could not be verified, not retry silently.
 */
export const CRYPTO_ERROR_CODES = [
  /** libsodium was used before `await ready()`. A programming error. */
  'NOT_READY',
  /** createHandshake() got options it cannot work with (bad key length, empty name or fp). */
  'HS_BAD_INPUT',
  /** A handshake frame did not parse (wrong type, field, length or encoding). */
  'HS_BAD_MESSAGE',
  /** A valid handshake frame arrived in a state that does not expect it. */
  'HS_UNEXPECTED',
  /** The peer's hello carried our own ephemeral key: someone is reflecting our frames. */
  'HS_REFLECTED',
  /** The peer's ephemeral key is unusable for key exchange (e.g. a low-order point). */
  'HS_BAD_KEY',
  /** The peer's signature over the transcript does not verify with the pinned identity key. */
  'HS_BAD_SIGNATURE',
  /** The peer's key confirmation does not match: the two sides did not derive the same keys. */
  'HS_BAD_CONFIRM',
  /** The handshake already failed or was aborted; it cannot be used again. */
  'HS_ABORTED',
  /** A sealed chat frame failed authentication, or came out of order, or after the end. */
  'SEAL_REJECTED',
  /** seal() after end(): the sending stream is closed. */
  'SEAL_CLOSED',
  /** The sealed frame would exceed the data-channel frame limit. */
  'SEAL_TOO_LARGE',
  /** A sealer/opener was created with a key of the wrong length. */
  'SEAL_BAD_INPUT',
  /** A sealed file chunk failed authentication (tampered, wrong index, wrong file, wrong key). */
  'CHUNK_REJECTED',
  /** Chunk sealing got a bad key, fileId or index. A programming error. */
  'CHUNK_BAD_INPUT',
  /** The file hasher was used after its digest was taken. */
  'HASH_FINALIZED',
  /** Safety number inputs were malformed (key length, empty name). */
  'SAFETY_BAD_INPUT',
  /**
   * The peer's hello names no device its account's list (signed by the pinned account key, not
   * older than one seen) holds, or another device than the one signalled, or has no list once
   * one was seen for that account.
   */
  'HS_BAD_DEVICE',
] as const;

export type CryptoErrorCode = (typeof CRYPTO_ERROR_CODES)[number];

/** The one error class the crypto core throws on purpose. */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, detail?: string) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'CryptoError';
    this.code = code;
  }
}

/** True when `e` is a CryptoError, optionally with the given code. */
export function isCryptoError(e: unknown, code?: CryptoErrorCode): e is CryptoError {
  return e instanceof CryptoError && (code === undefined || e.code === code);
}
