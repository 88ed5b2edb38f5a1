/**
 * Group frames from member devices, and catch-up: whenever a link to a member device comes up,
 * both sides send a `group-summary` of the groups they share; each answers with what the other
 * lacks (changes, then messages in bounded `group-batch`es, another summary after each batch
 * that said `more`). Any member device that holds a message can so deliver it, also after its
 * author went offline; copies are stored by id, so nothing shows twice. A removed member gets
 * the changes up to its removal (its app then says it is no longer in the group) and nothing
 * written after.
 */
import { encodePublicKey } from '../../../shared/crypto/index';
import { applyGroupChanges, groupFromLog, pinnedKeysOf, type GroupState } from '../../../shared/groups/group-state';
import { changesFor, heldByPeer, messagesFor, summarizeGroup, type GroupSummary } from '../../../shared/groups/group-sync';
import { receiveGroupMessages } from '../../../shared/groups/group-receive';
import { isGroupMember } from '../../../shared/groups/group-state';
import { selfStatus } from '../../../shared/groups/group-position';
import { GROUP_LIMITS } from '../../../shared/groups/limits';
import type { GroupFrame } from '../../../shared/groups/group-frames';
import { parseSignedDeviceList, type DeviceList, type SignedDeviceList } from '../../../shared/devices/device-list';
import type { PeerLink } from '../net/peer-link';
import { markGroupDelivered, saveMemberDevices } from './group-db';
import type { GroupService } from './group-service';

/** Whether a signed list's text is the list `list` (verified from it by the group cores). */
function sameList(signed: SignedDeviceList, list: DeviceList): boolean {
  try {
    const parsed = JSON.parse(signed.list) as Partial<DeviceList>;
    return parsed.account === list.account && parsed.version === list.version;
  } catch {
    return false; // Unreadable lists were refused by the check already.
  }
}

type Frame<T extends GroupFrame['type']> = Extract<GroupFrame, { type: T }>;

export class GroupCatchup {
  constructor(private readonly svc: GroupService) {}

  /** A link came up: tell it what I hold of the groups we share. */
  async linkReady(conv: string, link: PeerLink): Promise<void> {
    const me = this.svc.me();
    if (!me) return;
    this.sendSummary(link, this.svc.book.sharedWith(conv, me));
  }

  async receive(conv: string, frame: GroupFrame, link: PeerLink): Promise<void> {
    switch (frame.type) {
      case 'group-changes':
        return this.onChanges(frame, link);
      case 'group-want':
        return this.onWant(conv, frame, link);
      case 'group-msg':
        return this.onMessages(conv, frame.group, [frame.msg], frame.list ? [frame.list] : [], link, false);
      case 'group-batch':
        return this.onMessages(conv, frame.group, frame.msgs, frame.lists, link, frame.more);
      case 'group-ack':
        return this.onAck(conv, frame);
      case 'group-summary':
        return this.onSummary(conv, frame, link);
      default:
        // Files travel over the 1:1 transfers for now; the group file frames are not used yet.
        return;
    }
  }

  private sendSummary(link: PeerLink, states: readonly GroupState[]): void {
    for (let i = 0; i < states.length; i += GROUP_LIMITS.maxGroupsPerSummary) {
      const groups = states.slice(i, i + GROUP_LIMITS.maxGroupsPerSummary).map((s) => summarizeGroup(s, this.svc.book.heldOf(s.id)));
      link.send({ type: 'group-summary', groups });
    }
  }

  private async onChanges(frame: Frame<'group-changes'>, link: PeerLink): Promise<void> {
    const me = this.svc.me();
    if (!me) return;
    const known = this.svc.book.states.get(frame.group);
    if (!known) {
      // A group new to this device: it counts only if its log pins this account's own key.
      const state = groupFromLog(frame.changes);
      const account = this.svc.deps.keys()?.account;
      if (!state || state.id !== frame.group || !account || !pinnedKeysOf(state.changes, me).includes(encodePublicKey(account.publicKey))) {
        console.warn('Peerchat: ignored a group log that does not name this account');
        return;
      }
      await this.svc.adopt(state, [...state.changes.values()].map((c) => ({ id: c.id, signed: c.signed })));
      // A log sent in parts: ask for the rest (the answer is empty when there is none).
      link.send({ type: 'group-want', group: state.id, heads: state.heads });
      // Now that we share it, the sender tells us which messages we lack.
      this.sendSummary(link, [state]);
      return;
    }
    const r = applyGroupChanges(known, frame.changes);
    const added = [...r.state.changes.values()].filter((c) => !known.changes.has(c.id));
    if (added.length) await this.svc.adopt(r.state, added.map((c) => ({ id: c.id, signed: c.signed })));
    if (r.missing.length) link.send({ type: 'group-want', group: known.id, heads: r.state.heads });
  }

