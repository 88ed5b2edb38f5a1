/**
 * Reads the text of a QR code from a live video frame or a picture. Uses the browser's own
 * `BarcodeDetector` where it reads QR codes (Chromium on Android, macOS, ChromeOS; Safari), and
 * otherwise the bundled jsQR decoder in a worker, fed with downscaled canvas snapshots.
 */
import { PeerchatError } from '../../../shared/errors';
import type { QrDecodeReply, QrDecodeRequest } from './qr-decode';

/** A video that is playing, or a decoded picture. */
export type QrSource = HTMLVideoElement | ImageBitmap;

export interface QrDecoder {
  readonly kind: 'native' | 'bundled';
  /** The text of the first QR code in `source` (its current frame for a video), or null. */
  decode(source: QrSource, options?: { thorough?: boolean }): Promise<string | null>;
  /** Frees the worker, if any. */
  dispose(): void;
}

/** The parts of the Barcode Detection API used here (not in TypeScript's DOM library yet). */
interface BarcodeDetectorLike {
  detect(source: QrSource): Promise<Array<{ rawValue: string }>>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

/** The best decoder this browser has. Throws QR_DECODER_UNAVAILABLE when there is none. */
export async function createQrDecoder(): Promise<QrDecoder> {
  const Native = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (Native) {
    try {
      if ((await Native.getSupportedFormats()).includes('qr_code')) return nativeDecoder(new Native({ formats: ['qr_code'] }));
    } catch (err) {
      console.warn('BarcodeDetector is present but unusable; using the bundled QR decoder', err);
    }
  }
  if (typeof document === 'undefined' || !document.createElement('canvas').getContext('2d')) {
    throw new PeerchatError('QR_DECODER_UNAVAILABLE');
  }
  return new BundledDecoder();
}

function nativeDecoder(detector: BarcodeDetectorLike): QrDecoder {
  return {
    kind: 'native',
    async decode(source) {
      const found = await detector.detect(source);
      return found[0]?.rawValue ?? null;
    },
    dispose() {},
  };
}

/**
 * Longest side, in pixels, of the snapshot handed to jsQR. A safety-number code has 33×33
 * modules, so 640 px leaves several pixels per module even when the code fills a third of a
 * camera frame; a photo gets more room because it is decoded once.
 */
const FRAME_SIDE = 640;
const PHOTO_SIDE = 1280;

interface Pending {
  resolve(text: string | null): void;
  reject(err: unknown): void;
}

class BundledDecoder implements QrDecoder {
  readonly kind = 'bundled';
  private readonly canvas = document.createElement('canvas');
  private readonly context = this.canvas.getContext('2d', { willReadFrequently: true })!;
  private worker: Worker | null = null;
  /** The worker failed to load or crashed: decode on the page from then on. */
  private workerBroken = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  async decode(source: QrSource, options: { thorough?: boolean } = {}): Promise<string | null> {
    const thorough = options.thorough ?? false;
    const image = this.snapshot(source, thorough ? PHOTO_SIDE : FRAME_SIDE);
    if (!image) return null;
    const worker = this.ensureWorker();
    if (worker) {
      try {
        return await this.inWorker(worker, image, thorough);
      } catch (err) {
        if (!this.workerBroken) throw err;
        // The worker died with this image in flight: read it again on the page below.
      }
    }
    const again = this.snapshot(source, thorough ? PHOTO_SIDE : FRAME_SIDE);
    const { decodeQrRgba } = await import('./qr-decode');
    return again ? decodeQrRgba(again.data, again.width, again.height, thorough) : null;
  }

  /** The source scaled down to at most `side` pixels on its longest side, as RGBA. */
  private snapshot(source: QrSource, side: number): ImageData | null {
    const [width, height] = source instanceof HTMLVideoElement ? [source.videoWidth, source.videoHeight] : [source.width, source.height];
    if (!width || !height) return null;
    const scale = Math.min(1, side / Math.max(width, height));
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.context.drawImage(source, 0, 0, w, h);
    return this.context.getImageData(0, 0, w, h);
  }

  private inWorker(worker: Worker, image: ImageData, thorough: boolean): Promise<string | null> {
    const id = this.nextId++;
    const request: QrDecodeRequest = { id, rgba: image.data, width: image.width, height: image.height, thorough };
    return new Promise<string | null>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(request, [image.data.buffer]);
    });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    this.failPending(new PeerchatError('QR_DECODER_UNAVAILABLE'));
  }

  private ensureWorker(): Worker | null {
    if (this.worker || this.workerBroken) return this.worker;
    try {
      const worker = new Worker(new URL('./qr-worker.ts', import.meta.url), { type: 'module', name: 'peerchat-qr' });
      worker.onmessage = ({ data }: MessageEvent<QrDecodeReply>) => {
        this.pending.get(data.id)?.resolve(data.text);
        this.pending.delete(data.id);
      };
      worker.onerror = (event) => {
        console.warn('QR worker failed; decoding on the page instead', event.message);
        this.workerBroken = true;
        this.worker?.terminate();
        this.worker = null;
        this.failPending(new PeerchatError('QR_DECODER_UNAVAILABLE'));
      };
      this.worker = worker;
    } catch (err) {
      console.warn('QR worker could not start; decoding on the page instead', err);
      this.workerBroken = true;
    }
    return this.worker;
  }

  private failPending(err: unknown): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
