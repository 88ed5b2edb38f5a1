/**
 * The groups of the logged-in account as this device holds them, in memory: each group's folded
 * state, the signed messages held per group (what summaries and catch-up batches are built from),
 * and members' verified device lists. Loaded once from the history database; the service writes
 * through to the database and updates this alongside.
 */
import { groupFromLog, pinnedKeysOf, type GroupState } from '../../../shared/groups/group-state';
import { selfStatus } from '../../../shared/groups/group-position';
import type { DeviceList, SignedDeviceList } from '../../../shared/devices/device-list';
import type { ChatDb, StoredGroupMessage, StoredMemberDevices } from '../db/schema';
import { parseGroupMessageText } from '../../../shared/groups/group-message';
import { isGroupControl } from '../../../shared/groups/group-everyday';
import { loadGroupLogs, loadGroupMessages, loadMemberDevices } from './group-db';

export class GroupBook {
  readonly states = new Map<string, GroupState>();
  readonly held = new Map<string, StoredGroupMessage[]>();
  private readonly heldIds = new Set<string>();
  private readonly lists = new Map<string, StoredMemberDevices>();
  /** Held react/edit/recall messages by the id of their target (applied when it arrives). */
  private readonly controls = new Map<string, StoredGroupMessage[]>();

  /** Reads every group of this account from the database. */
  async load(db: ChatDb, me: string, myKey: string | null): Promise<void> {
    const [logs, lists] = await Promise.all([loadGroupLogs(db), loadMemberDevices(db)]);
    for (const l of lists) this.lists.set(l.account, l);
    for (const [id, log] of logs) {
      const state = groupFromLog(log);
      // Only a log that pins this account's key is a group of ours.
      if (!state || state.id !== id || (myKey && !pinnedKeysOf(state.changes, me).includes(myKey))) {
        console.warn('Peerchat: ignored a stored group log that does not hold');
        continue;
      }
      this.states.set(id, state);
      this.setHeld(id, await loadGroupMessages(db, id));
    }
  }

  clear(): void {
    this.states.clear();
    this.held.clear();
    this.heldIds.clear();
    this.lists.clear();
    this.controls.clear();
  }

  setHeld(group: string, msgs: StoredGroupMessage[]): void {
    this.held.set(group, msgs);
    for (const m of msgs) {
      this.heldIds.add(m.id);
      this.indexControl(m);
    }
  }

  /** Control messages (the only bodies with a `target`) are indexed by target. */
  private indexControl(m: StoredGroupMessage): void {
    if (!m.signed.msg.includes('"target":"')) return;
    const parsed = parseGroupMessageText(m.signed.msg);
    if (!parsed || parsed.id !== m.id || !isGroupControl(parsed)) return;
    this.controls.set(parsed.body.target, [...(this.controls.get(parsed.body.target) ?? []), m]);
  }

  /** The held control messages about message `id`. */
  controlsFor(id: string): readonly StoredGroupMessage[] {
    return this.controls.get(id) ?? [];
  }

  hasMessage(id: string): boolean {
    return this.heldIds.has(id);
  }

  addMessage(m: StoredGroupMessage): void {
    if (this.heldIds.has(m.id)) return;
    this.heldIds.add(m.id);
    this.indexControl(m);
    this.held.set(m.group, [...(this.held.get(m.group) ?? []), m]);
  }

  /** A recall took the place of its target's held copy (same id, device and number). */
  replaceHeld(m: StoredGroupMessage): void {
    this.held.set(m.group, (this.held.get(m.group) ?? []).map((x) => (x.id === m.id ? m : x)));
  }

  heldOf(group: string): readonly StoredGroupMessage[] {
    return this.held.get(group) ?? [];
  }

  /** The next message number of `device` in the group (one more than the highest held). */
  nextNumber(group: string, device: string): number {
    let n = 0;
    for (const m of this.heldOf(group)) if (m.device === device && m.n > n) n = m.n;
    return n + 1;
  }

  /** The newest verified device list of a member (`own`: my account's own signed list). */
  listOf(account: string, me: string, own: SignedDeviceList | null): DeviceList | null {
    if (account === me && own) return ownListOf(own);
    return this.lists.get(account)?.list ?? null;
  }

  signedListOf(account: string, me: string, own: SignedDeviceList | null): SignedDeviceList | null {
    if (account === me) return own;
    return this.lists.get(account)?.signed ?? null;
  }

  setList(rec: StoredMemberDevices): void {
    const known = this.lists.get(rec.account);
    if (!known || known.list.version < rec.list.version) this.lists.set(rec.account, rec);
  }

  /**
   * Groups `account` shares with me in a way that allows a connection: I am a member and they
   * are a member or a former one (a former member still learns that it was removed).
   */
  sharedWith(account: string, me: string): GroupState[] {
    return [...this.states.values()].filter((s) => selfStatus(s, me).status === 'member' && selfStatus(s, account).status !== 'not-member');
  }

  /** Member accounts of every group I am in (me excluded). */
  peers(me: string): Set<string> {
    const out = new Set<string>();
    for (const s of this.states.values()) {
      if (selfStatus(s, me).status !== 'member') continue;
      for (const m of s.view.members) if (m.account !== me) out.add(m.account);
    }
    return out;
  }
}

/** My own approved list as signed (it was verified with the account key held here when adopted). */
function ownListOf(own: SignedDeviceList): DeviceList | null {
  try {
    return JSON.parse(own.list) as DeviceList;
  } catch (err) {
    console.warn('Peerchat: own device list unreadable', err);
    return null;
  }
}
