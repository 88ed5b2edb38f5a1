/**
 * Sealing and opening an encrypted backup (layout and key derivation: ./backup-format.ts), as
 * pure transforms over async iterables of byte chunks: the web side pipes the plaintext records
 * (./backup-content.ts) in and the file's bytes out, or the file's bytes in and the plaintext
 * out, never holding the whole backup in memory.
 *
 * Opening yields plaintext chunk by chunk as each one verifies; truncation is only known at the
 * end (no FINAL frame). So a restore must treat what it read as provisional until the iterator
 * completes: write into a fresh database and delete it if the iteration throws.
 *
 * Failures are PeerchatErrors with stable codes: BACKUP_NOT_A_BACKUP (no magic),
 * BACKUP_UNSUPPORTED_VERSION (a newer format), BACKUP_WRONG_PASSPHRASE (check value differs),
 * BACKUP_DAMAGED (bad header, truncated, altered, reordered, trailing bytes),
 * BACKUP_PASSPHRASE_TOO_SHORT (making a backup), BACKUP_UNAVAILABLE (no WebCrypto).
 */
import { PeerchatError } from '../errors';
import { assertReady, sodium } from '../crypto/sodium';
import {
  BACKUP_FORMAT_VERSION,
  BACKUP_MAGIC,
  DEFAULT_CHUNK_BYTES,
  DEFAULT_ITERATIONS,
  MAX_CHUNK_BYTES,
  MAX_HEADER_BYTES,
  MAX_ITERATIONS,
  MIN_ITERATIONS,
  MIN_PASSPHRASE_CHARS,
  SALT_BYTES,
  deriveMasterKey,
  encodePreamble,
  parseHeader,
  subkeys,
  type BackupHeader,
} from './backup-format';

const HEADER_BYTES = 24; // crypto_secretstream_xchacha20poly1305_HEADERBYTES
const ABYTES = 17; // crypto_secretstream_xchacha20poly1305_ABYTES
const TAG_MESSAGE = 0;
const TAG_FINAL = 3;

export interface SealOptions {
  /** PBKDF2 iterations (default DEFAULT_ITERATIONS; at least MIN_ITERATIONS). */
  iterations?: number;
  /** Plaintext bytes per sealed chunk (default DEFAULT_CHUNK_BYTES). */
  chunkBytes?: number;
  /** The time written in the header (ms since the epoch). */
  now?: number;
}

function u32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** Re-chunks any sequence of byte arrays into pieces of exactly `size` bytes (the last shorter, maybe empty). */
async function* rechunk(input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(size);
  let fill = 0;
  for await (const part of input) {
    let off = 0;
    while (off < part.length) {
      const n = Math.min(size - fill, part.length - off);
      buf.set(part.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === size) {
        yield buf;
        buf = new Uint8Array(size);
        fill = 0;
      }
    }
  }
  yield buf.subarray(0, fill);
}

/**
 * Seals `plaintext` into the bytes of a backup file, with a key from `passphrase`. libsodium must
 * be ready (crypto/sodium.ts `ready()`).
 */
export async function* sealBackup(
  plaintext: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  passphrase: string,
  opts: SealOptions = {},
): AsyncGenerator<Uint8Array> {
  assertReady();
  if ([...passphrase.normalize('NFC')].length < MIN_PASSPHRASE_CHARS) throw new PeerchatError('BACKUP_PASSPHRASE_TOO_SHORT', { min: MIN_PASSPHRASE_CHARS });
  const iterations = opts.iterations ?? DEFAULT_ITERATIONS;
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) throw new RangeError('iterations out of range');
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1024 || chunkBytes > MAX_CHUNK_BYTES) throw new RangeError('chunkBytes out of range');
  const salt = sodium.randombytes_buf(SALT_BYTES);
  const master = await deriveMasterKey(passphrase, salt, iterations);
  const { streamKey, check } = subkeys(master);
  sodium.memzero(master);
  const header: BackupHeader = { iterations, salt, check, chunkBytes, createdAt: opts.now ?? Date.now() };
  const preamble = encodePreamble(header);
  const { state, header: streamHeader } = sodium.crypto_secretstream_xchacha20poly1305_init_push(streamKey);
  sodium.memzero(streamKey);
  yield preamble;
  yield streamHeader;
  // Hold one chunk back: the last one is sealed with the FINAL tag.
  let pending: Uint8Array | null = null;
  let first = true;
  const push = (chunk: Uint8Array, tag: number): Uint8Array => {
    const c = sodium.crypto_secretstream_xchacha20poly1305_push(state, chunk, first ? preamble : null, tag);
    first = false;
    const out = new Uint8Array(4 + c.length);
    out.set(u32(c.length), 0);
    out.set(c, 4);
    return out;
  };
  for await (const chunk of rechunk(plaintext, chunkBytes)) {
    if (pending) yield push(pending, TAG_MESSAGE);
    pending = chunk;
  }
  yield push(pending ?? new Uint8Array(0), TAG_FINAL);
}

