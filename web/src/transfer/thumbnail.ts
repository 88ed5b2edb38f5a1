/**
 * A small thumbnail of an image, made on the sender and carried in the offer, so the receiver
 * (and the history) shows a preview before and without the file. ≤ 16 KB as a data URL.
 */
import { INLINE_IMAGE_MIMES, TRANSFER_LIMITS } from '../../../shared/transfer/index';

export const THUMB_MAX_CHARS = 16 * 1024;

/** Whether the file is an image we show inline (raster, small enough). */
export function isInlineImageFile(file: Blob): boolean {
  return INLINE_IMAGE_MIMES.includes(file.type) && file.size <= TRANSFER_LIMITS.maxInlineImageBytes;
}

/** A JPEG data URL of at most THUMB_MAX_CHARS, or undefined if the image cannot be decoded. */
export async function makeThumbnail(file: Blob): Promise<string | undefined> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (e) {
    // The card then shows the file without a preview.
    console.warn('thumbnail: the image could not be decoded:', e instanceof Error ? e.name : typeof e);
    return undefined;
  }
  try {
    for (const [edge, quality] of [
      [240, 0.7],
      [160, 0.6],
      [96, 0.5],
    ] as const) {
      const scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      const ctx = canvas.getContext('2d');
      if (!ctx) return undefined;
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const url = canvas.toDataURL('image/jpeg', quality);
      if (url.startsWith('data:image/jpeg;base64,') && url.length <= THUMB_MAX_CHARS) return url;
    }
    return undefined;
  } finally {
    bitmap.close();
  }
}
