/**
 * The display order of a group conversation, the same on every member device once the same
 * messages have arrived: by the author's time, then by message id (a random 128-bit value, so
 * ties break the same way everywhere). Author clocks can be wrong; that only moves a message in
 * the list, never hides it. A message that arrives after later ones is placed by the same rule
 * ({@link placeArrival}) and marked new, so the reader sees where it belongs.
 */
import { compareStrings } from './limits';

/** What the order needs of a message (or of a change line, merged into the same timeline). */
export interface OrderKey {
  ts: number;
  id: string;
}

/** The order: author time, then id. */
export function compareGroupMessages(a: OrderKey, b: OrderKey): number {
  return a.ts - b.ts || compareStrings(a.id, b.id);
}

/** A sorted copy. */
export function sortGroupMessages<T extends OrderKey>(list: readonly T[]): T[] {
  return [...list].sort(compareGroupMessages);
}

export type Arrival =
  /** Already shown (same id): store nothing, show nothing again. */
  | { duplicate: true }
  | {
      duplicate: false;
      /** Where it goes in the sorted list (insert before the message now at this index). */
      index: number;
      /** The id of the message it follows (null: first) and precedes (null: last). */
      after: string | null;
      before: string | null;
      /** It belongs before messages already shown: the view marks it "new" where it lands. */
      late: boolean;
    };

/** Where a newly arrived message goes in `sorted` (sorted by {@link compareGroupMessages}). */
export function placeArrival(sorted: readonly OrderKey[], m: OrderKey): Arrival {
  if (sorted.some((x) => x.id === m.id)) return { duplicate: true };
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareGroupMessages(sorted[mid]!, m) < 0) lo = mid + 1;
    else hi = mid;
  }
  return {
    duplicate: false,
    index: lo,
    after: lo > 0 ? sorted[lo - 1]!.id : null,
    before: lo < sorted.length ? sorted[lo]!.id : null,
    late: lo < sorted.length,
  };
}
