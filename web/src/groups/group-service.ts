/**
 * The group service behind the group screens (groups-contract.ts): creates groups and makes
 * admin changes (signed with the account key, applied here by the rule every member applies,
 * stored, and sent to every member device), writes and receives group messages (signed with this
 * device's key, sent to each member device over the pairwise end-to-end links, checked against
 * the author's device list on arrival; reactions, edit and recall in group-acts.ts), and keeps
 * `GroupsState` for the screens. Catch-up: group-catchup.ts; which links to open: group-links.ts.
 *
 * The server takes no part: it never sees a group's name, members or messages, only the usual
 * connection signals between two member devices.
 */
import { newMessageId, usernameKey, LIMITS, type PeerMsg } from '../../../shared/index';
import { PeerchatError } from '../../../shared/errors';
import { encodePublicKey, type IdentityKeyPair } from '../../../shared/crypto/index';
import { newGroupId, GROUP_LIMITS } from '../../../shared/groups/limits';
import { signGroupChange, type GroupOp, type SignedGroupChange } from '../../../shared/groups/group-change';
import { applyGroupChange, createGroup, exportGroupLog, isGroupAdmin, isGroupMember, makeGroupChange, type GroupState } from '../../../shared/groups/group-state';
import { signGroupMessage, type GroupBody, type GroupMessage, type SignedGroupMessage } from '../../../shared/groups/group-message';
import { isGroupControl, type GroupControlBody } from '../../../shared/groups/group-everyday';
import { GroupActs } from './group-acts';
import type { GroupLine } from './group-acts-db';
import { groupRecipients } from '../../../shared/groups/group-fanout';
import { departureMarks } from '../../../shared/groups/group-sync';
import { isGroupFrameType, type GroupFrame } from '../../../shared/groups/group-frames';
import type { StoredGroupMessage, StoredMessage } from '../db/schema';
import type { PeerLink } from '../net/peer-link';
import { Store } from '../state/store';
import { TEST_HOOKS } from '../test-hooks';
import { groupConv, type GroupActions, type GroupsState, type GroupView } from './groups-contract';
import { GroupBook } from './group-book';
import { markGroupSent, saveGroupChanges, saveGroupMessage, touchGroupConversation } from './group-db';
import { groupView } from './group-view';
import { GroupCatchup } from './group-catchup';
import { GroupLinks } from './group-links';
import { GroupFiles } from './group-files';
import { GroupReceipts } from './group-receipts';
import type { GroupServiceDeps } from './group-service-deps';

export type { GroupServiceDeps } from './group-service-deps';
import { installGroupTestHook } from './group-test-hook';
import { fileMessageText } from '../transfer/transfer-store';

/** Signals held while the groups are read (a login's first offers; the rest are dropped). */
const MAX_HELD_SIGNALS = 256;

