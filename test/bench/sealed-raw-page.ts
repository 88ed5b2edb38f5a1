// Bundled into the raw baseline's page (raw-datachannel.ts, `mode: 'sealed'`/`'sealed-aes'`) to
// measure the CEILING of a sealed + hashed transfer on this machine: the raw data channel plus
// exactly the per-chunk crypto the app does (shared/ code, in libsodium's WASM heap), and
// nothing else — no file to read, no disk, no UI, no control messages. If this already falls
// short of 0.9 × raw, no app built on the same crypto can reach it here.
//
//   'sealed'     Peerchat's chunk AEAD, XChaCha20-Poly1305 (ChunkFrameEncoder, openView) +
//                streaming BLAKE2b of the plaintext on both sides (createFileHasher)
//   'sealed-aes' WebCrypto AES-256-GCM instead of the AEAD (async; up to 8 in flight, sent and
//                hashed in order) + the same BLAKE2b: the alternative Peerchat does not use
//                (shared/crypto/chunk-seal.ts), measured for comparison only
import { ready } from '../../shared/crypto/sodium';
import { createChunkCipher, deriveFileKey } from '../../shared/crypto/chunk-seal';
import { createFileHasher } from '../../shared/crypto/file-hash';
import { stage } from '../../shared/crypto/sodium-heap';
import { ChunkFrameEncoder, decodeChunkFrame } from '../../shared/transfer/chunk-frame';

export interface SealedSender {
  /** Seals (and hashes) chunk `index` of `plaintext` and hands the frame to `send`. */
  push(index: number, plaintext: Uint8Array, send: (frame: Uint8Array) => void): void | Promise<void>;
  digest(): string;
}
export interface SealedReceiver {
  /** Opens and hashes one frame; false if it does not authenticate. */
  take(frame: ArrayBuffer): boolean | Promise<boolean>;
  digest(): string;
}

const FILE_ID = '00112233445566778899aabbccddeeff';
// Bench-only fixed key: both pages must agree without a handshake. Never used by the app.
const SESSION_KEY = new Uint8Array(32).fill(7);

async function xchachaSender(): Promise<SealedSender> {
  await ready();
  const cipher = createChunkCipher(deriveFileKey(SESSION_KEY, FILE_ID), FILE_ID);
  const encoder = new ChunkFrameEncoder(cipher, FILE_ID, 256 * 1024 - 128);
  const hasher = createFileHasher();
  return {
    push(index, plaintext, send) {
      const inHeap = stage(plaintext); // the app copies each chunk read from the file in once, too
      hasher.update(inHeap);
      send(encoder.encode(index, inHeap));
    },
    digest: () => hasher.digestHex(),
  };
}

async function xchachaReceiver(): Promise<SealedReceiver> {
  await ready();
  const cipher = createChunkCipher(deriveFileKey(SESSION_KEY, FILE_ID), FILE_ID);
  const hasher = createFileHasher();
  return {
    take(frame) {
      const view = decodeChunkFrame(frame);
      if (!view) return false;
      try {
        hasher.update(cipher.openView(view.index, view.sealed));
        return true;
      } catch {
        return false;
      }
    },
    digest: () => hasher.digestHex(),
  };
}

async function aesKey(): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', SESSION_KEY, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** 12-byte nonce = uint32be(index) ‖ 8 zero bytes (bench only: one file, each index sealed once). */
function aesNonce(index: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(12);
  new DataView(iv.buffer).setUint32(0, index);
  return iv;
}

async function aesSender(): Promise<SealedSender> {
  await ready();
  const key = await aesKey();
  const hasher = createFileHasher();
  // Pipelined: WebCrypto works off the main thread; frames still leave in index order.
  let tail: Promise<void> = Promise.resolve();
  let inFlight = 0;
  const waiters: Array<() => void> = [];
  return {
    async push(index, plaintext, send) {
      hasher.update(plaintext);
      while (inFlight >= 8) await new Promise<void>((r) => waiters.push(r));
      inFlight++;
      const sealed = crypto.subtle.encrypt({ name: 'AES-GCM', iv: aesNonce(index) }, key, plaintext as Uint8Array<ArrayBuffer>);
      tail = tail.then(async () => {
        const body = new Uint8Array(await sealed);
        const frame = new Uint8Array(4 + body.length);
        new DataView(frame.buffer).setUint32(0, index);
        frame.set(body, 4);
        send(frame);
        inFlight--;
        waiters.shift()?.();
      });
    },
    digest: () => hasher.digestHex(),
  };
}

async function aesReceiver(): Promise<SealedReceiver> {
  await ready();
  const key = await aesKey();
  const hasher = createFileHasher();
  let tail: Promise<boolean> = Promise.resolve(true);
  return {
    take(frame) {
      const index = new DataView(frame).getUint32(0);
      const opened = crypto.subtle.decrypt({ name: 'AES-GCM', iv: aesNonce(index) }, key, new Uint8Array(frame, 4));
      tail = tail.then(async (ok) => {
        try {
          hasher.update(new Uint8Array(await opened));
          return ok;
        } catch {
          return false;
        }
      });
      return tail;
    },
    digest: () => hasher.digestHex(),
  };
}

/** Diagnostics: the copy into the WASM heap alone ('staged'), or with the hash but no AEAD ('hashed'). */
async function stagedSender(hash: boolean): Promise<SealedSender> {
  await ready();
  const hasher = createFileHasher();
  return {
    push(_index, plaintext, send) {
      const inHeap = stage(plaintext);
      if (hash) hasher.update(inHeap);
      send(inHeap);
    },
    digest: () => hasher.digestHex(),
  };
}

async function stagedReceiver(hash: boolean): Promise<SealedReceiver> {
  await ready();
  const hasher = createFileHasher();
  return {
    take(frame) {
      const inHeap = stage(new Uint8Array(frame));
      if (hash) hasher.update(inHeap);
      return true;
    },
    digest: () => hasher.digestHex(),
  };
}

export type SealedMode = 'sealed' | 'sealed-aes' | 'staged' | 'hashed';

declare global {
  interface Window {
    benchSealed: {
      sender(mode: SealedMode): Promise<SealedSender>;
      receiver(mode: SealedMode): Promise<SealedReceiver>;
    };
  }
}

window.benchSealed = {
  sender: (mode) => (mode === 'sealed' ? xchachaSender() : mode === 'sealed-aes' ? aesSender() : stagedSender(mode === 'hashed')),
  receiver: (mode) => (mode === 'sealed' ? xchachaReceiver() : mode === 'sealed-aes' ? aesReceiver() : stagedReceiver(mode === 'hashed')),
};
