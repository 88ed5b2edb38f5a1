import { indexTokens } from '../../../shared/search/index';
import type { StoredMessage } from '../db/schema';

/** What a message record is found by: the words of its text (a file message: the file name). Quiet lines are not searchable. */
export function messageTokens(m: Pick<StoredMessage, 'text' | 'kind'>): string[] {
  return m.kind ? [] : indexTokens(m.text);
}

/** Same tokens, same order: nothing to rewrite. */
export function sameTokens(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return !!a && a.length === b.length && a.every((t, i) => t === b[i]);
}
