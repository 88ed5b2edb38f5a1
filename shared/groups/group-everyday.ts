/**
 * Reply, reactions, edit and recall ("delete for everyone") in a group (pure).
 *
 * Each is a signed group message (shared/groups/group-message.ts): a `text` body with a `reply`,
 * or a control body `react`, `edit` or `recall` naming its target by id. Control messages are
 * signed by the author's device, numbered, fanned out, caught up from any member and acked like
 * messages, so a member who was offline gets an edit or a recall from whoever holds it; they are
 * never shown as messages, never counted as unread, and never in "Delivered to k of n".
 *
 * Who acts: the ACTOR is the verified author of the control message (the account whose device
 * signed it), never a field. verifyGroupMessage already refused it unless that author was a
 * member at the message's position (a removed member's later control messages are refused like
 * its messages). Then the rules of shared/messaging apply, on the author's clock:
 *  - edit and recall: only the target's author, only a text message of the same group, within
 *    15 minutes (edit) or 24 hours (recall) of the target's time (a file is neither edited nor
 *    recalled, as in a two-person conversation);
 *  - react: any member, as itself; one reaction per member (a newer one replaces it).
 * A control message whose target is not held yet is kept (it is held like any message) and
 * applied when the target arrives ({@link pendingFor}). A recall also names the target's device,
 * number and time ({@link recallStandIn}): a member that never got the target counts that number
 * as held, so the recalled text is not fetched again, from anyone.
 */
import { applyEdit, applyRecall, recalledRecord, type RuleRefusal } from '../messaging/message-rules';
import { applyReaction } from '../messaging/reactions';
import { EVERYDAY_LIMITS } from '../messaging/everyday-messages';
import type { EverydayRecord, RuleContext } from '../messaging/message-record';
import type { DeviceList } from '../devices/device-list';
import { findDevice } from '../devices/device-list';
import { compareGroupMessages } from './group-order';
import type { GroupBody, GroupMessage } from './group-message';

export type GroupControlBody = Extract<GroupBody, { kind: 'react' | 'edit' | 'recall' }>;
export type GroupControlMessage = GroupMessage & { body: GroupControlBody };

/** True for a react, edit or recall: a message about another message, never shown itself. */
export function isGroupControl(m: GroupMessage): m is GroupControlMessage {
  return m.body.kind === 'react' || m.body.kind === 'edit' || m.body.kind === 'recall';
}

export type GroupControlRefusal =
  | RuleRefusal
  /** The target is a message of another group. */
  | 'wrong-group'
  /** The target is itself a control message. */
  | 'not-message'
  /** A recall whose device, number or time do not match its target. */
  | 'mismatch';

export type GroupControlResult<R> =
  | { ok: true; record: R }
  /** The target is not held here yet: keep the control message and apply it when it arrives. */
  | { ok: false; reason: 'pending' }
  | { ok: false; reason: GroupControlRefusal };

/**
 * Applies a verified control message to the stored record of its target. `target` is the
 * verified target message held here (undefined: not arrived yet), `record` its stored line.
 * `self`: this account; `now`: this device's clock. Returns the record to write.
 */
export function applyGroupControl<R extends EverydayRecord>(
  control: GroupControlMessage,
  target: GroupMessage | undefined,
  record: R | undefined,
  self: string,
  now: number,
): GroupControlResult<R> {
  if (!target || !record) return { ok: false, reason: 'pending' };
  if (target.id !== control.body.target || record.id !== target.id) return { ok: false, reason: 'unknown' };
  if (target.group !== control.group) return { ok: false, reason: 'wrong-group' };
  if (isGroupControl(target)) return { ok: false, reason: 'not-message' };
  // The author and time come from the signed target, never from what was stored beside it.
  const base: R = { ...record, author: target.author, ts: target.ts };
  const ctx: RuleContext = { self, actor: control.author, conv: record.conv, now };
  const body = control.body;
  switch (body.kind) {
    case 'edit':
      if (target.body.kind !== 'text') return { ok: false, reason: 'not-text' };
      return applyEdit(base, { type: 'edit', id: target.id, text: body.text, ts: control.ts }, ctx);
    case 'recall': {
      // As in a two-person conversation, a file is not recalled (its bytes live outside the record).
      if (target.body.kind !== 'text') return { ok: false, reason: 'not-text' };
      if (target.author === control.author && (target.device !== body.device || target.n !== body.n || target.ts !== body.sent)) {
        return { ok: false, reason: 'mismatch' };
      }
      const r = applyRecall(base, { type: 'recall', id: target.id, ts: control.ts }, ctx);
      if (!r.ok) return r;
      return 'record' in r ? { ok: true, record: r.record } : { ok: false, reason: 'unknown' };
    }
    case 'react':
      // Any member may react: its membership at the control's position was checked when the
      // message was verified, so the two-person participant rule is given the actor as `self`.
      return applyReaction(base, { type: 'react', id: target.id, emoji: body.emoji, on: body.on, ts: control.ts }, { ...ctx, self: control.author });
  }
}

/**
 * What a recall stands in for: the target's (device, number) to count as held, when the recall
 * is within the window and names a device of its own author's list. Null otherwise (the recall
 * still applies to a target that arrives, but fills no gap).
 */
export function recallStandIn(control: GroupControlMessage, authorList: DeviceList | null): { id: string; device: string; n: number; ts: number } | null {
  const b = control.body;
  if (b.kind !== 'recall' || !authorList || authorList.account !== control.author) return null;
  if (!findDevice(authorList, b.device)) return null;
  if (b.sent > control.ts || control.ts - b.sent > EVERYDAY_LIMITS.recallWindowMs) return null;
  return { id: b.target, device: b.device, n: b.n, ts: b.sent };
}

/**
 * The held control messages about `targetId`, in the order to apply them (author time, then
 * id): what to apply once the target arrives.
 */
export function pendingFor<T extends GroupMessage>(held: readonly T[], targetId: string): (T & GroupControlMessage)[] {
  return held.filter((m): m is T & GroupControlMessage => isGroupControl(m) && m.body.target === targetId).sort(compareGroupMessages);
}

/**
 * A stored record as it must be when its message arrives after a recall of it (the text never
 * lands), or unchanged.
 */
export function admitRecalled<R extends EverydayRecord>(record: R, recalledAt: number | undefined): R {
  return recalledAt === undefined ? record : recalledRecord(record, recalledAt);
}
