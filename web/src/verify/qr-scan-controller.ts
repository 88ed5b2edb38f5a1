import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { PeerchatError, errorCodeOf, type AppErrorCode } from '../../../shared/errors';
import { closeCamera, openCamera } from './camera';
import { createQrDecoder, type QrDecoder } from './qr-decoder';

/** What the scanner is doing. */
export type ScanPhase =
  | { kind: 'idle' }
  /** The camera is opening or its frames are being read. */
  | { kind: 'camera' }
  | { kind: 'reading-photo' }
  | { kind: 'failed'; code: AppErrorCode };

/** At most this many camera frames are decoded per second (~8): enough to feel instant, light on phones. */
const FRAME_INTERVAL_MS = 125;

/**
 * Reads one QR code, from the camera or from a picture, for the element that hosts it. The
 * camera is opened only by startCamera() (a person's press) and closed as soon as a code is read,
 * on stop(), and when the host leaves the page (the dialog closing, Esc). The decoded text goes
 * to `onText`; judging it is the host's job.
 */
export class QrScanController implements ReactiveController {
  phase: ScanPhase = { kind: 'idle' };
  private stream: MediaStream | null = null;
  private decoder: Promise<QrDecoder> | null = null;
  /** Bumped by every start and stop: an older run that wakes up sees it is stale and quits. */
  private run = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** The host's <video> for the live view; rendered while the phase is `camera`. */
    private readonly video: () => HTMLVideoElement | null,
    private readonly onText: (text: string) => void,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
    const decoder = this.decoder;
    this.decoder = null;
    void decoder?.then((d) => d.dispose(), () => undefined);
  }

  /** Opens the camera and reads frames until a QR code is found or stop() is called. */
  async startCamera(): Promise<void> {
    const run = this.begin({ kind: 'camera' });
    try {
      const decoder = await this.getDecoder();
      const stream = await openCamera();
      if (run !== this.run) return closeCamera(stream);
      this.stream = stream;
      await this.host.updateComplete;
      const video = this.video();
      if (!video || run !== this.run) return;
      video.srcObject = stream;
      await video.play();
      await this.readFrames(run, video, decoder);
    } catch (err) {
      if (run === this.run) this.fail(err);
    }
  }

  /** Reads a QR code from a picture (a photo of the other screen, a screenshot). */
  async scanPicture(file: Blob): Promise<void> {
    const run = this.begin({ kind: 'reading-photo' });
    try {
      const decoder = await this.getDecoder();
      const bitmap = await createImageBitmap(file).catch((err: unknown) => {
        console.warn('The chosen file could not be read as a picture', err);
        throw new PeerchatError('QR_NOT_FOUND', {}, { cause: err });
      });
      let text: string | null;
      try {
        text = await decoder.decode(bitmap, { thorough: true });
      } finally {
        bitmap.close();
      }
      if (run !== this.run) return;
      if (text === null) throw new PeerchatError('QR_NOT_FOUND');
      this.setPhase({ kind: 'idle' });
      this.onText(text);
    } catch (err) {
      if (run === this.run) this.fail(err);
    }
  }

  /** Stops scanning and turns the camera off; a failure shown stays until the next start. */
  stop(): void {
    this.run++;
    this.releaseCamera();
    if (this.phase.kind !== 'idle' && this.phase.kind !== 'failed') this.setPhase({ kind: 'idle' });
  }

  /** Shows a failure found by the host (e.g. the code read is not the kind it wanted). */
  showError(code: AppErrorCode): void {
    this.stop();
    this.setPhase({ kind: 'failed', code });
  }

  private async readFrames(run: number, video: HTMLVideoElement, decoder: QrDecoder): Promise<void> {
    while (run === this.run) {
      const started = performance.now();
      let text: string | null = null;
      if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
        try {
          text = await decoder.decode(video);
        } catch (err) {
          if (run !== this.run) return; // stopped meanwhile (the decoder was disposed)
          // One bad frame (or a decoder restarting) is not worth stopping for: try the next.
          console.warn('QR decoding of a camera frame failed', err);
        }
      }
      if (run !== this.run) return;
      if (text !== null) {
        this.stop();
        this.onText(text);
        return;
      }
      const rest = FRAME_INTERVAL_MS - (performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, rest)));
    }
  }

  private begin(phase: ScanPhase): number {
    this.run++;
    this.releaseCamera();
    this.setPhase(phase);
    return this.run;
  }

  private getDecoder(): Promise<QrDecoder> {
    this.decoder ??= createQrDecoder();
    return this.decoder;
  }

  private releaseCamera(): void {
    if (this.stream) closeCamera(this.stream);
    this.stream = null;
    const video = this.video();
    if (video) video.srcObject = null;
  }

  private fail(err: unknown): void {
    const code = errorCodeOf(err);
    if (code === 'UNEXPECTED') console.warn('QR scanning failed', err);
    this.releaseCamera();
    this.setPhase({ kind: 'failed', code });
  }

  private setPhase(phase: ScanPhase): void {
    this.phase = phase;
    this.host.requestUpdate();
  }
}
