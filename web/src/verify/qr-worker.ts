/**
 * Dedicated worker that runs the bundled QR decoder off the page's main thread, so reading
 * camera frames does not stall rendering. Loaded by qr-decoder.ts with
 *   new Worker(new URL('./qr-worker.ts', import.meta.url), { type: 'module' })
 * which Vite bundles as a separate chunk (jsQR is only downloaded when someone scans).
 */
import { decodeQrRgba, type QrDecodeReply, type QrDecodeRequest } from './qr-decode';

interface WorkerScope {
  onmessage: ((event: MessageEvent<QrDecodeRequest>) => void) | null;
  postMessage(message: QrDecodeReply): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = ({ data: { id, rgba, width, height, thorough } }) => {
  let text: string | null = null;
  try {
    text = decodeQrRgba(rgba, width, height, thorough);
  } catch (err) {
    // jsQR throws on some damaged inputs; for the page that is just "no code in this frame".
    console.warn('QR worker: decoding failed', err);
  }
  scope.postMessage({ id, text });
};
