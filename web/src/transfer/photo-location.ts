/**
 * A JPEG photo without where it was taken, before it is offered (shared/jpeg-location.ts does
 * the bytes). First only the head of the file is read: when the metadata and the whole first
 * picture are in it, that is enough (anything after the picture is dropped: more pictures or a
 * motion photo's video can carry the location too). Otherwise the whole file is read instead of
 * sending the location.
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
  let whole = head.length >= file.size;
  let result = stripJpegLocation(head, { whole });
  // The metadata or the first picture runs past the head (most photos): read the whole file
  // rather than send the location. A photo is small enough to hold once.
  if (result.truncated && !whole) {
    head = new Uint8Array(await file.arrayBuffer());
    whole = true;
    result = stripJpegLocation(head, { whole });
  }
  // Metadata cut short in the file itself: not a photo this can read; sent as it is.
  if (result.truncated) return file;
  const { bytes, changed } = result;
  // The first picture ended inside the head: whatever follows the head follows the picture.
  if (!changed && whole) return file;
  return new File([bytes], file.name, { type: file.type, lastModified: file.lastModified });
}
