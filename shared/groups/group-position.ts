/**
 * Questions about a group state at a point of its history (pure): who was a member at a
 * message's position, whether a member may still write at that position, who may receive a
 * message, what a person's own standing is, and the lines the conversation shows for changes.
 *
 * A group message names as its position (`at`) the change-log heads its author knew. Its author
 * must be a member in the state made of the accepted changes up to that position; and if that
 * membership later ended (removed, or left) by an accepted change, only the author's messages
 * numbered up to the mark the ending change recorded for that device stay (removal wins over
 * messages written concurrently with it, or written later with an old position).
 */
import { applyOp, closureIn, genesisView, type GroupView } from './group-fold';
import { exitedAccount, type GroupOp } from './group-change';
import type { GroupState } from './group-state';

/** The ids at or before `cut` (the cut's ids and all their ancestors); null if one is unknown. */
export function closureOf(state: GroupState, cut: readonly string[]): Set<string> | null {
  return closureIn(state.changes, cut);
}

/** The state at `cut`: the accepted changes up to it, replayed in fold order. Null if the cut is not known here. */
export function viewAt(state: GroupState, cut: readonly string[]): GroupView | null {
  const closure = closureOf(state, cut);
  if (!closure || !closure.has(state.genesisId)) return null;
  let view = genesisView(state.changes.get(state.genesisId)!.change);
  for (const x of state.order) {
    if (!x.accepted || x.id === state.genesisId || !closure.has(x.id)) continue;
    const step = applyOp(view, state.changes.get(x.id)!.change);
    if (step.ok) view = step.view;
  }
  return view;
}

export type AuthorStanding =
  | { ok: true }
  /** The position names changes this device does not have: fetch the log and check again. */
  | { ok: false; code: 'GROUP_MSG_POSITION_UNKNOWN' }
  /** The author is not a member at the message's position. */
  | { ok: false; code: 'GROUP_MSG_NOT_MEMBER' }
  /** Numbered beyond the mark of the change that ended the author's membership. */
  | { ok: false; code: 'GROUP_MSG_AFTER_REMOVAL' };

/**
 * May `author` (device `device`, its message number `n`) write at position `at`? The answer
 * depends only on the change set, so it is the same on every device once sets agree; it can turn
 * from yes to no when a removal arrives (the message then stops being shown).
 */
export function authorStanding(state: GroupState, m: { author: string; device: string; n: number; at: readonly string[] }): AuthorStanding {
  const closure = closureOf(state, m.at);
  const view = closure && viewAt(state, m.at);
  if (!closure || !view) return { ok: false, code: 'GROUP_MSG_POSITION_UNKNOWN' };
  if (!view.members.some((x) => x.account === m.author)) return { ok: false, code: 'GROUP_MSG_NOT_MEMBER' };
  // The accepted change (inside the position) that last brought the author in...
  let joinedAt = -1;
  state.order.forEach((x, i) => {
    if (!x.accepted || !closure.has(x.id)) return;
    const op = state.changes.get(x.id)!.change.op;
    if ((op.type === 'create' && op.members.some((mm) => mm.account === m.author)) || (op.type === 'add' && op.member.account === m.author)) joinedAt = i;
  });
  // ...and the first accepted change after it that ended that membership.
  for (let i = joinedAt + 1; i < state.order.length; i++) {
    const x = state.order[i]!;
    if (!x.accepted) continue;
    const c = state.changes.get(x.id)!.change;
    if (exitedAccount(c) !== m.author || (c.op.type !== 'remove' && c.op.type !== 'leave')) continue;
    const mark = c.op.last.find((d) => d.device === m.device)?.n ?? 0;
    return m.n <= mark ? { ok: true } : { ok: false, code: 'GROUP_MSG_AFTER_REMOVAL' };
  }
  return { ok: true };
}

/**
 * Whether `account` may be sent a message written at `at`: a member now AND a member at that
 * position. So nothing goes to a member removed (or departed) before the message, and a joiner
 * gets history from their join on.
 */
export function mayReceive(state: GroupState, account: string, at: readonly string[]): boolean {
  if (!state.view.members.some((x) => x.account === account)) return false;
  const view = viewAt(state, at);
  return !!view && view.members.some((x) => x.account === account);
}

export type SelfStatus =
  | { status: 'member' }
  /** Removed by `by` (change `change`); the app says "you are no longer in this group". */
  | { status: 'removed'; by: string; change: string }
  | { status: 'left'; change: string }
  /** Never named by an accepted change. */
  | { status: 'not-member' };

/** Where `account` stands now, and which change ended its membership. */
export function selfStatus(state: GroupState, account: string): SelfStatus {
  if (state.view.members.some((x) => x.account === account)) return { status: 'member' };
  for (let i = state.order.length - 1; i >= 0; i--) {
    const x = state.order[i]!;
    if (!x.accepted) continue;
    const c = state.changes.get(x.id)!.change;
    if (exitedAccount(c) !== account) continue;
    return c.op.type === 'leave' ? { status: 'left', change: x.id } : { status: 'removed', by: c.author, change: x.id };
  }
  return { status: 'not-member' };
}

/** One line in the conversation for an accepted change ("alice added carol"). */
export interface GroupChangeLine {
  /** The change id (a stable key for the line). */
  id: string;
  author: string;
  /** The author's clock, ms. */
  ts: number;
  op: GroupOp;
}

/** The lines for every accepted change, in fold order (the creation first). */
export function changeLines(state: GroupState): GroupChangeLine[] {
  return state.order
    .filter((x) => x.accepted)
    .map((x) => {
      const c = state.changes.get(x.id)!.change;
      return { id: x.id, author: c.author, ts: c.ts, op: c.op };
    });
}
