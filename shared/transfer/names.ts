/**
 * Cleaning what a peer says about a file before it reaches the UI or a download: the name
 * (no paths, no control or bidi characters, bounded), the MIME type (a plain type/subtype) and
 * the image thumbnail (a small raster data URL only).
 */
import { utf8Length } from '../json';
import { TRANSFER_LIMITS } from './limits';

/** Name used when nothing is left of the offered one. */
export const FALLBACK_FILE_NAME = 'file';

// C0/C1 controls and DEL; invisible format characters that can disguise a name: bidi embeddings
// and overrides ("gpj.exe" shown as "exe.jpg"), isolates, zero-width characters, BOM.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
/** Characters Windows forbids in names (a downloaded file must be savable there too). */
const RESERVED_CHARS = /[<>:"|?*]/g;

/**
 * A safe file name from whatever a peer sent: only the last path component ("../../x" → "x",
 * "C:\\a\\b.txt" → "b.txt"), unsafe characters removed, reserved ones replaced by "_", leading
 * dots and trailing dots/spaces dropped (no "..", no hidden files), NFC, at most 255 UTF-8 bytes
 * (the extension is kept when it is short). Never empty: falls back to "file".
 */
export function sanitizeFileName(raw: string): string {
  let name = raw.normalize('NFC').replace(UNSAFE_CHARS, '');
  const parts = name.split(/[/\\]/).filter((p) => p.trim() !== '');
  name = parts[parts.length - 1] ?? '';
  name = name.replace(RESERVED_CHARS, '_').trim().replace(/^\.+/, '').replace(/[. ]+$/, '').trim();
  if (name === '') return FALLBACK_FILE_NAME;
  if (utf8Length(name) > TRANSFER_LIMITS.maxNameBytes) name = truncateKeepingExtension(name, TRANSFER_LIMITS.maxNameBytes);
  return name === '' ? FALLBACK_FILE_NAME : name;
}

function truncateKeepingExtension(name: string, maxBytes: number): string {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const stem = ext ? name.slice(0, dot) : name;
  return truncateUtf8(stem, maxBytes - utf8Length(ext)).replace(/[. ]+$/, '') + ext;
}

/** The longest prefix of `s` of at most maxBytes UTF-8 bytes, never splitting a surrogate pair. */
function truncateUtf8(s: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length;
    const n = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + n > maxBytes) break;
    bytes += n;
    i += pair ? 2 : 1;
  }
  return s.slice(0, i);
}

const MIME_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
export const DEFAULT_MIME = 'application/octet-stream';

/** True for a bare, lowercase `type/subtype` (no parameters) of at most 127 characters. */
export function isValidMime(mime: string): boolean {
  return mime.length <= TRANSFER_LIMITS.maxMimeChars && MIME_RE.test(mime);
}

/** What a sender puts in an offer for File.type: lowercased, parameters dropped, else octet-stream. */
export function normalizeMime(type: string): string {
  const bare = type.split(';')[0]?.trim().toLowerCase() ?? '';
  return isValidMime(bare) ? bare : DEFAULT_MIME;
}

/** Raster types the app shows inline. Never SVG (it is a document that can carry script). */
export const INLINE_IMAGE_MIMES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'];

const THUMB_RE = /^data:image\/(?:png|jpeg|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

/** True for a thumbnail data URL we are willing to put in an <img src>. */
export function isValidThumb(thumb: string): boolean {
  return thumb.length <= TRANSFER_LIMITS.maxThumbChars && THUMB_RE.test(thumb);
}
