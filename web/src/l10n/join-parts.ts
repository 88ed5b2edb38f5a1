import { msg } from '@lit/localize';

/**
 * Joins the parts of an accessible name or status line ("ann, online, 2 unread") with the
 * language's separator (", " in English, "，" in Chinese), skipping empty parts.
 */
export function joinParts(parts: readonly string[]): string {
  return parts.filter(Boolean).join(msg(', ', { id: 'part-separator', desc: 'Between the parts of a list read out as one line' }));
}

/**
 * What goes between two sentences shown one after the other (a bold lead and its explanation):
 * a space in English, nothing visible in Chinese, whose full stop "。" already separates them.
 */
export function sentenceSpace(): string {
  return msg(' ', { id: 'sentence-space', desc: 'Between two sentences shown one after the other; Chinese: a zero-width space (U+200B), as an empty translation would fall back to English' });
}
