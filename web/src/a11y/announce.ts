// What the screen-reader live region of a conversation says, decided without the DOM: only news
// (a message that just arrived, a transfer passing a quarter), never the history already on
// screen when a conversation opens, and never every percent of a transfer.

/** A sentence for the conversation's polite live region (the `pc-announce` event). */
export interface AnnounceDetail {
  text: string;
}

/** The point a transfer has reached, in steps worth saying aloud. */
export type TransferMilestone = 'start' | 25 | 50 | 75 | 'done';

/**
 * The milestone of a transfer in `state` at `fraction` (0..1), or null when there is nothing to
 * say (offered, cancelled, declined, failed: the card's own status or alert line says those;
 * a progress not known yet).
 */
export function transferMilestone(state: string, fraction: number, known: boolean): TransferMilestone | null {
  if (state === 'done') return 'done';
  if (state !== 'running' || !known) return null;
  const quarter = Math.floor(Math.min(1, Math.max(0, fraction)) * 4);
  return quarter === 0 ? 'start' : quarter >= 3 ? 75 : quarter === 2 ? 50 : 25;
}

/**
 * Whether going from `prev` to `next` is news: not on first sight (`prev` undefined, e.g. the
 * card drawn as the conversation opens), not when nothing worth saying was reached, not twice.
 */
export function milestoneIsNews(prev: TransferMilestone | null | undefined, next: TransferMilestone | null): next is TransferMilestone {
  return prev !== undefined && next !== null && next !== prev;
}

/** The part of a message the announcer needs. */
export interface AnnouncedMessage {
  id: string;
  outgoing: boolean;
  /** Set on system lines ("bob added a device"), which are not messages. */
  kind?: string;
}

/**
 * The newest incoming message if it is new since `seen` (the ids shown at the last render), or
 * null: on the first render of a conversation (`seen` null) nothing is new, and older messages
 * loaded above are never the newest.
 */
export function newIncoming<M extends AnnouncedMessage>(seen: ReadonlySet<string> | null, messages: readonly M[]): M | null {
  if (!seen) return null;
  for (const m of [...messages].reverse()) {
    if (m.outgoing || m.kind) continue;
    return seen.has(m.id) ? null : m;
  }
  return null;
}
