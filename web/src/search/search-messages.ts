/**
 * Search over every conversation stored on this device, through the `by-token` index: the
 * lookups of the query (shared/search `parseQuery`) are intersected starting from the one with
 * the fewest entries, the candidates are checked and ranked with `matchText`, and the best
 * `limit` come back with a snippet each.
 */
import { lookupRange, matchText, parseQuery, rankHits, snippet, type Snippet, type TextMatch } from '../../../shared/search/index';
import type { ChatDb, StoredMessage } from '../db/schema';
import { TEST_HOOKS } from '../test-hooks';

/** Candidates checked at most: a very common prefix ranks among these, not the whole history. */
export const MAX_CANDIDATES = 5000;

export interface SearchHit {
  message: StoredMessage;
  match: TextMatch;
  snippet: Snippet;
}

export async function searchMessages(db: ChatDb, query: string, limit = 50): Promise<SearchHit[]> {
  const parsed = parseQuery(query);
  if (parsed.lookups.length === 0) return [];
  const tx = db.transaction('messages');
  const index = tx.store.index('by-token');
  const ranges = parsed.lookups.map((l) => {
    const r = lookupRange(l);
    return r.lower === r.upper ? IDBKeyRange.only(r.lower) : IDBKeyRange.bound(r.lower, r.upper);
  });
  const counts = await Promise.all(ranges.map((r) => index.count(r)));
  const order = ranges.map((r, i) => ({ r, n: counts[i] ?? 0 })).sort((a, b) => a.n - b.n);
  if ((order[0]?.n ?? 0) === 0) {
    await tx.done;
    return [];
  }
  // The rarest lookup gives the candidates; the next rare ones narrow them (keys only).
  let ids = new Set((await index.getAllKeys(order[0]!.r, MAX_CANDIDATES * 4)) as string[]);
  for (const { r, n } of order.slice(1)) {
    if (ids.size <= 200 || n > MAX_CANDIDATES * 4) break;
    const other = new Set((await index.getAllKeys(r)) as string[]);
    ids = new Set([...ids].filter((id) => other.has(id)));
  }
  const candidates = [...ids].slice(0, MAX_CANDIDATES);
  const records = await Promise.all(candidates.map((id) => tx.store.get(id)));
  await tx.done;
  const hits: { item: StoredMessage; match: TextMatch }[] = [];
  for (const m of records) {
    if (!m || m.kind) continue;
    const match = matchText(m.text, parsed);
    if (match) hits.push({ item: m, match });
  }
  return rankHits(hits)
    .slice(0, limit)
    .map((h) => ({ message: h.item, match: h.match, snippet: snippet(h.item.text, h.match.spans) }));
}

declare global {
  interface Window {
    /** e2e builds only: the search the app runs, for the bench (test/bench/history-bench.ts). */
    peerchatSearch?: (db: ChatDb, query: string) => Promise<number>;
  }
}

if (TEST_HOOKS) window.peerchatSearch = async (db, q) => (await searchMessages(db, q)).length;
