/**
 * Sealing of chat and control frames: one crypto_secretstream_xchacha20poly1305 stream per
 * direction, keyed from the session's txKey (sender) / rxKey (receiver). The stream's internal
 * counter makes every frame depend on all frames before it, so a dropped, replayed, reordered
 * or altered frame fails to open, and so does every frame after it.
 *
 * Framing: the first sealed frame is the 24-byte stream header followed by the first
 * ciphertext; every later frame is ciphertext only (plaintext + 17 bytes). One data-channel
 * message carries exactly one sealed frame.
 */
import { LIMITS } from '../limits';
import { CryptoError } from './errors';
import { assertReady, sodium } from './sodium';
import { lengthPrefixed } from './bytes';

/** crypto_secretstream_xchacha20poly1305_HEADERBYTES. */
export const CHAT_HEADER_BYTES = 24;
/** crypto_secretstream_xchacha20poly1305_ABYTES: per-frame overhead. */
export const CHAT_FRAME_OVERHEAD_BYTES = 17;
/** Largest plaintext that seal() accepts, so that any sealed frame fits one data-channel message. */
export const MAX_CHAT_PLAINTEXT_BYTES = LIMITS.maxPeerFrameBytes - CHAT_HEADER_BYTES - CHAT_FRAME_OVERHEAD_BYTES;

const TAG_MESSAGE = 0; // crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
const TAG_FINAL = 3; // crypto_secretstream_xchacha20poly1305_TAG_FINAL

export interface Sealer {
  /** Seals one frame. The first call's output starts with the stream header. */
  seal(plaintext: Uint8Array): Uint8Array;
  /**
   * Seals an empty frame tagged FINAL and closes the stream (later seal() throws SEAL_CLOSED).
   * Send it before a deliberate close so the peer can tell a clean end from a truncation.
   */
  end(): Uint8Array;
  readonly closed: boolean;
}

export interface Opener {
  /**
   * Opens the next frame and returns its plaintext. Throws SEAL_REJECTED on any tampering,
   * replay, reordering, drop, or a frame after the FINAL one; after the first failure every
   * later call throws too (the stream cannot resynchronise, and must not).
   */
  open(frame: Uint8Array): Uint8Array;
  /** True once the peer's FINAL frame was opened: the stream ended cleanly. */
  readonly ended: boolean;
  /** True once a frame was rejected. The session must be closed. */
  readonly failed: boolean;
}

/** Stream key for chat frames, separated from the other uses of the session key. */
function streamKey(sessionKey: Uint8Array): Uint8Array {
  if (sessionKey.length !== 32) throw new CryptoError('SEAL_BAD_INPUT', 'session key must be 32 bytes');
  return sodium.crypto_generichash(32, lengthPrefixed(['peerchat-chat-v1']), sessionKey);
}

/** Starts our sending stream with the session's txKey. */
export function createSealer(txKey: Uint8Array): Sealer {
  assertReady();
  const key = streamKey(txKey);
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  sodium.memzero(key);
  let first = true;
  let closed = false;

  function push(plaintext: Uint8Array, tag: number): Uint8Array {
    if (closed) throw new CryptoError('SEAL_CLOSED');
    if (plaintext.length > MAX_CHAT_PLAINTEXT_BYTES) throw new CryptoError('SEAL_TOO_LARGE');
    const c = sodium.crypto_secretstream_xchacha20poly1305_push(state, plaintext, null, tag);
    if (tag === TAG_FINAL) closed = true;
    if (!first) return c;
    // Only the first frame pays for a copy: it carries the header in front.
    first = false;
    const out = new Uint8Array(CHAT_HEADER_BYTES + c.length);
    out.set(header, 0);
    out.set(c, CHAT_HEADER_BYTES);
    return out;
  }

  return {
    seal: (plaintext) => push(plaintext, TAG_MESSAGE),
    end: () => push(new Uint8Array(0), TAG_FINAL),
    get closed() {
      return closed;
    },
  };
}

/** Prepares to read the peer's stream with the session's rxKey. */
export function createOpener(rxKey: Uint8Array): Opener {
  assertReady();
  const key = streamKey(rxKey);
  let state: ReturnType<typeof sodium.crypto_secretstream_xchacha20poly1305_init_pull> | null = null;
  let ended = false;
  let failed = false;

  function reject(detail: string): never {
    failed = true;
    state = null;
    sodium.memzero(key);
    throw new CryptoError('SEAL_REJECTED', detail);
  }

  return {
    open(frame: Uint8Array): Uint8Array {
      if (failed) throw new CryptoError('SEAL_REJECTED', 'stream already failed');
      if (ended) return reject('frame after end of stream');
      if (frame.length > LIMITS.maxPeerFrameBytes) return reject('frame too large');
      let body = frame;
      if (!state) {
        if (frame.length < CHAT_HEADER_BYTES + CHAT_FRAME_OVERHEAD_BYTES) return reject('first frame too short');
        try {
          state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(frame.subarray(0, CHAT_HEADER_BYTES), key);
        } catch {
          return reject('bad header');
        }
        body = frame.subarray(CHAT_HEADER_BYTES);
      }
      if (body.length < CHAT_FRAME_OVERHEAD_BYTES) return reject('frame too short');
      let r: { message: Uint8Array; tag: number } | false;
      try {
        r = sodium.crypto_secretstream_xchacha20poly1305_pull(state, body, null);
      } catch {
        r = false;
      }
      if (!r) return reject('authentication failed');
      if (r.tag === TAG_FINAL) {
        ended = true;
        sodium.memzero(key);
      } else if (r.tag !== TAG_MESSAGE) {
        return reject('unexpected tag');
      }
      return r.message;
    },
    get ended() {
      return ended;
    },
    get failed() {
      return failed;
    },
  };
}
