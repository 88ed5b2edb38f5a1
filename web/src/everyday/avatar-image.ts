/**
 * Avatar images are re-encoded on this device before they are kept or sent: decoded
 * (createImageBitmap), centre-cropped to a square of at most EVERYDAY_LIMITS.avatarSidePx, and
 * drawn into a fresh canvas that is encoded as WebP (JPEG where the browser cannot write WebP),
 * lowering the quality until the bytes fit EVERYDAY_LIMITS.maxAvatarBytes. Only pixels survive:
 * no EXIF, location or other metadata of the original file, and never the original bytes.
 */
import { EVERYDAY_LIMITS, type AvatarMime } from '../../../shared/messaging/everyday-messages';

export interface AvatarImage {
  mime: AvatarMime;
  bytes: Uint8Array;
}

/** Qualities tried in turn; the last one also shrinks the side until the image fits. */
const QUALITIES = [0.86, 0.75, 0.62, 0.5, 0.4, 0.3];

type AnyCanvas = OffscreenCanvas | HTMLCanvasElement;

function canvasOf(side: number): AnyCanvas {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(side, side);
  const c = document.createElement('canvas');
  c.width = c.height = side;
  return c;
}

async function encode(canvas: AnyCanvas, type: string, quality: number): Promise<Blob | null> {
  if ('convertToBlob' in canvas) return canvas.convertToBlob({ type, quality });
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

/** Draws the centre square of `bitmap` at `side` px and encodes it; null when the browser gave nothing. */
async function render(bitmap: ImageBitmap, side: number, type: string, quality: number): Promise<Blob | null> {
  const canvas = canvasOf(side);
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) return null;
  const crop = Math.min(bitmap.width, bitmap.height);
  const sx = (bitmap.width - crop) / 2;
  const sy = (bitmap.height - crop) / 2;
  // JPEG has no transparency: a white ground instead of black behind transparent pixels.
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, side, side);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, sx, sy, crop, crop, 0, 0, side, side);
  return encode(canvas, type, quality);
}

/**
 * Re-encodes an image file (or received avatar bytes) into a small square avatar. Rejects when
 * the image cannot be decoded or cannot be made small enough.
 */
export async function reencodeAvatar(source: Blob): Promise<AvatarImage> {
  const bitmap = await createImageBitmap(source);
  try {
    if (bitmap.width < 1 || bitmap.height < 1) throw new Error('empty image');
    let side = Math.min(EVERYDAY_LIMITS.avatarSidePx, bitmap.width, bitmap.height);
    // Use WebP when this browser writes it (it answers with PNG otherwise), else JPEG.
    let mime: AvatarMime = 'image/webp';
    for (;;) {
      for (const quality of QUALITIES) {
        let blob = await render(bitmap, side, mime, quality);
        if (blob && blob.type !== mime && mime === 'image/webp') {
          mime = 'image/jpeg';
          blob = await render(bitmap, side, mime, quality);
        }
        if (!blob || blob.type !== mime) throw new Error('the browser could not encode the image');
        if (blob.size > 0 && blob.size <= EVERYDAY_LIMITS.maxAvatarBytes) return { mime, bytes: new Uint8Array(await blob.arrayBuffer()) };
      }
      if (side <= 32) throw new Error('the image does not get small enough');
      side = Math.floor(side * 0.75);
    }
  } finally {
    bitmap.close();
  }
}
