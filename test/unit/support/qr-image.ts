// QR codes as raw pixels for tests of the scanner: rendered from the `qrcode` package's module
// matrix (black on white, with the standard quiet zone), no canvas needed.
import QRCode from 'qrcode';

export interface GrayImage {
  width: number;
  height: number;
  /** One byte per pixel, 0 = black, 255 = white. */
  gray: Uint8Array;
}

/**
 * `text` as a QR code, `scale` pixels per module, centred on a white canvas of at least
 * `width` × `height` (it grows if the code does not fit).
 */
export function qrGray(text: string, { scale = 6, width = 0, height = 0 } = {}): GrayImage {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const side = (modules.size + 8) * scale; // 4 modules of quiet zone on each side
  const w = Math.max(width, side);
  const h = Math.max(height, side);
  const gray = new Uint8Array(w * h).fill(255);
  const left = Math.floor((w - side) / 2) + 4 * scale;
  const top = Math.floor((h - side) / 2) + 4 * scale;
  for (let y = 0; y < modules.size; y++) {
    for (let x = 0; x < modules.size; x++) {
      if (!modules.get(y, x)) continue;
      for (let dy = 0; dy < scale; dy++) gray.fill(0, (top + y * scale + dy) * w + left + x * scale, (top + y * scale + dy) * w + left + (x + 1) * scale);
    }
  }
  return { width: w, height: h, gray };
}

/** The image as RGBA bytes (what a canvas's getImageData gives the decoder). */
export function toRgba({ width, height, gray }: GrayImage): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < gray.length; i++) rgba.set([gray[i]!, gray[i]!, gray[i]!, 255], i * 4);
  return rgba;
}

/**
 * The image as a YUV4MPEG2 (Y4M) video of `frames` identical 4:2:0 frames, the format Chromium's
 * `--use-file-for-fake-video-capture` plays as the camera. Width and height must be even.
 */
export function toY4m({ width, height, gray }: GrayImage, frames = 2): Buffer {
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128); // U and V planes: no colour
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Buffer.from(gray), chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`);
  return Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]);
}
