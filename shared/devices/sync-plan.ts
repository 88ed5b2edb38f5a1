/**
 * Catch-up between two devices of one account, as pure functions (no I/O): each device numbers
 * what it stores (its local `seq`, increasing); for each of its own peer devices it remembers the
 * highest `seq` it received from that device (its cursor). When a link between two own devices
 * comes up each side asks `sync-from {seq: cursor}`, and the other streams its records after
 * that seq, oldest first, in batches that fit a frame (`sync-batch` with `last` and `total`).
 * The cursor moves only once a batch is stored, so a stream cut off resumes where it stopped.
 * A newly linked device may skip the backlog (`sync-skip`): the other answers with an empty,
 * final batch whose `last` is its newest seq, so only what comes after is sent.
 */

/** The size of one record, for packing batches into frames. */
export interface SeqRecord {
  seq: number;
  /** Its serialized size in bytes (UTF-8 JSON). */
  bytes: number;
}

export interface BatchLimits {
  /** Bytes of records per batch (the frame has room for headers beyond this). */
  maxBytes: number;
  maxRecords: number;
}

/** Leaves room under the 256 KiB peer frame for the frame's own fields and sealing. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxBytes: 192 * 1024, maxRecords: 200 };

/**
 * The next batch from `records` (sorted by seq, all after the asked seq): as many as fit the
 * limits, at least one (a single record always fits a frame: chat text is capped well below).
 */
export function nextBatch<T extends SeqRecord>(records: readonly T[], limits: BatchLimits = DEFAULT_BATCH_LIMITS): T[] {
  const out: T[] = [];
  let bytes = 0;
  for (const r of records) {
    if (out.length >= limits.maxRecords) break;
    if (out.length > 0 && bytes + r.bytes > limits.maxBytes) break;
    out.push(r);
    bytes += r.bytes;
  }
  return out;
}

/** What the asking side sends when the link to its own device `device` is ready. */
export type SyncRequest = { type: 'sync-from'; seq: number } | { type: 'sync-skip' };

/**
 * The request on link ready: resume from the cursor; a device that chose to skip the backlog
 * and has nothing from that device yet asks to skip.
 */
export function requestOnReady(cursor: number | undefined, skipBacklog: boolean): SyncRequest {
  if (skipBacklog && !cursor) return { type: 'sync-skip' };
  return { type: 'sync-from', seq: cursor ?? 0 };
}

/** The receiving side's view of one stream from one of its devices. */
export interface CatchUp {
  /** Highest seq of the other device stored here (persisted; the next request resumes here). */
  cursor: number;
  /** Records received in this stream. */
  received: number;
  /** Records the other device had waiting when the stream began (null: not known yet). */
  total: number | null;
  done: boolean;
}

export function startCatchUp(cursor: number): CatchUp {
  return { cursor, received: 0, total: null, done: false };
}

export interface BatchHeader {
  /** Records in the batch. */
  count: number;
  last: number;
  total: number;
  done: boolean;
}

/**
 * A batch was stored: the cursor moves to its `last` (never back: a replayed or stale batch
 * cannot make the device ask for less than it has).
 */
export function onBatchStored(s: CatchUp, b: BatchHeader): CatchUp {
  return {
    cursor: Math.max(s.cursor, b.last),
    received: s.received + b.count,
    total: s.total ?? b.total,
    done: b.done,
  };
}

/** Progress from 0 to 1 (1 when done or when there was nothing to take). */
export function progress(s: CatchUp): number {
  if (s.done || s.total === 0) return 1;
  if (!s.total) return 0;
  return Math.min(1, s.received / s.total);
}

/** The sending side: the header of the batch it sends after `records` (all after the asked seq). */
export function batchHeader(batch: readonly SeqRecord[], waiting: number, total: number, asked: number): BatchHeader {
  const last = batch.length ? batch[batch.length - 1]!.seq : asked;
  return { count: batch.length, last, total, done: batch.length >= waiting };
}

/** The answer to `sync-skip`: nothing, and the cursor moves to our newest seq. */
export function skipHeader(newestSeq: number): BatchHeader {
  return { count: 0, last: newestSeq, total: 0, done: true };
}
