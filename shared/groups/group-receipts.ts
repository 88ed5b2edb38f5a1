/**
 * "typing…" and "Read" in group conversations: who may send them, what they change, and what a
 * device sends. Pure; the timing of typing is the two-person one (shared/messaging/receipts-typing.ts),
 * run by web/src/groups/group-typing.ts, and settings apply the same way (off: neither send nor show).
 *
 * The sender of a frame is always the account at the other end of the pairwise session it came
 * on, never a name from the frame. A frame counts only from a current member of the group (a
 * removed member's or a stranger's is ignored), and a `group-read` changes only messages of that
 * group this account wrote, and only ever adds a reader (never backwards).
 */
import { isGroupMember, type GroupState } from './group-state';
import type { GroupReadFrame } from './group-frames';

/** Whether a `group-typing` or `group-read` for `state` from `from` counts here (`me`: this account). */
export function mayReportIn(state: GroupState | undefined, me: string, from: string): state is GroupState {
  return !!state && from !== me && isGroupMember(state, me) && isGroupMember(state, from);
}

/** The key of one member's "typing…" in one group (group ids and account names hold no newline). */
export function groupTypingKey(group: string, account: string): string {
  return `${group}\n${account}`;
}

/** The members of `group` shown typing now, in the order of `members` (this account never). */
export function typersOf(shown: ReadonlySet<string>, group: string, members: readonly string[], me: string): string[] {
  return members.filter((m) => m !== me && shown.has(groupTypingKey(group, m)));
}

/** A message as the read rules need it (a group history line). */
export interface ReadCandidate {
  id: string;
  /** The group of the line (null: not a group line). */
  group: string | null;
  /** Author account. */
  author: string;
  ts: number;
  /** Member accounts that read it so far. */
  readBy?: readonly string[];
}

/** Whether (ts, id) `a` is at or before `b` (the history's order). */
function atOrBefore(a: { ts: number; id: string }, b: { ts: number; id: string }): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.id <= b.id);
}

/**
 * What a `group-read` from `from` changes: for each of my messages of the frame's group at or
 * before its `upTo`, the new reader list (only lines that gain `from`).
 */
export function groupReadUpdates(
  lines: readonly ReadCandidate[],
  frame: GroupReadFrame,
  ctx: { me: string; from: string; state: GroupState | undefined },
): { id: string; readBy: string[] }[] {
  if (!mayReportIn(ctx.state, ctx.me, ctx.from) || ctx.state.id !== frame.group) return [];
  const out: { id: string; readBy: string[] }[] = [];
  for (const l of lines) {
    if (l.group !== frame.group || l.author !== ctx.me || !atOrBefore(l, frame.upTo)) continue;
    const before = l.readBy ?? [];
    if (before.includes(ctx.from)) continue;
    out.push({ id: l.id, readBy: [...before, ctx.from].sort() });
  }
  return out;
}

/**
 * The `group-read` frames for messages this person has now seen in `state`'s group: one per
 * author who is still a member (a former member learns nothing more), for that author's newest
 * message seen, unless an earlier frame to them already covered it. `sent` maps an author to
 * what was last sent to them (updated by the caller). Nothing once `me` is out of the group.
 */
export function groupReadFramesFor(
  state: GroupState,
  seen: readonly { id: string; ts: number; author: string }[],
  me: string,
  sent: ReadonlyMap<string, { id: string; ts: number }>,
): { author: string; frame: GroupReadFrame }[] {
  const group = state.id;
  const newest = new Map<string, { id: string; ts: number }>();
  for (const m of seen) {
    if (!mayReportIn(state, m.author, me)) continue;
    const n = newest.get(m.author);
    if (!n || !atOrBefore(m, n)) newest.set(m.author, { id: m.id, ts: m.ts });
  }
  const out: { author: string; frame: GroupReadFrame }[] = [];
  for (const [author, upTo] of newest) {
    const before = sent.get(author);
    if (before && atOrBefore(upTo, before)) continue;
    out.push({ author, frame: { type: 'group-read', group, upTo } });
  }
  return out;
}
