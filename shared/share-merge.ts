/**
 * What to keep when content is shared to Peerchat from another app (the Web Share Target): a pure
 * decision, run by the service worker (web/src/pwa/share-store.ts).
 *
 * A share is only a draft until the person picks a contact, but another app (or a page that
 * opens the share target) can post any number of bytes, any number of times. So:
 * - one share, together with what already waits, holds at most {@link SHARE_LIMITS}.maxBytes;
 *   a share over it is refused as a whole (nothing partial), and what waited stays;
 * - a second share while one waits is kept beside it (its text after the first, its files after
 *   the first's), never silently in its place.
 */

export const SHARE_LIMITS = {
  /** Total bytes of the files waiting from shares (100 MiB). */
  maxBytes: 100 * 1024 * 1024,
  /** Files waiting from shares; more are refused with the share. */
  maxFiles: 20,
  /** Characters of the waiting draft text; longer text is cut. */
  maxTextChars: 64 * 1024,
} as const;

export interface ShareFileInfo {
  name: string;
  type: string;
  size: number;
}

export interface ShareDraft {
  text: string;
  files: ShareFileInfo[];
}

export type ShareMergeResult<F extends ShareFileInfo> =
  /** Keep `content`; the incoming files are stored after the `firstNewFile`-th. */
  | { ok: true; content: { text: string; files: F[] }; firstNewFile: number }
  /** The share is refused; what waited stays as it was. */
  | { ok: false; code: 'SHARE_TOO_LARGE' };

/** The waiting share (null: none) with `incoming` added beside it, or the refusal. */
export function mergeShare<F extends ShareFileInfo>(
  pending: { text: string; files: F[] } | null,
  incoming: { text: string; files: F[] },
  limits: { maxBytes: number; maxFiles: number; maxTextChars: number } = SHARE_LIMITS,
): ShareMergeResult<F> {
  const before = pending?.files ?? [];
  const files = [...before, ...incoming.files];
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  if (bytes > limits.maxBytes || files.length > limits.maxFiles) return { ok: false, code: 'SHARE_TOO_LARGE' };
  const text = [pending?.text ?? '', incoming.text].filter(Boolean).join('\n\n').slice(0, limits.maxTextChars);
  return { ok: true, content: { text, files }, firstNewFile: before.length };
}