/** Reads exact byte counts from an async iterable of arbitrary chunks. */
class ByteReader {
  private buf = new Uint8Array(0);
  private done = false;
  private readonly it: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;

  constructor(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.it = Symbol.asyncIterator in src ? src[Symbol.asyncIterator]() : (src as Iterable<Uint8Array>)[Symbol.iterator]();
  }

  /** Exactly `n` bytes, or null when the input ends first. */
  async read(n: number): Promise<Uint8Array | null> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) {
        const joined = new Uint8Array(this.buf.length + r.value.length);
        joined.set(this.buf, 0);
        joined.set(r.value, this.buf.length);
        this.buf = joined;
      }
    }
    if (this.buf.length < n) return null;
    const out = this.buf.slice(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    return (await this.read(1)) === null;
  }
}

export interface OpenedBackup {
  /** When the backup was made (from its header). */
  createdAt: number;
  /** The plaintext, chunk by chunk (see the file comment: provisional until it completes). */
  plaintext: AsyncGenerator<Uint8Array>;
}

/**
 * Opens a backup file: reads and checks the header and the passphrase (throws at once for a
 * file that is not a backup, of a newer version, or under another passphrase), then returns the
 * plaintext as an async iterator that throws BACKUP_DAMAGED on any truncation or alteration.
 */
export async function openBackup(file: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, passphrase: string): Promise<OpenedBackup> {
  assertReady();
  const r = new ByteReader(file);
  const magicBytes = new TextEncoder().encode(BACKUP_MAGIC);
  const magic = await r.read(magicBytes.length);
  if (!magic || !sodium.memcmp(magic, magicBytes)) throw new PeerchatError('BACKUP_NOT_A_BACKUP');
  const fixed = await r.read(3);
  if (!fixed) throw new PeerchatError('BACKUP_DAMAGED');
  if (fixed[0] !== BACKUP_FORMAT_VERSION) throw new PeerchatError('BACKUP_UNSUPPORTED_VERSION', { version: fixed[0] ?? 0 });
  const headerLength = ((fixed[1] ?? 0) << 8) | (fixed[2] ?? 0);
  if (headerLength === 0 || headerLength > MAX_HEADER_BYTES) throw new PeerchatError('BACKUP_DAMAGED');
  const headerJson = await r.read(headerLength);
  if (!headerJson) throw new PeerchatError('BACKUP_DAMAGED');
  const header = parseHeader(headerJson);
  const preamble = new Uint8Array(magicBytes.length + 3 + headerLength);
  preamble.set(magicBytes, 0);
  preamble.set(fixed, magicBytes.length);
  preamble.set(headerJson, magicBytes.length + 3);

  const master = await deriveMasterKey(passphrase, header.salt, header.iterations);
  const { streamKey, check } = subkeys(master);
  sodium.memzero(master);
  if (!sodium.memcmp(check, header.check)) {
    sodium.memzero(streamKey);
    throw new PeerchatError('BACKUP_WRONG_PASSPHRASE');
  }
  const streamHeader = await r.read(HEADER_BYTES);
  if (!streamHeader) throw new PeerchatError('BACKUP_DAMAGED');
  let state: ReturnType<typeof sodium.crypto_secretstream_xchacha20poly1305_init_pull>;
  try {
    state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(streamHeader, streamKey);
  } catch {
    throw new PeerchatError('BACKUP_DAMAGED');
  } finally {
    sodium.memzero(streamKey);
  }
  const maxFrame = header.chunkBytes + ABYTES;

  async function* plaintext(): AsyncGenerator<Uint8Array> {
    let first = true;
    for (;;) {
      const len = await r.read(4);
      if (!len) throw new PeerchatError('BACKUP_DAMAGED'); // ended without the FINAL frame
      const n = (((len[0] ?? 0) << 24) >>> 0) + ((len[1] ?? 0) << 16) + ((len[2] ?? 0) << 8) + (len[3] ?? 0);
      if (n < ABYTES || n > maxFrame) throw new PeerchatError('BACKUP_DAMAGED');
      const frame = await r.read(n);
      if (!frame) throw new PeerchatError('BACKUP_DAMAGED');
      let opened: { message: Uint8Array; tag: number } | false;
      try {
        opened = sodium.crypto_secretstream_xchacha20poly1305_pull(state, frame, first ? preamble : null);
      } catch {
        opened = false;
      }
      first = false;
      if (!opened || (opened.tag !== TAG_MESSAGE && opened.tag !== TAG_FINAL)) throw new PeerchatError('BACKUP_DAMAGED');
      if (opened.message.length > 0) yield opened.message;
      if (opened.tag === TAG_FINAL) {
        if (!(await r.atEnd())) throw new PeerchatError('BACKUP_DAMAGED'); // bytes after the end
        return;
      }
    }
  }
  return { createdAt: header.createdAt, plaintext: plaintext() };
}
