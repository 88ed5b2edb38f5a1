/**
 * Reply, reactions, edit and recall ("delete for everyone") in group conversations (delete for
 * me is local only and the same as in a two-person conversation), on top of the group service: sending writes a signed control message to the
 * group (shared/groups/group-everyday.ts), which travels, is held and is caught up like any group
 * message; receiving applies it to the target's line by the same rule on every member device.
 * A control message whose target has not arrived waits among the held messages and is applied
 * when the target is stored ({@link GroupActs.applyPending}).
 */
import { PeerchatError } from '../../../shared/errors';
import { canEditOwn, canRecallOwn, excerptOf, scrubQuote, toggleReaction, type ReactionEmoji, type ReplyRef } from '../../../shared/messaging/index';
import { parseGroupMessageText, type GroupMessage, type SignedGroupMessage } from '../../../shared/groups/group-message';
import { applyGroupControl, pendingFor, recallStandIn, type GroupControlMessage } from '../../../shared/groups/group-everyday';
import { LIMITS } from '../../../shared/index';
import type { ChatDb, StoredGroupMessage } from '../db/schema';
import { getGroupLine, holdGroupMessage, writeGroupLines, type GroupLine } from './group-acts-db';
import { groupConv } from './groups-contract';
import type { GroupService } from './group-service';

export class GroupActs {
  constructor(private readonly svc: GroupService) {}

  /** The held record of a message of the group, if any. */
  private held(group: string, id: string): StoredGroupMessage | undefined {
    return this.svc.book.heldOf(group).find((m) => m.id === id);
  }

  /** The signed message a held record is the copy of (a recalled one is held as its recall). */
  private heldMessage(rec: StoredGroupMessage | undefined): GroupMessage | undefined {
    const m = rec ? parseGroupMessageText(rec.signed.msg) : null;
    return m && m.id === rec?.id ? m : undefined;
  }

  /** My line of a message in this group, with its author (from the held signed copy). */
  private async myLine(db: ChatDb, groupId: string, id: string): Promise<{ line: GroupLine; target: StoredGroupMessage }> {
    const line = await getGroupLine(db, id);
    const target = this.held(groupId, id);
    if (!line || !target || line.conv !== groupConv(groupId)) throw new PeerchatError('GROUP_BAD_REQUEST');
    return { line: { ...line, author: target.author }, target };
  }

  private async db(): Promise<ChatDb> {
    const db = await this.svc.deps.readyDb();
    if (!db) throw new PeerchatError('NOT_LOGGED_IN');
    return db;
  }

  /**
   * The reply reference a text to the group carries: the quoted message's id and author, and no
   * excerpt. Every member shows the quote from its own copy, so a recall of the quoted message
   * leaves no copy of its words inside the reply's signed text.
   */
  async replyRef(groupId: string, id: string): Promise<ReplyRef> {
    const { line } = await this.myLine(await this.db(), groupId, id);
    return { id, author: line.author ?? line.from, excerpt: '' };
  }

  /** The line's reply as stored here: the excerpt taken from this device's copy of the quoted message. */
  async localReply(groupId: string, ref: ReplyRef, db: ChatDb): Promise<ReplyRef> {
    const quoted = this.heldMessage(this.held(groupId, ref.id)) ? await getGroupLine(db, ref.id) : undefined;
    const ok = quoted && quoted.conv === groupConv(groupId) && quoted.recalledAt === undefined;
    return { id: ref.id, author: ref.author, excerpt: ok ? excerptOf(quoted.text) : '' };
  }

  /** Sets my reaction to `emoji`, or clears it when it already is. */
  react(groupId: string, id: string, emoji: ReactionEmoji): Promise<void> {
    return this.svc.run(async () => {
      const { line } = await this.myLine(await this.db(), groupId, id);
      if (line.recalledAt !== undefined || line.kind) throw new PeerchatError('GROUP_BAD_REQUEST');
      const me = this.svc.memberState(groupId).me;
      const frame = toggleReaction(line, emoji, me, Date.now());
      await this.svc.write(groupId, { kind: 'react', target: id, emoji, on: frame.on });
    });
  }

  /** New text for my own message (within 15 minutes of writing it). */
  edit(groupId: string, id: string, text: string): Promise<void> {
    if (!text.trim()) return Promise.reject(new PeerchatError('GROUP_BAD_REQUEST'));
    if (text.length > LIMITS.maxChatChars) return Promise.reject(new PeerchatError('MESSAGE_TOO_LONG', { max: LIMITS.maxChatChars }));
    return this.svc.run(async () => {
      const { line } = await this.myLine(await this.db(), groupId, id);
      const me = this.svc.memberState(groupId).me;
      if (!canEditOwn(line, me, Date.now())) throw new PeerchatError('EDIT_NOT_ALLOWED');
      if (line.text === text) return;
      await this.svc.write(groupId, { kind: 'edit', target: id, text });
    });
  }

