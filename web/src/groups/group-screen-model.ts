/**
 * What the group screens compute from the slices before drawing: pure functions, no DOM, so
 * they are unit-tested in Node (test/unit/group-screen-model.test.ts).
 */
import type { StoredConversation, StoredMessage } from '../db/schema';
import type { GroupMemberView, GroupView } from './groups-contract';

/** One row of the Groups section of the conversation list. */
export interface GroupRow {
  id: string;
  conv: string;
  name: string;
  memberCount: number;
  unread: number;
  lastText: string;
  /** Last activity: the last message, 0 when there is none yet. */
  lastTs: number;
  /** This account is no longer a member (removed or left); the history stays. */
  former: boolean;
}

/** The groups, most recent activity first (then by name), with their conversation's counters. */
export function groupRows(groups: ReadonlyMap<string, GroupView>, convs: readonly StoredConversation[]): GroupRow[] {
  const byConv = new Map(convs.map((c) => [c.conv, c] as const));
  const rows: GroupRow[] = [];
  for (const g of groups.values()) {
    const c = byConv.get(g.conv);
    rows.push({
      id: g.id,
      conv: g.conv,
      name: g.name,
      memberCount: g.members.length,
      unread: c?.unread ?? 0,
      lastText: c?.lastText ?? '',
      lastTs: c?.lastTs ?? 0,
      former: g.me.kind !== 'member',
    });
  }
  return rows.sort((a, b) => b.lastTs - a.lastTs || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
}

/** A change line as the group service gives it with the group (`lines` of the group's view). */
export interface ChangeLineView {
  /** The change id (a stable key). */
  id: string;
  /** The author's clock, ms. */
  ts: number;
  /** Who made the change (account name). */
  by: string;
  kind: 'created' | 'added' | 'removed' | 'promoted' | 'renamed' | 'left';
  /** The member added, removed or made admin. */
  who?: string;
  /** The group's name after `created` or `renamed`. */
  name?: string;
}

/** The group's change lines, when its view carries them. */
export function linesOf(g: GroupView): readonly ChangeLineView[] {
  return (g as GroupView & { lines?: readonly ChangeLineView[] }).lines ?? [];
}

/** One entry of a group conversation: a message, or a line about a change of the group. */
export type ConversationEntry = { msg: StoredMessage; line?: undefined } | { line: ChangeLineView; msg?: undefined };

/**
 * Messages and change lines in one list by time (a line before a message of the same
 * millisecond). While older messages are still to be loaded, lines older than the first loaded
 * message wait for them, so a line never shows above a gap.
 */
export function withLines(messages: readonly StoredMessage[], lines: readonly ChangeLineView[], hasOlder: boolean): ConversationEntry[] {
  const from = hasOlder && messages[0] ? messages[0].ts : -Infinity;
  const shown = lines.filter((l) => l.ts >= from).sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
  const out: ConversationEntry[] = [];
  let i = 0;
  for (const m of messages) {
    while (i < shown.length && shown[i]!.ts <= m.ts) out.push({ line: shown[i++]! });
    out.push({ msg: m });
  }
  while (i < shown.length) out.push({ line: shown[i++]! });
  return out;
}

/**
 * Whether the entry at `i` is a message that starts a run by a new author (its name is shown
 * above it): one whose author, direction or day differs from the message just before it; a
 * line about the group, or a quiet line, breaks a run.
 */
export function startsRun(entries: readonly ConversationEntry[], i: number, dayOf: (m: StoredMessage) => string): boolean {
  const m = entries[i]?.msg;
  const prev = entries[i - 1]?.msg;
  if (!m) return false;
  if (!prev || prev.kind || m.kind) return true;
  return prev.outgoing !== m.outgoing || prev.from !== m.from || dayOf(prev) !== dayOf(m);
}

/**
 * Messages that arrived late: not in `before` (the ids shown until now) and placed before a
 * message that was already shown, but after the first one shown (older pages, loaded on
 * demand, land before everything and are not "new").
 */
export function lateArrivals(before: readonly StoredMessage[], after: readonly StoredMessage[]): string[] {
  if (before.length === 0) return [];
  const known = new Set(before.map((m) => m.id));
  const firstKnown = after.findIndex((m) => known.has(m.id));
  let lastKnown = -1;
  for (let i = after.length - 1; i >= 0; i--) {
    if (known.has(after[i]!.id)) {
      lastKnown = i;
      break;
    }
  }
  const late: string[] = [];
  for (let i = firstKnown + 1; i < lastKnown; i++) {
    const m = after[i]!;
    if (!known.has(m.id) && !m.outgoing && !m.kind) late.push(m.id);
  }
  return late;
}

/** Who has an outgoing group message: "Delivered to 3 of 5", and the names on each side. */
export interface GroupDelivery {
  /** Members (not counting this account) whose devices stored it. */
  delivered: readonly GroupMemberView[];
  /** Members it has not reached yet. */
  waiting: readonly GroupMemberView[];
  /** Members who read it (web/src/groups/group-receipts.ts); absent or empty: none yet. */
  read?: readonly GroupMemberView[];
}

/**
 * The delivery of an outgoing message among the group's current members other than `me`.
 * `deliveredTo` lists member accounts (lowercased); accounts no longer in the group are not
 * counted on either side.
 */
export function groupDelivery(m: StoredMessage, members: readonly GroupMemberView[], me: string): GroupDelivery {
  const has = new Set(m.deliveredTo ?? []);
  const others = members.filter((x) => x.key !== me);
  const read = new Set((m as StoredMessage & { readBy?: string[] }).readBy ?? []);
  return { delivered: others.filter((x) => has.has(x.key) || read.has(x.key)), waiting: others.filter((x) => !has.has(x.key) && !read.has(x.key)), read: others.filter((x) => read.has(x.key)) };
}
