// A photo's location is removed before it is sent (shared/jpeg-location.ts): a JPEG with an Exif
// block carrying GPS coordinates and orientation, and an XMP block, built byte by byte here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stripJpegLocation } from '../../shared/jpeg-location';
import { withoutLocation } from '../../web/src/transfer/photo-location';

/** Big-endian ("MM") TIFF: IFD0 with Orientation 6 and a GPS pointer; GPS IFD with N 48°51'24". */
function exifTiff(): number[] {
  const b: number[] = [];
  const u16 = (v: number) => b.push((v >> 8) & 0xff, v & 0xff);
  const u32 = (v: number) => b.push((v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
  b.push(0x4d, 0x4d);
  u16(42);
  u32(8); // IFD0 at 8
  // IFD0: 2 entries (8 + 2 + 24 + 4 = 38)
  u16(2);
  u16(0x0112); u16(3); u32(1); u16(6); u16(0); // Orientation = 6
  u16(0x8825); u16(4); u32(1); u32(38); // GPS IFD at 38
  u32(0); // no next IFD
  // GPS IFD at 38: 2 entries (38 + 2 + 24 + 4 = 68), latitude values at 68
  u16(2);
  u16(0x0001); u16(2); u32(2); b.push(0x4e, 0, 0, 0); // GPSLatitudeRef "N"
  u16(0x0002); u16(5); u32(3); u32(68); // GPSLatitude, 3 rationals at 68
  u32(0);
  for (const [n, d] of [[48, 1], [51, 1], [24, 1]] as const) {
    u32(n);
    u32(d);
  }
  return b;
}

function segment(marker: number, payload: number[]): number[] {
  const len = payload.length + 2;
  return [0xff, marker, len >> 8, len & 0xff, ...payload];
}

const EXIF = [...Array.from('Exif', (c) => c.charCodeAt(0)), 0, 0];
const XMP = Array.from('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta exif:GPSLatitude="48,51.4N"/>', (c) => c.charCodeAt(0));
const SCAN = [0xff, 0xda, 0, 4, 1, 2, 0x11, 0x22, 0x33, 0xff, 0xd9];

function photo(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([0xff, 0xd8, ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0]), ...segment(0xe1, [...EXIF, ...exifTiff()]), ...segment(0xe1, XMP), ...SCAN]);
}

