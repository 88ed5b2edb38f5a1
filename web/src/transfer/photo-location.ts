/**
 * A JPEG photo without where it was taken, before it is offered (shared/jpeg-location.ts does
 * the bytes). Usually only the head of the file is read: the metadata blocks come before the image
 * data, and the rest of the file is passed on as a slice. Metadata that runs past the head makes
 * it read the whole file instead of sending the location.
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
  let head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  let result = stripJpegLocation(head);
  // Metadata larger than the head (depth maps, Ultra HDR, extended XMP): read the whole file
  // rather than send the location. A photo is small enough to hold once.
  if (result.truncated && head.length < file.size) {
    head = new Uint8Array(await file.arrayBuffer());
    result = stripJpegLocation(head);
  }
  const { bytes, changed } = result;
  if (!changed) return file;
  return new File([bytes, file.slice(head.length)], file.name, { type: file.type, lastModified: file.lastModified });
}