export class GroupService implements GroupActions {
  readonly state = new Store<GroupsState>({ groups: new Map(), loaded: false });
  readonly book = new GroupBook();
  private loading: Promise<void> | null = null;
  /** Connection signals waiting for the groups to be read (see gateSignal). */
  private heldSignals: (() => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly catchup: GroupCatchup;
  private readonly links: GroupLinks;
  readonly files: GroupFiles;
  /** "typing…" and "Read" in groups (group-typing.ts, group-receipts.ts). */
  readonly receipts: GroupReceipts;
  private readonly acts = new GroupActs(this);

  constructor(readonly deps: GroupServiceDeps) {
    this.links = new GroupLinks({ me: () => this.me(), peers: () => this.book.peers(this.me() ?? ''), presence: deps.presence, dial: deps.dial });
    this.catchup = new GroupCatchup(this);
    this.files = new GroupFiles({ ...deps, dial: (a) => this.links.want(a), me: () => this.me(), stateOf: (id) => this.book.states.get(id), heldOf: (id) => this.book.heldOf(id), groupIds: () => this.book.states.keys(), run: (fn) => this.run(fn), write: (id, body) => this.write(id, body), memberState: (id) => this.memberState(id) }, deps.transfers);
    // Loaded once logged in (presence arrives right after), so a member's connection is answered.
    deps.presence().subscribe(() => {
      if (!this.state.get().loaded) void this.load().catch((err: unknown) => console.warn('Peerchat: could not read the groups', err));
    });
    this.receipts = new GroupReceipts(this);
    if (TEST_HOOKS) installGroupTestHook(this, () => deps.readyDb());
  }

  /** My account (usernameKey), or null. */
  me(): string | null {
    const name = this.deps.myName();
    return name ? usernameKey(name) : null;
  }

  /** Runs `fn` after every earlier group job: the in-memory groups change one job at a time. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      await this.load();
      return fn();
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Reads this account's groups once per login. */
  load(): Promise<void> {
    this.loading ??= (async () => {
      const db = await this.deps.readyDb();
      const me = this.me();
      if (!db || !me) {
        this.loading = null;
        return;
      }
      const account = this.deps.keys()?.account;
      await this.book.load(db, me, account ? encodePublicKey(account.publicKey) : null);
      this.files.indexHeld();
      this.publish();
      this.links.start();
    })().catch((err: unknown) => {
      this.loading = null;
      throw err;
    });
    return this.loading;
  }

  /** Logged out: nothing of this account stays in memory. */
  reset(): void {
    this.loading = null;
    this.book.clear();
    this.links.stop();
    this.receipts.reset();
    this.state.set({ groups: new Map(), loaded: false });
  }

  /**
   * Whether an account may connect with this device for a group although it is not a contact: it
   * is a member (or a former member, who must still learn that) of a group I am in, and not
   * blocked here.
   */
  mayConnect(peerName: string): boolean {
    const me = this.me();
    const conv = usernameKey(peerName);
    return !!me && conv !== me && !this.deps.blocked(conv) && this.book.sharedWith(conv, me).length > 0;
  }

  /**
   * A relayed connection signal from someone who is not my own device: passed to the links
   * (`deliver`) if they may connect for a group, else to the contact gate (`otherwise`). Until this
   * account's groups are read (just after login) signals wait, in order, so a member's offer is
   * not taken for a stranger's.
   */
  gateSignal(from: string, deliver: () => void, otherwise: () => void): void {
    const decide = (): void => (this.mayConnect(from) ? deliver() : otherwise());
    if (this.state.get().loaded && !this.heldSignals.length) return decide();
    if (this.heldSignals.length >= MAX_HELD_SIGNALS) {
      console.warn('Peerchat: too many connection signals while the groups load; one was dropped');
      return;
    }
    this.heldSignals.push(decide);
    if (this.heldSignals.length > 1) return;
    void this.load()
      .catch((err: unknown) => console.warn('Peerchat: could not read the groups', err))
      .finally(() => {
        const held = this.heldSignals;
        this.heldSignals = [];
        for (const f of held) f();
      });
  }

  /** A link to a device is up: summaries for the groups we share. */
  linkReady(conv: string, link: PeerLink): void {
    this.links.seen(link);
    this.files.linkReady(link);
    this.receipts.linkReady(conv);
    void this.run(() => this.catchup.linkReady(conv, link)).catch((err: unknown) => console.warn('Peerchat: group catch-up failed', err));
  }

  /** A frame from `conv`'s device (or my own other device): true if it was a group frame (handled here). */
  onFrame(conv: string, msg: PeerMsg, link: PeerLink): boolean {
    if (!isGroupFrameType(msg.type)) return false;
    const frame = msg as GroupFrame;
    this.links.seen(link);
    if (this.receipts.onFrame(conv, frame)) return true;
    void this.run(() => this.catchup.receive(conv, frame, link)).catch((err: unknown) => console.warn('Peerchat: a group frame could not be handled', err));
    return true;
  }

  async create(name: string, members: readonly string[]): Promise<string> {
    return this.run(async () => {
      const { me, account } = this.signer();
      const trimmed = name.trim();
      const others = [...new Set(members.map(usernameKey))].filter((m) => m !== me);
      if (!trimmed || trimmed.length > GROUP_LIMITS.maxNameChars || others.length + 1 > GROUP_LIMITS.maxMembers) throw new PeerchatError('GROUP_BAD_REQUEST');
      const keys = await Promise.all(others.map((m) => this.memberKey(m)));
      let made: { state: GroupState; signed: SignedGroupChange };
      try {
        made = createGroup({ id: newGroupId(), name: trimmed, me, accountKey: account, others: others.map((m, i) => ({ account: m, key: keys[i]! })), ts: Date.now() });
      } catch (err) {
        throw new PeerchatError('GROUP_BAD_REQUEST', {}, { cause: err });
      }
      await this.adopt(made.state, [{ id: made.state.genesisId, signed: made.signed }]);
      for (const m of [me, ...others]) this.sendTo(m, { type: 'group-changes', group: made.state.id, changes: [made.signed] });
      return made.state.id;
    });
  }

  addMembers(groupId: string, usernames: readonly string[]): Promise<void> {
    return this.run(async () => {
      for (const name of usernames) {
        const account = usernameKey(name);
        const state = this.adminState(groupId);
        if (isGroupMember(state, account)) throw new PeerchatError('GROUP_BAD_REQUEST');
        await this.change(groupId, { type: 'add', member: { account, key: await this.memberKey(account) } });
      }
    });
  }

  removeMember(groupId: string, username: string): Promise<void> {
    return this.run(async () => {
      const account = usernameKey(username);
      if (!isGroupMember(this.adminState(groupId), account) || account === this.me()) throw new PeerchatError('GROUP_BAD_REQUEST');
      await this.change(groupId, { type: 'remove', account, last: departureMarks(this.book.heldOf(groupId), account) });
    });
  }

  makeAdmin(groupId: string, username: string): Promise<void> {
    return this.run(async () => {
      const account = usernameKey(username);
      const state = this.adminState(groupId);
      if (!isGroupMember(state, account) || isGroupAdmin(state, account)) throw new PeerchatError('GROUP_BAD_REQUEST');
      await this.change(groupId, { type: 'promote', account });
    });
  }

  rename(groupId: string, name: string): Promise<void> {
    return this.run(async () => {
      const trimmed = name.trim();
      this.adminState(groupId);
      if (!trimmed || trimmed.length > GROUP_LIMITS.maxNameChars) throw new PeerchatError('GROUP_BAD_REQUEST');
      await this.change(groupId, { type: 'rename', name: trimmed });
    });
  }

  leave(groupId: string): Promise<void> {
    return this.run(async () => {
      const me = this.memberState(groupId).me;
      await this.change(groupId, { type: 'leave', last: departureMarks(this.book.heldOf(groupId), me) });
    });
  }

  /** `replyTo`: the id of a message of the group this text replies to. */
  sendText(groupId: string, text: string, replyTo?: string): Promise<void> {
    if (!text.trim()) return Promise.resolve();
    if (text.length > LIMITS.maxChatChars) return Promise.reject(new PeerchatError('MESSAGE_TOO_LONG', { max: LIMITS.maxChatChars }));
    return this.run(async () => this.write(groupId, { kind: 'text', text, ...(replyTo ? { reply: await this.acts.replyRef(groupId, replyTo) } : {}) }));
  }

  react: GroupActs['react'] = (...a) => this.acts.react(...a);
  edit: GroupActs['edit'] = (...a) => this.acts.edit(...a);
  recall: GroupActs['recall'] = (...a) => this.acts.recall(...a);

  sendFiles = (groupId: string, files: readonly File[]): Promise<void> => this.files.send(groupId, files);

  /** The view of one group (null: not on this device). */
  view = (groupId: string): GroupView | null => this.state.get().groups.get(groupId) ?? null;

  /**
   * A group state that grew here or arrived: keep the new changes, publish, and make sure the
   * conversation row exists with the group's current name.
   */
  async adopt(state: GroupState, added: readonly { id: string; signed: SignedGroupChange }[]): Promise<void> {
    const db = await this.deps.readyDb();
    if (!db) throw new PeerchatError('NOT_LOGGED_IN');
    await saveGroupChanges(db, state.id, added);
    this.book.states.set(state.id, state);
    await touchGroupConversation(db, groupConv(state.id), state.view.name, Date.now());
    this.publish();
    this.deps.refreshConversations();
  }

  /**
   * Stores a verified message (mine or a member's) and shows it; false if it was held already.
   * A late arrival lands where its author time puts it (the history is ordered by time, then id).
   */
  async store(msg: GroupMessage, signed: SignedGroupMessage, outgoingState: StoredMessage['state'] = 'sent'): Promise<boolean> {
    if (this.book.hasMessage(msg.id)) return false;
    const db = await this.deps.readyDb();
    const state = this.book.states.get(msg.group);
    if (!db || !state) return false;
    const me = this.me();
    const rec: StoredGroupMessage = { id: msg.id, group: msg.group, author: msg.author, device: msg.device, n: msg.n, ts: msg.ts, at: msg.at, bytes: signed.msg.length + signed.sig.length, signed };
    if (isGroupControl(msg)) return this.acts.storeControl(msg, rec, db);
    const conv = groupConv(msg.group);
    const outgoing = msg.author === me;
    const body = msg.body as Exclude<GroupBody, GroupControlBody>;
    const text = body.kind === 'text' ? body.text : fileMessageText(body.file.name);
    const reply = body.kind === 'text' && body.reply ? { reply: await this.acts.localReply(msg.group, body.reply, db) } : {};
    const fileId = await this.files.arrived(msg, db);
    const line: GroupLine = { id: msg.id, conv, from: msg.author, author: msg.author, outgoing, text, ts: msg.ts, state: outgoing ? outgoingState : 'received', ...(fileId ? { fileId } : {}), ...reply };
    const saved = await saveGroupMessage(db, rec, line, state.view.name, !outgoing && !this.deps.isActive(conv));
    this.book.addMessage(rec);
    if (!outgoing) this.receipts.arrived(msg.group, msg.author);
    if (saved) {
      this.deps.emitMessage(saved);
      this.deps.refreshConversations();
      if (fileId) this.files.stored(fileId);
      await this.acts.applyPending(msg, db);
    }
    return !!saved;
  }

  /** Sends a frame to every ready device of an account (mine: my other devices); dials if none is up. */
  sendTo(account: string, frame: PeerMsg): boolean {
    let sent = false;
    for (const link of this.deps.readyLinks(account)) {
      if (link.send(frame)) {
        sent = true;
        this.links.seen(link);
      }
    }
    if (!sent) this.links.want(account);
    return sent;
  }

  publish(): void {
    const me = this.me();
    if (!me) return;
    const groups = new Map<string, GroupView>();
    for (const [id, s] of this.book.states) groups.set(id, groupView(s, me));
    this.state.set({ groups, loaded: true });
  }

  async write(groupId: string, body: GroupMessage['body']): Promise<void> {
    const { state, me } = this.memberState(groupId);
    const keys = this.deps.keys();
    const own = this.deps.ownList();
    if (!keys || !own) throw new PeerchatError('GROUP_NO_ACCOUNT_KEY');
    const msg: GroupMessage = { group: groupId, id: newMessageId(), author: me, device: keys.deviceId, n: this.book.nextNumber(groupId, keys.deviceId), ts: Date.now(), at: state.heads.slice(0, GROUP_LIMITS.maxMessageHeads), body };
    const signed = signGroupMessage(msg, keys.device);
    await this.store(msg, signed, 'waiting');
    const frame: GroupFrame = { type: 'group-msg', group: groupId, msg: signed, list: own };
    let sent = false;
    for (const account of [...groupRecipients(state, me, msg.at), me]) if (this.sendTo(account, frame)) sent = true;
    const db = await this.deps.readyDb();
    const updated = sent && db ? await markGroupSent(db, msg.id) : null;
    if (updated) this.deps.emitMessage(updated);
  }

  /** Signs and applies one admin change, stores it, and sends it to everyone concerned. */
  private async change(groupId: string, op: GroupOp): Promise<void> {
    const { state, me } = this.memberState(groupId);
    const { account } = this.signer();
    const signed = signGroupChange(makeGroupChange(state, me, op, Date.now()), account);
    const r = applyGroupChange(state, signed);
    if (!r.ok) {
      console.warn(`Peerchat: a group change was refused here (${r.code})`);
      throw new PeerchatError(r.code === 'GROUP_CHANGE_NOT_ADMIN' ? 'GROUP_NOT_ADMIN' : 'GROUP_BAD_REQUEST');
    }
    await this.adopt(r.state, [{ id: r.id, signed }]);
    // Everyone who was a member before (the removed one learns it) and everyone who is now; a
    // newcomer gets the whole log.
    const before = new Set(state.view.members.map((m) => m.account));
    const concerned = new Set([...before, ...r.state.view.members.map((m) => m.account)]);
    const log = exportGroupLog(r.state).slice(-GROUP_LIMITS.maxBatchChanges);
    for (const a of concerned) this.sendTo(a, { type: 'group-changes', group: groupId, changes: before.has(a) ? [signed] : log });
  }

  private signer(): { me: string; account: IdentityKeyPair } {
    const me = this.me();
    const account = this.deps.keys()?.account;
    if (!me) throw new PeerchatError('NOT_LOGGED_IN');
    if (!account) throw new PeerchatError('GROUP_NO_ACCOUNT_KEY');
    return { me, account };
  }

  memberState(groupId: string): { state: GroupState; me: string } {
    const me = this.me();
    const state = this.book.states.get(groupId);
    if (!me) throw new PeerchatError('NOT_LOGGED_IN');
    if (!state || !isGroupMember(state, me)) throw new PeerchatError('GROUP_NOT_MEMBER');
    return { state, me };
  }

  private adminState(groupId: string): GroupState {
    const { state, me } = this.memberState(groupId);
    if (!isGroupAdmin(state, me)) throw new PeerchatError('GROUP_NOT_ADMIN');
    return state;
  }

  /** A new member's account key: the one pinned here, or the directory's (pinned now). */
  private async memberKey(account: string): Promise<string> {
    try {
      return encodePublicKey(await this.deps.peerKey(account));
    } catch (err) {
      if (err instanceof PeerchatError) throw err;
      throw new PeerchatError('GROUP_BAD_REQUEST', {}, { cause: err });
    }
  }
}
