/**
 * Removes where a photo was taken from a JPEG before it is sent: a pure function over the bytes,
 * run by web/src/transfer/transfer-service.ts (unless the person chose to keep the location).
 *
 * - The Exif block (APP1 "Exif\0\0") stays, so the picture keeps its orientation, camera and
 *   date; only its GPS directory is emptied in place: every GPS entry and the values it points
 *   to are overwritten with zeros and the directory's entry count set to 0 (same length, so no
 *   other offset in the block moves).
 * - XMP blocks (APP1 "http://ns.adobe.com/xap/1.0/\0", and extended XMP) are dropped whole:
 *   they can repeat the location as text.
 * - An Exif block this code cannot follow (offsets outside it) is dropped whole rather than kept.
 * - Anything that is not a JPEG, or whose segments do not parse, is returned unchanged
 *   (`changed: false`); the image data after the start of scan is copied as is.
 */

const EXIF_ID = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
const XMP_ID = Array.from('http://ns.adobe.com/xap/1.0/\0', (c) => c.charCodeAt(0));
/** Extended XMP (the overflow of a large XMP packet): it can carry the location too. */
const XMP_EXTENSION_ID = Array.from('http://ns.adobe.com/xmp/extension/\0', (c) => c.charCodeAt(0));
const GPS_IFD_TAG = 0x8825;
/** Bytes per value of each TIFF field type (1 BYTE … 12 DOUBLE). */
const TYPE_SIZES: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };

export interface LocationStripResult {
  bytes: Uint8Array<ArrayBuffer>;
  /** Whether anything was removed. */
  changed: boolean;
  /**
   * The metadata runs past the end of `input` (only the head of a file was given): nothing was
   * removed, and the caller must try again with more of the file.
   */
  truncated?: true;
}

function startsWith(bytes: Uint8Array, at: number, prefix: readonly number[]): boolean {
  if (at + prefix.length > bytes.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

/** The JPEG without its location (see the file comment). */
export function stripJpegLocation(input: Uint8Array<ArrayBuffer>): LocationStripResult {
  const unchanged = { bytes: input, changed: false };
  const truncated: LocationStripResult = { bytes: input, changed: false, truncated: true };
  if (input.length < 4 || input[0] !== 0xff || input[1] !== 0xd8) return unchanged;
  const kept: Uint8Array<ArrayBuffer>[] = [input.subarray(0, 2)];
  let changed = false;
  let pos = 2;
  for (;;) {
    if (pos + 4 > input.length) return truncated;
    if (input[pos] !== 0xff) return unchanged;
    const marker = input[pos + 1]!;
    if (marker === 0xda || marker === 0xd9) break; // Start of scan / end of image: the rest is image data.
    if (marker === 0xff) {
      pos += 1; // A fill byte.
      continue;
    }
    const end = pos + 2 + ((input[pos + 2]! << 8) | input[pos + 3]!);
    if (end < pos + 4) return unchanged;
    if (end > input.length) return truncated;
    const payload = pos + 4;
    if (marker === 0xe1 && (startsWith(input, payload, XMP_ID) || startsWith(input, payload, XMP_EXTENSION_ID))) {
      changed = true;
    } else if (marker === 0xe1 && startsWith(input, payload, EXIF_ID)) {
      const segment = input.slice(pos, end);
      const scrubbed = emptyGpsDirectory(segment.subarray(4 + EXIF_ID.length));
      if (scrubbed !== 'none') changed = true;
      if (scrubbed !== 'unreadable') kept.push(segment);
    } else {
      kept.push(input.subarray(pos, end));
    }
    pos = end;
  }
  if (!changed) return unchanged;
  kept.push(input.subarray(pos));
  const out = new Uint8Array(kept.reduce((n, k) => n + k.length, 0));
  let at = 0;
  for (const k of kept) {
    out.set(k, at);
    at += k.length;
  }
  return { bytes: out, changed };
}

/**
 * Empties the GPS directory of a TIFF structure (the Exif block after its identifier), in place.
 * 'none': there was none; 'emptied'; 'unreadable': the structure could not be followed.
 */
function emptyGpsDirectory(tiff: Uint8Array): 'none' | 'emptied' | 'unreadable' {
  if (tiff.length < 8) return 'unreadable';
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return 'unreadable';
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  const fits = (at: number, n: number) => at >= 0 && n >= 0 && at + n <= tiff.length;
  const ifd0 = u32(4);
  if (!fits(ifd0, 2)) return 'unreadable';
  const count0 = u16(ifd0);
  if (!fits(ifd0 + 2, count0 * 12)) return 'unreadable';
  let gps = -1;
  for (let i = 0; i < count0; i++) {
    const entry = ifd0 + 2 + i * 12;
    if (u16(entry) === GPS_IFD_TAG) gps = u32(entry + 8);
  }
  if (gps < 0) return 'none';
  if (!fits(gps, 2)) return 'unreadable';
  const count = u16(gps);
  if (!fits(gps + 2, count * 12)) return 'unreadable';
  for (let i = 0; i < count; i++) {
    const entry = gps + 2 + i * 12;
    const size = (TYPE_SIZES[u16(entry + 2)] ?? 1) * u32(entry + 4);
    if (size > 4) {
      const at = u32(entry + 8);
      if (!fits(at, size)) return 'unreadable';
      tiff.fill(0, at, at + size);
    }
    tiff.fill(0, entry, entry + 12);
  }
  view.setUint16(gps, 0, little);
  return 'emptied';
}
