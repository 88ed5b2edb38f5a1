/**
 * File transfer protocol: pure, no I/O, runs in browsers and Node.
 *
 *   control.ts      control frames (JSON, inside the sealed chat stream) and their parser
 *   chunk-frame.ts  the binary chunk frame of the hot path (one buffer, views on decode)
 *   plan.ts         cutting a file into chunks
 *   ranges.ts       verified-chunk sets (bitmap, persisted for resume), wire ranges, send queue
 *   hash.ts         whole-file BLAKE2b in order while streaming, catch-up from disk otherwise
 *   transfer.ts     per-file state for the sender and the receiver
 *   lifecycle.ts    a transfer's life (offered … done/failed/cancelled/declined) as a pure step function
 *   names.ts        sanitising names, MIME types, thumbnails
 *   progress.ts     percentage, speed and time left for the UI
 *
 * `await ready()` (shared/crypto) once before creating transfers, hashers or ciphers.
 */
export * from './limits';
export * from './control';
export * from './chunk-frame';
export * from './plan';
export * from './ranges';
export * from './hash';
export * from './transfer';
export * from './lifecycle';
export * from './names';
export * from './progress';
export * from './peer-caps';