  /** Deletes my own message for everyone (within 24 hours of writing it). */
  recall(groupId: string, id: string): Promise<void> {
    return this.svc.run(async () => {
      const { line, target } = await this.myLine(await this.db(), groupId, id);
      const me = this.svc.memberState(groupId).me;
      if (line.fileId !== undefined || !canRecallOwn(line, me, Date.now())) throw new PeerchatError('RECALL_NOT_ALLOWED');
      await this.svc.write(groupId, { kind: 'recall', target: id, device: target.device, n: target.n, sent: target.ts });
    });
  }

  /**
   * A verified control message not held yet: hold it (it is relayed and caught up like any group
   * message) and apply it if its target is here. Returns true (it is stored).
   */
  async storeControl(msg: GroupControlMessage, rec: StoredGroupMessage, db: ChatDb): Promise<boolean> {
    await holdGroupMessage(db, rec);
    this.svc.book.addMessage(rec);
    await this.apply(msg, rec.signed, db);
    return true;
  }

  /** A message was just stored: the control messages that waited for it, in author-time order. */
  async applyPending(msg: GroupMessage, db: ChatDb): Promise<void> {
    const held = this.svc.book.controlsFor(msg.id).filter((m) => m.group === msg.group);
    const controls = held.map((m) => ({ m: parseGroupMessageText(m.signed.msg), signed: m.signed })).filter((x): x is { m: GroupMessage; signed: SignedGroupMessage } => !!x.m && x.m.id !== msg.id);
    const bySigned = new Map(controls.map((x) => [x.m.id, x.signed]));
    for (const c of pendingFor(controls.map((x) => x.m), msg.id)) await this.apply(c, bySigned.get(c.id)!, db);
  }

  private async apply(c: GroupControlMessage, signed: SignedGroupMessage, db: ChatDb): Promise<void> {
    const me = this.svc.me();
    if (!me) return;
    const targetRec = this.held(c.group, c.body.target);
    const target = this.heldMessage(targetRec);
    if (targetRec && !target) return; // Recalled already: nothing left to change.
    const line = target ? await getGroupLine(db, target.id) : undefined;
    const r = applyGroupControl(c, target, line, me, Date.now());
    if (!r.ok) {
      if (r.reason === 'pending') return this.standIn(c, signed, db, me);
      console.warn(`Peerchat: a group ${c.body.kind} was not applied (${r.reason})`);
      return;
    }
    let lines: GroupLine[] = [r.record];
    let held: StoredGroupMessage | undefined;
    if (c.body.kind === 'recall' && targetRec) {
      // The recall takes the target's place among the held copies: the text leaves this device,
      // and the target's number still counts as held (never fetched again).
      held = { ...targetRec, signed, bytes: signed.msg.length + signed.sig.length };
      lines = [...lines, ...(await this.scrubbedReplies(db, c.group, c.body.target))];
    }
    const stored = await writeGroupLines(db, lines, held);
    if (held) this.svc.book.replaceHeld(held);
    for (const l of stored) this.svc.deps.emitMessage(l);
    this.svc.deps.refreshConversations();
  }

  /** The lines of replies to a recalled message, their excerpt removed. */
  private async scrubbedReplies(db: ChatDb, group: string, id: string): Promise<GroupLine[]> {
    const out: GroupLine[] = [];
    for (const m of this.svc.book.heldOf(group)) {
      if (m.id === id || !m.signed.msg.includes(id)) continue;
      const line = await getGroupLine(db, m.id);
      const scrubbed = line ? scrubQuote(line, id) : null;
      if (scrubbed) out.push(scrubbed);
    }
    return out;
  }

  /** A recall of a message not here: its number counts as held, so the text is never fetched. */
  private async standIn(c: GroupControlMessage, signed: SignedGroupMessage, db: ChatDb, me: string): Promise<void> {
    const s = recallStandIn(c, this.svc.book.listOf(c.author, me, this.svc.deps.ownList()));
    if (!s || this.svc.book.hasMessage(s.id)) return;
    const rec: StoredGroupMessage = { id: s.id, group: c.group, author: c.author, device: s.device, n: s.n, ts: s.ts, at: c.at, bytes: signed.msg.length + signed.sig.length, signed };
    await holdGroupMessage(db, rec);
    this.svc.book.addMessage(rec);
  }
}

