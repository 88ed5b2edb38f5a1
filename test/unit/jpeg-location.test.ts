// A photo's location is removed before it is sent (shared/jpeg-location.ts): a JPEG with an Exif
// block carrying GPS coordinates and orientation, and an XMP block, built byte by byte here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stripJpegLocation } from '../../shared/jpeg-location';

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

