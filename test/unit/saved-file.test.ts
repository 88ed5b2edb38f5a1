// How a received file is saved (shared/saved-file.ts): anything a browser could render as a page
// (and so run as the app's origin) is saved as application/octet-stream; SVG is never an image
// the app shows; the name is cleaned.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DOWNLOAD_ONLY_TYPE, savedFileName, savedFileType } from '../../shared/saved-file';
import { INLINE_IMAGE_MIMES } from '../../shared/transfer/index';

describe('savedFileType', () => {
  test('types a browser renders are saved as octet-stream', () => {
    for (const mime of ['text/html', 'TEXT/HTML', 'image/svg+xml', 'application/xhtml+xml', 'text/xml', 'application/xml', 'application/pdf', 'text/plain', 'application/javascript', '', 'multipart/x-mixed-replace']) {
      assert.equal(savedFileType(mime), DOWNLOAD_ONLY_TYPE, mime);
    }
  });

  test('the raster images the app shows inline keep their type', () => {
    for (const mime of INLINE_IMAGE_MIMES) assert.equal(savedFileType(mime), mime);
  });

  test('SVG is never an inline image', () => {
    assert.ok(!INLINE_IMAGE_MIMES.includes('image/svg+xml'));
  });
});

describe('savedFileName', () => {
  test('a path or markup in the name is cleaned', () => {
    assert.equal(savedFileName('../../page.html'), 'page.html');
    assert.equal(savedFileName('<b>.html'), '_b_.html');
  });
});