function has(bytes: Uint8Array, needle: number[]): boolean {
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

const LATITUDE = [0, 0, 0, 48, 0, 0, 0, 1, 0, 0, 0, 51, 0, 0, 0, 1];

describe('stripJpegLocation', () => {
  test('the GPS coordinates and the XMP block are gone; orientation and image data stay', () => {
    const input = photo();
    assert.ok(has(input, LATITUDE), 'the test photo carries its latitude');
    const { bytes, changed } = stripJpegLocation(input);
    assert.equal(changed, true);
    assert.ok(!has(bytes, LATITUDE), 'no latitude left');
    assert.ok(!has(bytes, [0x4e, 0, 0, 0]), 'no latitude reference left');
    assert.ok(!has(bytes, Array.from('GPSLatitude', (c) => c.charCodeAt(0))), 'no XMP location left');
    assert.ok(has(bytes, [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6]), 'the orientation entry is kept');
    assert.deepEqual([...bytes.subarray(bytes.length - SCAN.length)], SCAN, 'the image data is copied as is');
    assert.equal(bytes.length, input.length - (XMP.length + 4), 'only the XMP block was removed; the Exif block keeps its length');
    assert.ok(has(input, LATITUDE), 'the input is not modified');
  });

  test('a JPEG without location, and anything that is not a JPEG, are returned unchanged', () => {
    const plain = new Uint8Array([0xff, 0xd8, ...segment(0xe0, [1, 2, 3]), ...SCAN]);
    assert.deepEqual(stripJpegLocation(plain), { bytes: plain, changed: false });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
    assert.deepEqual(stripJpegLocation(png), { bytes: png, changed: false });
  });

  test('an Exif block whose GPS offsets point outside it is dropped whole', () => {
    const tiff = exifTiff();
    tiff[30] = 0xff; // The GPS IFD pointer (IFD0's second entry's value) now points far outside.
    const input = new Uint8Array([0xff, 0xd8, ...segment(0xe1, [...EXIF, ...tiff]), ...SCAN]);
    const { bytes, changed } = stripJpegLocation(input);
    assert.equal(changed, true);
    assert.deepEqual([...bytes], [0xff, 0xd8, ...SCAN]);
  });

  test('extended XMP (the overflow of a large packet) is dropped too', () => {
    const ext = Array.from('http://ns.adobe.com/xmp/extension/\0<rdf exif:GPSLatitude="48,51.4N"/>', (c) => c.charCodeAt(0));
    const input = new Uint8Array([0xff, 0xd8, ...segment(0xe1, ext), ...SCAN]);
    const { bytes, changed } = stripJpegLocation(input);
    assert.equal(changed, true);
    assert.deepEqual([...bytes], [0xff, 0xd8, ...SCAN]);
  });

  test('metadata that runs past the bytes given says so (the caller reads more), never "nothing to remove"', () => {
    const whole = photo();
    // Only the head: it ends inside the XMP block that follows the Exif block.
    const head = whole.slice(0, whole.length - SCAN.length - 10);
    const result = stripJpegLocation(head);
    assert.equal(result.truncated, true);
    assert.equal(result.changed, false);
    assert.equal(stripJpegLocation(whole).truncated, undefined);
  });
});


/** APP2 "MPF\0" with a stand-in index (this code never reads it, only drops it). */
const MPF = segment(0xe2, [0x4d, 0x50, 0x46, 0, 0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8]);
/** Entropy data with 0xFF stuffing and a restart marker, then a second (progressive) scan after a DHT. */
const PROGRESSIVE_SCANS = [
  ...[0xff, 0xda, 0, 4, 1, 2, 0x11, 0xff, 0x00, 0x22, 0xff, 0xd0, 0x33],
  ...segment(0xc4, [0x10, 1, 2, 3]),
  ...[0xff, 0xda, 0, 4, 1, 2, 0x44, 0xff, 0x00, 0x55, 0xff, 0xff, 0xd9],
];
/** A second picture of a multi-picture file: its own Exif with the same GPS directory. */
function secondPicture(): number[] {
  return [0xff, 0xd8, ...segment(0xe1, [...EXIF, ...exifTiff()]), ...SCAN];
}
/** The tail of a motion photo: an MP4 with a location atom (ISO 6709 text). */
const VIDEO_WITH_LOCATION = [0, 0, 0, 0x18, ...Array.from('ftypmp42', (c) => c.charCodeAt(0)), ...Array.from('\u00a9xyz+48.8566+002.3522/', (c) => c.charCodeAt(0) & 0xff)];
const ISO6709 = Array.from('+48.8566+002.3522/', (c) => c.charCodeAt(0));

describe('stripJpegLocation: data after the first picture', () => {
  test('a multi-picture file: the second picture (with its own GPS) and the MPF index are dropped; the first picture stays whole', () => {
    const first = [0xff, 0xd8, ...segment(0xe1, [...EXIF, ...exifTiff()]), ...MPF, ...PROGRESSIVE_SCANS];
    const input = new Uint8Array([...first, ...secondPicture()]);
    const { bytes, changed, truncated } = stripJpegLocation(input);
    assert.equal(truncated, undefined);
    assert.equal(changed, true);
    assert.ok(!has(bytes, LATITUDE), 'no latitude left, in either picture');
    assert.ok(!has(bytes, [0x4d, 0x50, 0x46, 0]), 'no MPF index pointing at a dropped picture');
    assert.deepEqual([...bytes.subarray(bytes.length - PROGRESSIVE_SCANS.length)], PROGRESSIVE_SCANS, 'both scans of the first picture, stuffing and restarts included');
    assert.equal(bytes.length, first.length - MPF.length);
  });

  test('a motion photo: the video after the picture is dropped even when the picture itself carries no location', () => {
    const picture = [0xff, 0xd8, ...segment(0xe0, [1, 2, 3]), ...SCAN];
    const input = new Uint8Array([...picture, ...VIDEO_WITH_LOCATION]);
    const { bytes, changed } = stripJpegLocation(input);
    assert.equal(changed, true);
    assert.ok(!has(bytes, ISO6709));
    assert.deepEqual([...bytes], picture);
  });

  test('an MPF index with nothing after the picture is kept', () => {
    const input = new Uint8Array([0xff, 0xd8, ...MPF, ...SCAN]);
    assert.deepEqual(stripJpegLocation(input), { bytes: input, changed: false });
  });

  test('a head that ends inside the picture asks for the whole file; a whole file without an end marker keeps its data', () => {
    const input = new Uint8Array([0xff, 0xd8, ...segment(0xe1, [...EXIF, ...exifTiff()]), 0xff, 0xda, 0, 4, 1, 2, 0x11, 0x22]);
    assert.deepEqual(stripJpegLocation(input), { bytes: input, changed: false, truncated: true });
    const whole = stripJpegLocation(input, { whole: true });
    assert.equal(whole.changed, true);
    assert.ok(!has(whole.bytes, LATITUDE));
    assert.deepEqual([...whole.bytes.subarray(whole.bytes.length - 8)], [0xff, 0xda, 0, 4, 1, 2, 0x11, 0x22]);
  });
});

describe('withoutLocation: the file sent', () => {
  const big = (n: number) => Array.from({ length: n }, (_, i) => (i * 7) & 0x7f);

  test('a motion photo larger than the head read first: the whole file is read and the video dropped', async () => {
    const picture = [0xff, 0xd8, ...segment(0xe0, [1, 2, 3]), 0xff, 0xda, 0, 4, 1, 2, ...big(1_200_000), 0xff, 0xd9];
    const file = new File([new Uint8Array([...picture, ...VIDEO_WITH_LOCATION])], 'PXL_1.MP.jpg', { type: 'image/jpeg' });
    const out = await withoutLocation(file);
    const bytes = new Uint8Array(await out.arrayBuffer());
    assert.equal(bytes.length, picture.length);
    assert.ok(!has(bytes.subarray(bytes.length - 100), ISO6709));
    assert.equal(out.name, 'PXL_1.MP.jpg');
  });

  test('a small picture followed by a long trailer: what follows the head is dropped too', async () => {
    const picture = [0xff, 0xd8, ...segment(0xe0, [1, 2, 3]), ...SCAN];
    const file = new File([new Uint8Array([...picture, ...big(1_100_000), ...VIDEO_WITH_LOCATION])], 'a.jpg', { type: 'image/jpeg' });
    const bytes = new Uint8Array(await (await withoutLocation(file)).arrayBuffer());
    assert.deepEqual([...bytes], picture);
  });

  test('a plain photo is sent as it is (the same File)', async () => {
    const file = new File([new Uint8Array([0xff, 0xd8, ...segment(0xe0, [1, 2, 3]), ...SCAN])], 'a.jpg', { type: 'image/jpeg' });
    assert.equal(await withoutLocation(file), file);
  });
});
