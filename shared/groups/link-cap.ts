/**
 * The cap on open peer connections (pure): groups of up to 32 members of several devices each
 * would otherwise keep dozens of WebRTC connections open. Connections are opened on demand; when
 * the ones needed now would exceed the cap, idle ones are closed first, least recently active
 * first. A link that is needed now or busy (a transfer running) is never closed to make room.
 */

/** Open peer connections at most, by default. */
export const DEFAULT_LINK_CAP = 24;

export interface OpenLink {
  /** Whatever names the link for the caller (e.g. "account/device"). */
  key: string;
  /** Last time a frame went either way, ms (the caller's clock). */
  lastActivity: number;
  /** A transfer or a sync is running on it. */
  busy?: boolean;
}

export interface LinkPlan {
  /** Open links to close now, least recently active first. */
  close: string[];
  /** Needed links not open yet that fit under the cap: open them. */
  open: string[];
  /** Needed links that do not fit now (everything open is needed or busy): try again later. */
  wait: string[];
}

/**
 * Which links to close and open so that `needed` are open if they fit under `cap`. Needed links
 * are opened in the order given (put the most urgent first).
 */
export function planLinks(open: readonly OpenLink[], needed: readonly string[], cap: number = DEFAULT_LINK_CAP): LinkPlan {
  const openKeys = new Set(open.map((l) => l.key));
  const want = [...new Set(needed)];
  const wantSet = new Set(want);
  const toOpen = want.filter((k) => !openKeys.has(k));
  const closable = open
    .filter((l) => !wantSet.has(l.key) && !l.busy)
    .sort((a, b) => a.lastActivity - b.lastActivity || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let count = open.length;
  const close: string[] = [];
  const opening: string[] = [];
  const wait: string[] = [];
  // Over the cap already (it was lowered): close idle links down to it.
  while (count > cap && closable.length) {
    close.push(closable.shift()!.key);
    count--;
  }
  for (const key of toOpen) {
    if (count >= cap && closable.length) {
      close.push(closable.shift()!.key);
      count--;
    }
    if (count < cap) {
      opening.push(key);
      count++;
    } else wait.push(key);
  }
  return { close, open: opening, wait };
}
