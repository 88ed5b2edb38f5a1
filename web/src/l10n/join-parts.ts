import { msg } from '@lit/localize';

/**
 * Joins the parts of an accessible name or status line ("ann, online, 2 unread") with the
 * language's separator (", " in English, "，" in Chinese), skipping empty parts.
 */
export function joinParts(parts: readonly string[]): string {
  return parts.filter(Boolean).join(msg(', ', { id: 'part-separator', desc: 'Between the parts of a list read out as one line' }));
}
