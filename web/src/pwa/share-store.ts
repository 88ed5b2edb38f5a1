/**
 * Where content shared to Peerchat from the operating system waits until the person picks a
 * contact. The service worker writes it (it receives the share target's POST); the page reads it.
 * Both sides only use Cache Storage, which exists in windows and workers alike.
 *
 * Layout of the cache `peerchat-share-v1`:
 *   /__share__/meta      JSON {@link SharedContent}
 *   /__share__/file/<i>  the i-th shared file (body = bytes; headers carry name, type, mtime)
 */

/** The manifest's `share_target.action`: the service worker answers POSTs to it. */
export const SHARE_ACTION = '/share-target';
/** Where the service worker sends the app after storing a share. */
export const SHARE_LANDING = '/?share=1';
/** Where the server sends a share that reached it (no service worker was running). */
export const SHARE_LOST_PARAM = 'unavailable';

import { PeerchatError } from '../../../shared/errors';
import { SHARE_LIMITS, mergeShare } from '../../../shared/share-merge';

const CACHE = 'peerchat-share-v1';
const META = '/__share__/meta';
const FILE = '/__share__/file/';

/** Kept generous but bounded: a share is a message draft, not a document (shared/share-merge.ts). */
export const MAX_SHARED_TEXT = SHARE_LIMITS.maxTextChars;
export const MAX_SHARED_FILES = SHARE_LIMITS.maxFiles;
/** The `?share=` value for a share refused by the limits. */
export const SHARE_TOO_LARGE_PARAM = 'too-large';

export interface SharedFileInfo {
  name: string;
  type: string;
  size: number;
}

export interface SharedContent {
  /** Title, text and URL merged into one draft (empty once it went into a composer). */
  text: string;
  files: SharedFileInfo[];
  receivedAt: number;
}

function clip(value: FormDataEntryValue | null): string {
  return typeof value === 'string' ? value.trim().slice(0, MAX_SHARED_TEXT) : '';
}

/**
 * One draft from the share's fields, like messengers do: the title only when the text does not
 * already carry it, the URL only when the text does not already contain it.
 */
export function draftFromFields(title: string, text: string, url: string): string {
  const parts: string[] = [];
  if (title && !text.includes(title) && !url.includes(title)) parts.push(title);
  if (text) parts.push(text);
  if (url && !text.includes(url)) parts.push(url);
  return parts.join('\n').slice(0, MAX_SHARED_TEXT);
}

/**
 * Service worker side: stores a share target's form data beside any share still waiting (never
 * in its place). Rejects with PeerchatError SHARE_TOO_LARGE, storing nothing, when the waiting
 * share and this one together are over the limits of shared/share-merge.ts.
 */
export async function saveShare(form: FormData): Promise<SharedContent> {
  const text = draftFromFields(clip(form.get('title')), clip(form.get('text')), clip(form.get('url')));
  const incoming = form
    .getAll('files')
    .filter((f): f is File => typeof f !== 'string' && f.size > 0)
    .map((file, i) => ({ file, name: file.name || `shared-file-${i + 1}`, type: file.type || 'application/octet-stream', size: file.size }));
  const pending = await loadShare().catch((err: unknown) => {
    console.warn('Peerchat: the waiting share is unreadable; it is replaced', err);
    return null;
  });
  const merged = mergeShare(pending, { text, files: incoming });
  if (!merged.ok) throw new PeerchatError(merged.code, { max: SHARE_LIMITS.maxBytes });
  const cache = await caches.open(CACHE);
  for (const [i, { file, name, type }] of incoming.entries()) {
    await cache.put(
      `${FILE}${merged.firstNewFile + i}`,
      new Response(file, {
        headers: { 'Content-Type': type, 'X-File-Name': encodeURIComponent(name), 'X-Last-Modified': String(file.lastModified || Date.now()) },
      }),
    );
  }
  const files: SharedFileInfo[] = merged.content.files.map(({ name, type, size }) => ({ name, type, size }));
  const content: SharedContent = { text: merged.content.text, files, receivedAt: Date.now() };
  await writeMeta(cache, content);
  return content;
}

async function writeMeta(cache: Cache, content: SharedContent): Promise<void> {
  await cache.put(META, new Response(JSON.stringify(content), { headers: { 'Content-Type': 'application/json' } }));
}

function isContent(v: unknown): v is SharedContent {
  if (!v || typeof v !== 'object') return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.text === 'string' &&
    typeof c.receivedAt === 'number' &&
    Array.isArray(c.files) &&
    c.files.every((f: unknown) => !!f && typeof f === 'object' && typeof (f as SharedFileInfo).name === 'string' && typeof (f as SharedFileInfo).size === 'number')
  );
}

/** The pending share, or null when there is none (or Cache Storage is unavailable). */
export async function loadShare(): Promise<SharedContent | null> {
  if (typeof caches === 'undefined' || !(await caches.has(CACHE))) return null;
  const cache = await caches.open(CACHE);
  const res = await cache.match(META);
  if (!res) return null;
  try {
    const content: unknown = await res.json();
    return isContent(content) && (content.text || content.files.length > 0) ? content : null;
  } catch (err) {
    console.warn('Peerchat: the stored share is unreadable; it is ignored', err);
    return null;
  }
}

/** The shared files themselves, for the file-transfer feature to send. */
export async function loadSharedFiles(): Promise<File[]> {
  const content = await loadShare();
  if (!content) return [];
  const cache = await caches.open(CACHE);
  const out: File[] = [];
  for (const [i, info] of content.files.entries()) {
    const res = await cache.match(`${FILE}${i}`);
    if (!res) continue;
    const lastModified = Number(res.headers.get('X-Last-Modified')) || Date.now();
    out.push(new File([await res.blob()], info.name, { type: info.type, lastModified }));
  }
  return out;
}

/** Marks the text as used (it went into a composer); the files, if any, stay pending. */
export async function takeSharedText(): Promise<void> {
  const content = await loadShare();
  if (!content) return;
  if (content.files.length === 0) return clearShare();
  await writeMeta(await caches.open(CACHE), { ...content, text: '' });
}

/** Forgets the share and its files. */
export async function clearShare(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(CACHE);
}
