/**
 * Record numbers for catch-up between own devices: every write of a message takes the next
 * number (one more than the highest stored), inside the writing transaction, so numbers only
 * grow and "after N" is exactly what changed since N.
 */

/** The messages store of a readwrite transaction (only its seq index is used). */
interface SeqIndexed {
  index(name: 'by-seq'): { openKeyCursor(query: null, direction: 'prev'): Promise<{ key: number } | null> };
}

/** The next record number, read in the caller's transaction. */
export async function nextSeq(messages: SeqIndexed): Promise<number> {
  const top = await messages.index('by-seq').openKeyCursor(null, 'prev');
  return (top?.key ?? 0) + 1;
}
