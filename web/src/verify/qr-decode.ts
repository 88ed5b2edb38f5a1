/**
 * QR decoding with the bundled decoder (jsQR), on plain RGBA pixels: no DOM, so it runs in the
 * decoding worker, on the page when the worker cannot start, and in Node's unit tests.
 */
import jsQR from 'jsqr';

/** A request to the decoding worker (qr-worker.ts): one RGBA image, transferred. */
export interface QrDecodeRequest {
  id: number;
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
  thorough: boolean;
}

/** The worker's answer: the text of the code, or null when none was found. */
export interface QrDecodeReply {
  id: number;
  text: string | null;
}

/**
 * The text of the first QR code in an RGBA image (width × height × 4 bytes), or null.
 * `thorough` also tries the colour-inverted image (light code on dark): worth it for a single
 * photo, too slow for every camera frame.
 */
export function decodeQrRgba(rgba: Uint8ClampedArray, width: number, height: number, thorough = false): string | null {
  const code = jsQR(rgba, width, height, { inversionAttempts: thorough ? 'attemptBoth' : 'dontInvert' });
  return code ? code.data : null;
}
