/**
 * The end-to-end session on one data channel, as a pure state machine (no I/O, no timers):
 * the inner handshake first, then every frame sealed. The browser wraps it with the transport,
 * a deadline and the peer's pinned key (web/src/net/secure-session.ts).
 *
 *   start()             → our hs-hello frame, to send when the channel opens
 *   receive(frame)      → what to send back, whether the session just came up, and at most one
 *                         opened message or file chunk
 *   seal(msg)           → a sealed frame for a PeerMsg (only once established)
 *   sealChunk(body)     → a chunk frame (the body is sealed by the caller with a key from
 *                         deriveFileKey(keys.txKey, fileId)); received only with `acceptChunks`
 *
 * Rules (fail closed): every data-channel message is binary (see decodePeerFrame). Before the
 * session is up only handshake frames are accepted; after it only sealed and chunk frames.
 * Anything else — a text frame, an unknown kind, a handshake frame that does not verify, a
 * sealed frame that does not open (tampered, replayed, reordered, dropped, truncated) — throws a
 * ChannelError, after which the channel is dead and the caller must close the connection.
 * Nothing from a frame that failed is ever returned. A sealed frame that opens but holds a
 * message type this version does not know is skipped (a newer peer), not fatal.
 */
import {
  createHandshake,
  createOpener,
  createSealer,
  isCryptoError,
  serializeHandshakeMsg,
  MAX_CHAT_PLAINTEXT_BYTES,
  type CryptoErrorCode,
  type Handshake,
  type HandshakeOptions,
  type PeerDevice,
  type Opener,
  type Sealer,
  type SessionKeys,
} from './crypto/index';
import { sodium } from './crypto/sodium';
import { decodePeerFrame, decodePeerMsg, encodePeerFrame, encodePeerMsg, type PeerMsg } from './peer-protocol';

export type ChannelErrorCode =
  /** The inner handshake failed: wrong identity key, swapped fingerprints, bad frame, … */
  | 'HANDSHAKE_FAILED'
  /** A sealed frame did not open: tampered, replayed, reordered, dropped or truncated. */
  | 'SEAL_REJECTED'
  /** A frame that is never valid at this point (text, unknown kind, wrong phase). */
  | 'PROTOCOL'
  /** Used after it failed or was closed. */
  | 'CLOSED';

export class ChannelError extends Error {
  readonly code: ChannelErrorCode;
  /** The crypto core's code, when the failure came from it. */
  readonly cryptoCode: CryptoErrorCode | undefined;

  constructor(code: ChannelErrorCode, detail?: string, cryptoCode?: CryptoErrorCode) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'ChannelError';
    this.code = code;
    this.cryptoCode = cryptoCode;
  }
}

export type ChannelState = 'new' | 'handshaking' | 'established' | 'failed' | 'closed';

export interface ChannelInput {
  /** Frames to send to the peer now, in order. */
  send: Uint8Array[];
  /** True on the call that brought the session up. */
  established: boolean;
  /** A chat/control message that arrived sealed and opened. */
  message: PeerMsg | null;
  /** The body of a chunk frame (still sealed by its file key). */
  chunk: Uint8Array | null;
}

export interface SecureChannel {
  readonly state: ChannelState;
  /** The session keys, once established (for file chunks: deriveFileKey). Null before and after. */
  readonly keys: SessionKeys | null;
  /** The peer's device and its verified device list, once established (null before and after). */
  readonly peer: PeerDevice | null;
  /** Our hs-hello frame. Call once, when the channel opens. */
  start(): Uint8Array;
  /** Feeds one received data-channel message. Throws ChannelError; then the channel is dead. */
  receive(data: unknown): ChannelInput;
  /** Seals a message. Throws ChannelError('CLOSED') unless established. */
  seal(msg: PeerMsg): Uint8Array;
  /** Frames a (separately sealed) file chunk. Throws ChannelError('CLOSED') unless established. */
  sealChunk(body: Uint8Array): Uint8Array;
  /** Ends the session and wipes its keys. Idempotent. */
  close(): void;
}

/** Largest message plaintext, so that kind byte + sealed frame fit one data-channel message. */
export const MAX_SEALED_MSG_BYTES = MAX_CHAT_PLAINTEXT_BYTES - 1;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface SecureChannelOptions extends HandshakeOptions {
  /**
   * Accept `chunk` frames (file transfers). Off by default: then a chunk frame is a
   * protocol violation like any other unexpected kind. A chunk body is not authenticated by this
   * channel; whoever turns this on must open every body with the file's AEAD key before use.
   */
  acceptChunks?: boolean;
}

