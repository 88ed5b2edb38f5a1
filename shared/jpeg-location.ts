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
 * - Everything after the first picture's end (EOI) is dropped: multi-picture files (MPF: a
 *   preview, a depth map, the other eye of a stereo pair) append further JPEGs, each with its
 *   own Exif and GPS; motion photos append a video whose metadata can hold the location; other
 *   cameras append their own trailers. The MPF index (APP2 "MPF\0"), which points at the
 *   dropped pictures, goes with them. The picture shown is the first one, and it is kept.
 * - Anything that is not a JPEG, or whose segments do not parse, is returned unchanged
 *   (`changed: false`); the image data of the first picture is copied as is.
 */

const EXIF_ID = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
const XMP_ID = Array.from('http://ns.adobe.com/xap/1.0/\0', (c) => c.charCodeAt(0));
/** Extended XMP (the overflow of a large XMP packet): it can carry the location too. */
const XMP_EXTENSION_ID = Array.from('http://ns.adobe.com/xmp/extension/\0', (c) => c.charCodeAt(0));
/** The multi-picture index (CIPA DC-007) in APP2. */
const MPF_ID = [0x4d, 0x50, 0x46, 0];
const GPS_IFD_TAG = 0x8825;
/** Bytes per value of each TIFF field type (1 BYTE … 12 DOUBLE). */
const TYPE_SIZES: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };

export interface LocationStripResult {
  bytes: Uint8Array<ArrayBuffer>;
  /** Whether anything was removed. */
  changed: boolean;
  /**
   * The metadata, or (unless `whole`) the first picture, runs past the end of `input` (only the
   * head of a file was given): nothing was removed, and the caller must try again with the
   * whole file. When it is not set, `bytes` is the complete file to send: nothing after the
   * first picture's end, in `input` or beyond it, belongs to it.
   */
  truncated?: true;
}

export interface LocationStripOptions {
  /**
   * `input` is the whole file: a first picture without an end marker runs to the end of it (a
   * photo cut short) instead of asking for more.
   */
  whole?: boolean;
}

function startsWith(bytes: Uint8Array, at: number, prefix: readonly number[]): boolean {
  if (at + prefix.length > bytes.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

/** The JPEG without its location (see the file comment). */
export function stripJpegLocation(input: Uint8Array<ArrayBuffer>, options: LocationStripOptions = {}): LocationStripResult {
  const unchanged = { bytes: input, changed: false };
  const truncated: LocationStripResult = { bytes: input, changed: false, truncated: true };
  if (input.length < 4 || input[0] !== 0xff || input[1] !== 0xd8) return unchanged;
  const kept: Uint8Array<ArrayBuffer>[] = [input.subarray(0, 2)];
  /** The MPF index: kept only if nothing follows the first picture. */
  let mpf: { at: number; bytes: Uint8Array<ArrayBuffer> } | undefined;
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
    } else if (marker === 0xe2 && startsWith(input, payload, MPF_ID) && !mpf) {
      mpf = { at: kept.length, bytes: input.subarray(pos, end) };
      kept.push(mpf.bytes);
    } else {
      kept.push(input.subarray(pos, end));
    }
    pos = end;
  }
  let imageEnd = pictureEnd(input, pos);
  if (imageEnd < 0) {
    if (!options.whole) return truncated;
    imageEnd = input.length;
  }
  if (imageEnd < input.length) {
    // Further pictures, a video or a trailer: dropped, and the index that points at them.
    changed = true;
    if (mpf) kept.splice(mpf.at, 1);
  }
  if (!changed) return unchanged;
  kept.push(input.subarray(pos, imageEnd));
  const out = new Uint8Array(kept.reduce((n, k) => n + k.length, 0));
  let at = 0;
  for (const k of kept) {
    out.set(k, at);
    at += k.length;
  }
  return { bytes: out, changed };
}

/**
 * Where the first picture ends: just after its EOI marker, found by walking the segments between
 * scans and, inside each scan, the entropy-coded data (where 0xFF is followed by 0x00 stuffing or
 * a restart marker). `pos` is the first marker after the header (SOS or EOI). -1: the end is not
 * in `input`, or the structure is not one this code follows.
 */
function pictureEnd(input: Uint8Array, pos: number): number {
  const n = input.length;
  let p = pos;
  for (;;) {
    if (p + 2 > n || input[p] !== 0xff) return -1;
    const marker = input[p + 1]!;
    if (marker === 0xff) {
      p += 1; // A fill byte.
      continue;
    }
    if (marker === 0xd9) return p + 2;
    if (marker === 0xd8) return -1; // A second start of image inside the first: not followed.
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      p += 2; // Markers without a length.
      continue;
    }
    if (p + 4 > n) return -1;
    const end = p + 2 + ((input[p + 2]! << 8) | input[p + 3]!);
    if (end < p + 4 || end > n) return -1;
    p = end;
    if (marker !== 0xda) continue;
    // Entropy-coded data up to the next marker that is not stuffing or a restart.
    while (p < n) {
      if (input[p] !== 0xff) {
        p++;
        continue;
      }
      if (p + 1 >= n) return -1;
      const next = input[p + 1]!;
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) p += 2;
      else if (next === 0xff) p += 1;
      else break;
    }
  }
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