  private async onWant(conv: string, frame: Frame<'group-want'>, link: PeerLink): Promise<void> {
    const state = this.svc.book.states.get(frame.group);
    if (!state) return;
    const plan = changesFor(state, conv, frame.heads);
    if (plan.send.length) link.send({ type: 'group-changes', group: state.id, changes: plan.send });
  }

  private async onMessages(conv: string, group: string, msgs: readonly unknown[], lists: readonly unknown[], link: PeerLink, more: boolean): Promise<void> {
    const me = this.svc.me();
    const state = this.svc.book.states.get(group);
    if (!me || !state) {
      if (me) link.send({ type: 'group-want', group, heads: [] });
      return;
    }
    // Only a member (or my own device) relays; a stranger's copies are not even checked.
    if (conv !== me && selfStatus(state, conv).status === 'not-member') return;
    const own = this.svc.deps.ownList();
    const r = receiveGroupMessages(state, msgs, lists, (a) => this.svc.book.listOf(a, me, own));
    const db = await this.svc.deps.readyDb();
    if (!db) return;
    for (const list of r.newerLists) {
      const signed = lists.map(parseSignedDeviceList).find((l) => l && sameList(l, list));
      if (!signed) continue;
      const rec = { account: list.account, list, signed };
      this.svc.book.setList(rec);
      await saveMemberDevices(db, rec);
    }
    for (const x of r.refused) console.warn(`Peerchat: refused a group message (${x.code})`);
    const stored: string[] = [];
    for (const { msg, signed } of r.accepted) {
      try {
        await this.svc.store(msg, signed);
        stored.push(msg.id);
      } catch (err) {
        // Not stored, so not acknowledged: the next summary asks for it again.
        console.warn('Peerchat: a group message could not be stored', err);
        this.svc.deps.failed('MESSAGE_NOT_SAVED');
      }
    }
    // Acknowledge what is stored (duplicates too: the sender may have missed the first receipt).
    if (stored.length) link.send({ type: 'group-ack', group, ids: stored.slice(0, GROUP_LIMITS.maxBatchMessages) });
    if (more) this.sendSummary(link, [state]);
  }

  private async onAck(conv: string, frame: Frame<'group-ack'>): Promise<void> {
    if (conv === this.svc.me()) return; // My other devices holding it is no delivery.
    const state = this.svc.book.states.get(frame.group);
    if (!state) return;
    await this.delivered(state, conv, frame.ids);
  }

  private async delivered(state: GroupState, account: string, ids: readonly string[]): Promise<void> {
    const me = this.svc.me();
    const db = await this.svc.deps.readyDb();
    if (!db || !me) return;
    const mine = new Set(this.svc.book.heldOf(state.id).filter((m) => m.author === me).map((m) => m.id));
    for (const id of ids) {
      if (!mine.has(id)) continue;
      const updated = await markGroupDelivered(db, id, [account]);
      if (updated) this.svc.deps.emitMessage(updated);
    }
  }

  private async onSummary(conv: string, frame: Frame<'group-summary'>, link: PeerLink): Promise<void> {
    const me = this.svc.me();
    if (!me) return;
    const theirs = new Map(frame.groups.map((g) => [g.group, g as GroupSummary]));
    // A group they hold and this device does not (added while the change could not reach us):
    // ask for its log; it counts here only if it pins this account's key.
    for (const g of frame.groups) if (!this.svc.book.states.has(g.group)) link.send({ type: 'group-want', group: g.group, heads: [] });
    for (const state of this.svc.book.sharedWith(conv, me)) {
      const summary = theirs.get(state.id);
      const changes = changesFor(state, conv, summary?.heads ?? []);
      if (changes.send.length) link.send({ type: 'group-changes', group: state.id, changes: changes.send });
      if (changes.ask) link.send({ type: 'group-want', group: state.id, heads: state.heads });
      if (!summary || !isGroupMember(state, conv)) continue;
      const held = this.svc.book.heldOf(state.id);
      if (conv !== me) await this.delivered(state, conv, heldByPeer(summary, held.filter((m) => m.author === me)));
      const plan = messagesFor(state, conv, summary, held);
      if (!plan.send.length) continue;
      const authors = [...new Set(plan.send.map((m) => m.author))];
      const own = this.svc.deps.ownList();
      const lists = authors.map((a) => this.svc.book.signedListOf(a, me, own)).filter((l): l is SignedDeviceList => !!l);
      link.send({ type: 'group-batch', group: state.id, msgs: plan.send.map((m) => m.signed), lists: lists.slice(0, GROUP_LIMITS.maxBatchDeviceLists), more: plan.more });
    }
  }
}