export function createSecureChannel(opts: SecureChannelOptions): SecureChannel {
  // Throws CryptoError(HS_BAD_INPUT) right away for unusable options (e.g. a missing fingerprint).
  const hs: Handshake = createHandshake(opts);
  let state: ChannelState = 'new';
  let keys: SessionKeys | null = null;
  let sealer: Sealer | null = null;
  let opener: Opener | null = null;

  function wipe(): void {
    hs.abort();
    if (keys) {
      sodium.memzero(keys.txKey);
      sodium.memzero(keys.rxKey);
    }
    keys = null;
    sealer = null;
    opener = null;
  }

  function fail(code: ChannelErrorCode, detail?: string, cryptoCode?: CryptoErrorCode): never {
    state = 'failed';
    wipe();
    throw new ChannelError(code, detail, cryptoCode);
  }

  function alive(): void {
    if (state === 'failed' || state === 'closed') throw new ChannelError('CLOSED');
  }

  function onHandshake(body: Uint8Array): ChannelInput {
    if (state !== 'handshaking') return fail('PROTOCOL', `handshake frame while ${state}`);
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      return fail('HANDSHAKE_FAILED', 'handshake frame is not UTF-8', 'HS_BAD_MESSAGE');
    }
    try {
      const step = hs.receive(text);
      const send = step.send ? [encodePeerFrame('handshake', utf8Bytes(serializeHandshakeMsg(step.send)))] : [];
      if (!step.done) return { send, established: false, message: null, chunk: null };
      keys = step.done;
      sealer = createSealer(keys.txKey);
      opener = createOpener(keys.rxKey);
      state = 'established';
      return { send, established: true, message: null, chunk: null };
    } catch (e) {
      if (isCryptoError(e)) return fail('HANDSHAKE_FAILED', e.message, e.code);
      return fail('HANDSHAKE_FAILED', 'unexpected error');
    }
  }

  function onSealed(body: Uint8Array): ChannelInput {
    if (state !== 'established' || !opener) return fail('PROTOCOL', `sealed frame while ${state}`);
    let plain: Uint8Array;
    try {
      plain = opener.open(body);
    } catch (e) {
      return fail('SEAL_REJECTED', isCryptoError(e) ? e.message : 'open failed', isCryptoError(e) ? e.code : undefined);
    }
    // A clean end of the peer's stream: nothing more can come; treat like a close.
    if (opener.ended) {
      state = 'closed';
      wipe();
      return { send: [], established: false, message: null, chunk: null };
    }
    return { send: [], established: false, message: decodePeerMsg(plain), chunk: null };
  }

  return {
    get state() {
      return state;
    },
    get keys() {
      return keys;
    },
    get peer() {
      return state === 'established' ? hs.peer : null;
    },
    start(): Uint8Array {
      if (state !== 'new') return fail('PROTOCOL', 'start() called twice');
      state = 'handshaking';
      try {
        return encodePeerFrame('handshake', utf8Bytes(serializeHandshakeMsg(hs.start())));
      } catch (e) {
        return fail('HANDSHAKE_FAILED', 'could not start', isCryptoError(e) ? e.code : undefined);
      }
    },
    receive(data: unknown): ChannelInput {
      alive();
      if (state === 'new') return fail('PROTOCOL', 'frame before start()');
      const frame = decodePeerFrame(data);
      if (!frame) return fail('PROTOCOL', 'not a valid binary frame');
      switch (frame.kind) {
        case 'handshake':
          return onHandshake(frame.body);
        case 'sealed':
          return onSealed(frame.body);
        case 'chunk':
          if (!opts.acceptChunks) return fail('PROTOCOL', 'chunk frames are not enabled');
          if (state !== 'established') return fail('PROTOCOL', `chunk frame while ${state}`);
          return { send: [], established: false, message: null, chunk: frame.body };
      }
    },
    seal(msg: PeerMsg): Uint8Array {
      alive();
      if (state !== 'established' || !sealer) throw new ChannelError('CLOSED', 'not established');
      const plain = encodePeerMsg(msg);
      if (plain.length > MAX_SEALED_MSG_BYTES) throw new ChannelError('PROTOCOL', 'message too large');
      return encodePeerFrame('sealed', sealer.seal(plain));
    },
    sealChunk(body: Uint8Array): Uint8Array {
      alive();
      if (state !== 'established') throw new ChannelError('CLOSED', 'not established');
      return encodePeerFrame('chunk', body);
    },
    close(): void {
      if (state === 'closed' || state === 'failed') return;
      state = 'closed';
      wipe();
    },
  };
}

function utf8Bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
