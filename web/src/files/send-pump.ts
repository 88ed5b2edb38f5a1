/**
 * The sender's hot loop: reads chunks (FileSource), seals them into frames (OutgoingTransfer)
 * and sends them on the data channel as fast as the channel drains. Flow control is the
 * channel's own buffer: send while bufferedAmount ≤ highWater, then wait for
 * 'bufferedamountlow' (threshold lowWater). No acks per chunk, no timers, and no await per chunk
 * unless the source really has to read (FileSource.peek hits nearly always).
 *
 * It yields to the event loop at every wait, so chat keeps working meanwhile. A chat message
 * sent on the SAME channel queues behind at most highWater bytes (4 MiB ≈ 0.3 s at 15 MB/s).
 */
import type { OutgoingTransfer } from '../../../shared/transfer/transfer';
import type { FileSource } from './file-source';

/** What the pump needs of a data channel; an RTCDataChannel is one. */
export interface PumpChannel {
  send(data: Uint8Array<ArrayBuffer>): void;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  readonly readyState: RTCDataChannelState;
  addEventListener(type: 'bufferedamountlow' | 'close', listener: () => void): void;
  removeEventListener(type: 'bufferedamountlow' | 'close', listener: () => void): void;
}

export interface PumpOptions {
  /** Stop sending above this many buffered bytes (default 4 MiB). */
  highWater?: number;
  /** Resume when the buffer drains to this (default 1 MiB). */
  lowWater?: number;
  signal?: AbortSignal;
  /** Called after each frame handed to the channel (keep it cheap: called per chunk). */
  onSent?: (index: number, bytes: number) => void;
}

export const PUMP_DEFAULTS = { highWater: 4 * 1024 * 1024, lowWater: 1024 * 1024 } as const;

/**
 * Sends every queued chunk of `transfer`; resolves when its queue is empty (then send file-done).
 * Call it again after a file-need. Rejects if the channel closes, the source cannot be read
 * (cancel with 'source-lost') or `signal` aborts (checked before each chunk; a read already under
 * way finishes first).
 */
export async function pumpChunks(transfer: OutgoingTransfer, source: FileSource, channel: PumpChannel, options: PumpOptions = {}): Promise<void> {
  const highWater = options.highWater ?? PUMP_DEFAULTS.highWater;
  // low ≤ high, or the wait below would return at once and the loop would spin.
  channel.bufferedAmountLowThreshold = Math.min(options.lowWater ?? PUMP_DEFAULTS.lowWater, highWater);
  const { signal, onSent } = options;
  while (transfer.hasNext) {
    if (signal?.aborted) throw signal.reason ?? new DOMException('aborted', 'AbortError');
    if (channel.readyState !== 'open') throw new DOMException('data channel closed', 'InvalidStateError');
    if (channel.bufferedAmount > highWater) {
      await drained(channel, signal);
      continue;
    }
    const index = transfer.nextIndex();
    const bytes = source.peek(index) ?? (await source.chunk(index));
    channel.send(transfer.encode(index, bytes) as Uint8Array<ArrayBuffer>);
    onSent?.(index, bytes.length);
  }
}

function drained(channel: PumpChannel, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      channel.removeEventListener('bufferedamountlow', done);
      channel.removeEventListener('close', done);
      signal?.removeEventListener('abort', done);
      if (signal?.aborted) reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
      else resolve();
    };
    channel.addEventListener('bufferedamountlow', done);
    channel.addEventListener('close', done);
    signal?.addEventListener('abort', done);
    // Drained between the check and the listener: don't wait for an event that already fired.
    if (channel.bufferedAmount <= channel.bufferedAmountLowThreshold) done();
  });
}
