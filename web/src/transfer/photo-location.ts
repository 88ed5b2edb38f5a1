/**
 * A JPEG photo without where it was taken, before it is offered (shared/jpeg-location.ts does
 * the bytes). Only the head of the file is read: the metadata blocks come before the image data,
 * and the rest of the file is passed on as a slice (never read into memory here).
 */
import { stripJpegLocation } from '../../../shared/jpeg-location';

/** How much of a JPEG's head is read to find its metadata (Exif is at most 64 KiB per block). */
const HEAD_BYTES = 1024 * 1024;

function isJpeg(file: File): boolean {
  return file.type === 'image/jpeg' || /\.jpe?g$/i.test(file.name);
}

/** The file without its location, or the file itself when it is not a JPEG or carries none. */
export async function withoutLocation(file: File): Promise<File> {
  if (!isJpeg(file)) return file;
  const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  const { bytes, changed } = stripJpegLocation(head);
  if (!changed) return file;
  return new File([bytes, file.slice(head.length)], file.name, { type: file.type, lastModified: file.lastModified });
}
