/**
 * How a received file is handed to the browser when the person saves it: a pure decision, run by
 * web/src/components/pc-file-card.ts.
 *
 * A received file is the contact's content, and it is read from this app's own origin (a blob:
 * URL). If a browser rendered it (HTML, SVG, XHTML, XML, PDF…) instead of saving it, its
 * scripts would run with the app's origin: its history, keys and connections. So a received file
 * is only ever downloaded, under a cleaned name, as `application/octet-stream` unless it is one
 * of the raster image types the app itself shows inline (these never run script). SVG is not one
 * of them: it is an image type that can carry script.
 */
import { INLINE_IMAGE_MIMES, sanitizeFileName } from './transfer/names';

/** The type nothing renders: browsers only ever save it. */
export const DOWNLOAD_ONLY_TYPE = 'application/octet-stream';

/** The Blob type to save a received file under (its stated type only for inline raster images). */
export function savedFileType(mime: string): string {
  const type = mime.trim().toLowerCase();
  return INLINE_IMAGE_MIMES.includes(type) ? type : DOWNLOAD_ONLY_TYPE;
}

/** The name to suggest for a received file (cleaned again: the save must never be a path). */
export function savedFileName(name: string): string {
  return sanitizeFileName(name);
}
