/**
 * Catch-up between member devices, as pure planning (no I/O). Any member device that holds a
 * message may give it to any member device that lacks it, so messages reach people after their
 * author went offline.
 *
 * On connect, each side sends a `group-summary` for the groups both accounts are in: per group,
 * its change-log heads and, per author device, the highest message number held without gaps
 * (`upTo`) plus the few numbers held above it (`extra`, bounded). The other side answers with:
 *  - the changes the peer lacks ({@link changesFor}): all of them for a member; for a former
 *    member only those up to and including the change that ended their membership (so their app
 *    can say they are no longer in the group), nothing after;
 *  - the messages the peer lacks and may receive ({@link messagesFor}: a member now AND a member
 *    at the message's position), oldest first, at most one bounded batch; `more` tells the peer
 *    to send a fresh summary after storing it, which continues the catch-up.
 * The receiver stores by message id, so a copy that arrives twice (from the author and from a
 * relay) is shown once ({@link newMessages}).
 */
import { GROUP_LIMITS, MAX_MEMBER_DEVICES, compareStrings } from './limits';
import { compareGroupMessages } from './group-order';
import { closureOf, mayReceive, selfStatus } from './group-position';
import type { DeviceMark, SignedGroupChange } from './group-change';
import type { GroupState } from './group-state';

/** The high-water mark of one author device's messages held here. */
export interface DeviceMarkSummary {
  device: string;
  /** Every number 1..upTo is held (0: none). */
  upTo: number;
  /** Numbers above upTo also held, ascending, at most GROUP_LIMITS.maxSummaryExtras. */
  extra: number[];
}

export interface GroupSummary {
  group: string;
  heads: string[];
  marks: DeviceMarkSummary[];
}

/** A stored message, as the planner needs it. */
export interface HeldMessage {
  id: string;
  device: string;
  n: number;
  ts: number;
  /** The message's position (its `at`). */
  at: readonly string[];
  /** Serialized size (the signed message's characters), for packing batches. */
  bytes: number;
}

/** The summary of what this device holds in one group. */
export function summarizeGroup(state: GroupState, held: readonly Pick<HeldMessage, 'device' | 'n'>[]): GroupSummary {
  const byDevice = new Map<string, number[]>();
  for (const m of held) byDevice.set(m.device, [...(byDevice.get(m.device) ?? []), m.n]);
  const marks: DeviceMarkSummary[] = [];
  for (const [device, ns] of [...byDevice].sort((a, b) => compareStrings(a[0], b[0]))) {
    const have = [...new Set(ns)].sort((a, b) => a - b);
    let upTo = 0;
    for (const n of have) if (n === upTo + 1) upTo = n;
    const extra = have.filter((n) => n > upTo).slice(0, GROUP_LIMITS.maxSummaryExtras);
    marks.push({ device, upTo, extra });
  }
  return { group: state.id, heads: state.heads.slice(0, GROUP_LIMITS.maxParents), marks: marks.slice(0, GROUP_LIMITS.maxSummaryDevices) };
}

/** Whether a peer's summary says it holds message (device, n). */
export function summaryHolds(summary: GroupSummary, device: string, n: number): boolean {
  const mark = summary.marks.find((x) => x.device === device);
  return !!mark && (n <= mark.upTo || mark.extra.includes(n));
}

export interface BatchBound {
  maxMessages: number;
  /** Characters of signed messages per batch (the frame has room for its other fields beyond). */
  maxBytes: number;
}

/** Fits the 256 KiB peer frame with room for the batch's device lists and fields. */
export const DEFAULT_GROUP_BATCH: BatchBound = { maxMessages: GROUP_LIMITS.maxBatchMessages, maxBytes: 160 * 1024 };

export interface MessagesPlan<T> {
  /** To send now, oldest first. */
  send: T[];
  /** More are owed after these: the peer sends a fresh summary once it stored them. */
  more: boolean;
}

/**
 * The messages `peer` (an account) lacks according to its summary and may receive: a member now
 * and a member at each message's position. Oldest first, one bounded batch.
 */
export function messagesFor<T extends HeldMessage>(state: GroupState, peer: string, summary: GroupSummary, held: readonly T[], bound: BatchBound = DEFAULT_GROUP_BATCH): MessagesPlan<T> {
  if (summary.group !== state.id) return { send: [], more: false };
  // Many messages share a position: decide each position once.
  const byPosition = new Map<string, boolean>();
  const may = (at: readonly string[]) => {
    const key = at.join(',');
    if (!byPosition.has(key)) byPosition.set(key, mayReceive(state, peer, at));
    return byPosition.get(key)!;
  };
  const owed = held.filter((m) => !summaryHolds(summary, m.device, m.n) && may(m.at)).sort(compareGroupMessages);
  const send: T[] = [];
  let bytes = 0;
  for (const m of owed) {
    if (send.length >= bound.maxMessages || (send.length > 0 && bytes + m.bytes > bound.maxBytes)) break;
    send.push(m);
    bytes += m.bytes;
  }
  return { send, more: send.length < owed.length };
}

export interface ChangesPlan {
  /** Changes to send the peer, in fold order (parents first). */
  send: SignedGroupChange[];
  /** The peer has heads this device lacks: ask it (`group-want`) for its log. */
  ask: boolean;
}

/**
 * The changes `peer` lacks given its heads. A member gets everything it lacks; a former member
 * only what leads up to the change that ended its membership; anyone else nothing.
 */
export function changesFor(state: GroupState, peer: string, peerHeads: readonly string[]): ChangesPlan {
  const unknown = peerHeads.some((h) => !state.changes.has(h));
  const has = closureOf(state, peerHeads.filter((h) => state.changes.has(h))) ?? new Set<string>();
  const status = selfStatus(state, peer);
  let allowed: Set<string> | null;
  if (status.status === 'member') allowed = null;
  else if (status.status === 'removed' || status.status === 'left') allowed = closureOf(state, [status.change]);
  else return { send: [], ask: false };
  const send = state.order
    .filter((x) => !has.has(x.id) && (allowed === null || allowed.has(x.id)))
    .slice(0, GROUP_LIMITS.maxBatchChanges)
    .map((x) => state.changes.get(x.id)!.signed);
  return { send, ask: unknown && status.status === 'member' };
}

/** The messages of a received batch not held yet (by id, and once each within the batch). */
export function newMessages<T extends { id: string }>(heldIds: ReadonlySet<string>, incoming: readonly T[]): T[] {
  const seen = new Set(heldIds);
  const out: T[] = [];
  for (const m of incoming) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    out.push(m);
  }
  return out;
}

/** The ids of `held` that a peer's summary says it holds: delivery receipts learned on sync. */
export function heldByPeer<T extends Pick<HeldMessage, 'id' | 'device' | 'n'>>(summary: GroupSummary, held: readonly T[]): string[] {
  return held.filter((m) => summaryHolds(summary, m.device, m.n)).map((m) => m.id);
}

/**
 * The `last` marks of a `remove` or `leave` of `account`: per device of that account, the highest
 * message number held here. Their messages up to these numbers stay; later ones are refused.
 */
export function departureMarks(held: readonly { author: string; device: string; n: number }[], account: string): DeviceMark[] {
  const best = new Map<string, number>();
  for (const m of held) if (m.author === account) best.set(m.device, Math.max(best.get(m.device) ?? 0, m.n));
  return [...best]
    .sort((a, b) => compareStrings(a[0], b[0]))
    .slice(0, MAX_MEMBER_DEVICES)
    .map(([device, n]) => ({ device, n }));
}
