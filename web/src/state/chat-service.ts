/**
 * The app's brain, free of any UI, as one facade for the components: it wires the session with
 * the server (SessionCoordinator), who is online (PresenceTracker), the links to contacts
 * (LinkCoordinator), the on-device history (AccountHistory), the chat outbox (MessageOutbox) and
 * file transfers (TransferService), group conversations (GroupService), and exposes their state
 * slices for components to draw.
 *
 * Nothing leaves for a contact except over a verified end-to-end session (see SecurityService
 * and net/secure-session.ts); while the contact's key has changed and the person has not
 * accepted it, messages wait. Failures reach the UI as error codes (shared/errors.ts).
 */
import { usernameKey, type PeerMsg, type ServerMsg } from '../../../shared/index';
import type { AppErrorCode } from '../../../shared/errors';
import type { PeerLink } from '../net/peer-link';
import { SecurityService } from './security';
import type { ChatDb, StoredMessage } from '../db/schema';
import { isFileControlType, type FileControl } from '../../../shared/transfer/control';
import { TransferService } from '../transfer/transfer-service';
import { sweepReceivedFiles } from '../transfer/received-files-sweep';
import { AccountHistory } from './account-history';
import { MessageOutbox } from './message-outbox';
import { SessionCoordinator } from './session-coordinator';
import type { DeviceSession } from '../devices/device-session';
import { PresenceTracker } from './presence-tracker';
import { PresenceSubscriber } from './presence-subscriber';
import { LinkCoordinator } from './link-coordinator';
import { ContactDeviceLists } from './contact-device-lists';
import { DeviceSync, isSyncFrame } from './device-sync';
import { accountOnlyDevice, deviceFromKeys, type LocalDevice } from '../net/local-device';
import type { SignedDeviceList } from '../../../shared/devices/device-list';
import { adoptNewerOwnList, approvedOwnList, knownDevicesOf } from './own-device-list';
import type { ConversationsState, PeersState, PresenceState, SessionState } from './contexts';
import { Store } from './store';
import { RequestsService } from '../requests/requests-service';
import { groupIdOf } from '../groups/groups-contract';
import { GroupService } from '../groups/group-service';
import { routeServerMessage } from './server-message-routing';
import { ActionService, isActionFrame, type ReplyRef } from '../everyday/action-service';
import { ProfileService } from '../everyday/profile-service';
import { ReceiptsService } from '../everyday/receipts-service';
import { deviceSettings } from '../settings/settings-store';

export type MessageListener = (msg: StoredMessage) => void;

export class ChatService {
  readonly conversations = new Store<ConversationsState>({ list: [], active: null, loaded: false });
  readonly security: SecurityService;
  /** Files and images. */
  readonly transfers: TransferService;
  /** Message requests, contacts and blocking (web/src/requests/). */
  readonly requests: RequestsService;
  readonly groups: GroupService; // Group conversations; members of a shared group may connect like contacts.
  readonly actions: ActionService; // Reactions, edit, recall and delete for me (web/src/everyday/).
  readonly profiles: ProfileService = new ProfileService({ readyDb: () => this.readyDb(), me: () => this.ownKey(), readyConvs: () => [...this.links.peers.get().links].filter(([, s]) => s === 'ready').map(([c]) => c), readyLinks: (c) => this.links.readyLinks(c) }); // Display names and avatars (web/src/everyday/).
  readonly receipts: ReceiptsService; // "Read" and "typing…" with contacts (its `typing` drives the header).

  private readonly sessions: SessionCoordinator;
  private readonly presenceTracker: PresenceTracker;
  /** In `contacts` presence mode, names the people shown to the server (presence-subscriber.ts). */
  private readonly presenceSubscriber: PresenceSubscriber;
  private readonly links: LinkCoordinator;
  private readonly accountDb: AccountHistory;
  private readonly outbox: MessageOutbox;
  private readonly contactLists: ContactDeviceLists;
  /** Mirroring to, and catching up with, my other devices. */
  readonly deviceSync: DeviceSync;
  /** This device as links present it, while logged in. */
  private local: LocalDevice | null = null;
  private readonly messageListeners = new Set<MessageListener>();

  constructor(wsUrl: string) {
    this.sessions = new SessionCoordinator(wsUrl, {
      security: () => this.security,
      accountDb: () => this.accountDb,
      loggedIn: (s, identity) => {
        // The device key signs once our account's list naming this device is known here; until
        // then the account key does, as before devices.
        const keys = this.security.keysFor(s.username);
        this.local = keys ? deviceFromKeys(s.username, { ...keys, account: identity }, () => this.ownDeviceList()) : accountOnlyDevice(s.username, identity);
        this.links.attach(s.username, s.iceServers);
      },
      loggedOut: () => this.teardown(),
      serverMessage: (m) => this.onServerMessage(m),
    });
    this.security = new SecurityService((m) => this.sessions.send(m), () => this.readyDb());
    this.accountDb = new AccountHistory({
      conversations: this.conversations,
      attached: async (db) => {
        await this.security.attach(db);
        await this.requests.attach(db);
        await this.profiles.attach(db);
      },
      failed: (code) => this.showLocalError(code),
    });
    const isActive = (conv: string): boolean => this.conversations.get().active === conv && document.visibilityState === 'visible';
    // Before the server answers (offline start), the session kept on this device names us.
    const me = (): string | null => this.myName ?? this.sessions.session.get().username;
    const isOnline = (conv: string): boolean => this.presenceTracker.isOnline(conv);
    // Only contacts are dialled (requests.mayDial): never a stranger whose request waits, never a blocked account.
    const dial = (peerName: string): void => this.dial(peerName);
    const myKey = (): string | null => {
      const name = this.myName;
      return name ? usernameKey(name) : null;
    };
    this.contactLists = new ContactDeviceLists({
      readyDb: () => this.readyDb(),
      me: myKey,
      pinnedKey: (conv) => this.security.get(conv).pinnedKey,
      emitMessage: (m) => this.emitMessage(m),
      refreshConversations: () => this.refreshConversations(),
      devicesChanged: (conv) => this.links.devicesChanged(conv),
    });
    this.deviceSync = new DeviceSync({
      readyDb: () => this.readyDb(),
      me: myKey,
      ownLinks: () => {
        const me = myKey();
        return me ? this.links.readyLinks(me) : [];
      },
      ownDeviceIds: () => approvedOwnList(this.devices.own.state.get())?.list.devices.map((d) => d.id) ?? [],
      isActive,
      emitMessage: (m) => this.emitMessage(m),
      refreshConversations: () => this.refreshConversations(),
    });
    this.links = new LinkCoordinator({
      security: this.security,
      ownAccountKey: () => (this.myName ? (this.security.identityFor(this.myName)?.publicKey ?? null) : null),
      knownDevices: (conv) => (conv === myKey() ? knownDevicesOf(approvedOwnList(this.devices.own.state.get())?.list) : this.contactLists.known(conv)),
      sendSignal: (m) => this.sessions.send(m),
      local: () => this.local,
      // My own devices are checked against our own newest list.
      minListVersion: async (conv) => (conv === myKey() ? (approvedOwnList(this.devices.own.state.get())?.list.version ?? 0) : this.contactLists.minVersion(conv)),
      peerDevices: (conv, peerName, peer) => (conv === myKey() ? adoptNewerOwnList(this.devices.own, peer) : this.contactLists.fromHandshake(conv, peerName, peer)),
      isOnline,
      onlineDevices: (conv) => this.presenceTracker.onlineDevices(conv),
      linkReady: (conv, link) => {
        if (conv !== myKey() && (this.requests.isContact(conv) || !this.groups.mayConnect(conv))) this.requests.linkReady(conv, link.peerName);
        this.transfers.linkReady(conv, link);
        this.outbox.flush(conv, link);
        void this.actions.flush(conv);
        if (conv === myKey()) this.deviceSync.linkReady(link);
        this.groups.linkReady(conv, link);
        this.profiles.linkReady(conv, link);
      },
      linkClosed: (conv) => this.transfers.linkClosed(conv),
      onFrame: (conv, msg, link) => void this.onPeerFrame(conv, msg, link),
      onChunk: (conv, body) => this.transfers.onChunk(conv, body),
    });
    // My own list changed: a link to a device it no longer names closes at once.
    this.devices.own.state.subscribe(() => {
      const me = myKey();
      if (me) this.links.devicesChanged(me);
    });
    this.presenceTracker = new PresenceTracker({
      db: () => this.accountDb.current,
      me: myKey,
      myName: () => this.myName,
      myDeviceId: () => (this.myName ? (this.security.keysFor(this.myName)?.deviceId ?? null) : null),
      active: () => this.conversations.get().active,
      hasOpenTransfers: (conv) => this.transfers.hasOpen(conv),
      dial,
      wentOffline: (conv, online) => this.links.peerOffline(conv, online),
    });
    this.links.redialWanted = (peerName) => this.presenceTracker.dialIfWanted(peerName);
    this.outbox = new MessageOutbox({
      db: () => this.accountDb.current,
      readyDb: () => this.readyDb(),
      me,
      contactDevices: (conv) => this.contactLists.recipientDevices(conv, this.local?.deviceId ?? null),
      send: (conv, msg) => this.links.send(conv, msg),
      isReady: (conv) => this.links.isReady(conv),
      isOnline,
      dial,
      isActive,
      showMessage: (m) => this.emitMessage(m),
      storedShown: (m) => this.deviceSync.mirror(m),
      // What this device writes or receives is mirrored to my other devices.
      emitMessage: (m) => {
        this.emitMessage(m);
        this.deviceSync.mirror(m);
      },
      refreshConversations: () => this.refreshConversations(),
      failed: (code) => this.showLocalError(code),
    });
    this.transfers = new TransferService({
      db: () => this.readyDb(),
      me,
      link: (conv, device) => (device === undefined ? this.links.readyLink(conv) : this.links.deviceLink(conv, device)),
      emitMessage: (m) => this.emitMessage(m),
      refreshConversations: () => this.refreshConversations(),
      // Offering a file is writing to them: they become a contact (the file waits for the link).
      dial: (peerName) => void this.requests.addContact(peerName).then(() => dial(peerName), (err: unknown) => console.warn('Peerchat: could not note the contact', err)),
      isActive,
    });
    this.requests = new RequestsService({
      security: this.security,
      db: () => this.readyDb(),
      me,
      sendToServer: (m) => this.sessions.send(m),
      isOnline,
      isReady: (conv) => this.links.isReady(conv),
      isActive,
      dial,
      dropLink: (conv) => this.links.dropAll(conv),
      emitMessage: (m) => this.emitMessage(m),
      refreshConversations: () => this.refreshConversations(),
      closeConversation: (conv) => this.conversations.update((c) => (c.active === conv ? { ...c, active: null } : c)),
      failed: (code) => this.showLocalError(code),
    });
    this.groups = new GroupService({ readyDb: () => this.readyDb(), myName: () => this.myName, keys: () => (this.myName ? this.security.keysFor(this.myName) : null), ownList: () => this.ownDeviceList(), peerKey: (u) => this.security.resolvePeerKey(u), readyLinks: (c) => this.links.readyLinks(c), dial: (c) => this.dial(c), presence: () => this.presence, isActive, blocked: (c) => this.requests.state.get().blocked.has(c), emitMessage: (m) => this.emitMessage(m), refreshConversations: () => this.refreshConversations(), transfers: this.transfers, failed: (code) => this.showLocalError(code) });
    this.actions = new ActionService({ readyDb: () => this.readyDb(), me: myKey, send: (c, f) => this.links.send(c, f), emitMessage: (m) => this.emitMessage(m), mirror: (m) => this.deviceSync.mirror(m), refreshConversations: () => this.refreshConversations() });
    this.receipts = new ReceiptsService({ readyDb: () => this.readyDb(), me: myKey, isContact: (c) => this.requests.isContact(c), isActive, conversations: this.conversations, peers: this.links.peers, settings: deviceSettings, send: (c, m) => this.links.send(c, m), onMessage: (fn) => this.onMessage(fn), changed: (m) => (this.emitMessage(m), this.deviceSync.mirror(m)) });
    this.presenceSubscriber = new PresenceSubscriber({ conversations: this.conversations, requests: this.requests.state, groups: this.groups.state, me: myKey, send: (m) => this.sessions.send(m) });
    document.addEventListener('visibilitychange', () => {
      const active = this.conversations.get().active;
      if (active && document.visibilityState === 'visible') this.markRead(active);
    });
  }

  /** This browser as a device of the account: its device list and linking. */
  get devices(): DeviceSession {
    return this.sessions.devices;
  }

  get session(): Store<SessionState> { return this.sessions.session; }

  get presence(): Store<PresenceState> { return this.presenceTracker.presence; }

  get peers(): Store<PeersState> { return this.links.peers; }

  /**
   * Resumes the session saved on this device, if any. History opens at once from IndexedDB,
   * so it is readable even while the server is unreachable.
   */
  start(): void {
    // A page going away closes its connections on purpose, so contacts see it at once and their
    // transfers pause cleanly (an abandoned connection is noticed only by ICE timeouts).
    globalThis.addEventListener?.('pagehide', () => this.links.destroyAll());
    // Received files of transfers that no longer exist (any account on this browser) go away.
    void sweepReceivedFiles();
    this.sessions.resumeStored();
  }

  login(kind: 'login' | 'register', username: string, password: string): void { this.sessions.login(kind, username, password); }

  logout(): void { this.sessions.logout(); }

  retryNow(): void { this.sessions.retryNow(); }

  onMessage(fn: MessageListener): () => void {
    this.messageListeners.add(fn);
    return () => this.messageListeners.delete(fn);
  }

  get database(): ChatDb | null {
    return this.accountDb.current;
  }

  get myName(): string | null {
    return this.sessions.myName;
  }

  /** Opens a conversation: clears its unread count and dials the contact if they are online. */
  async open(peerName: string | null): Promise<void> {
    const conv = peerName ? usernameKey(peerName) : null;
    this.conversations.update((c) => ({ ...c, active: conv }));
    if (!conv || !peerName) return;
    if (groupIdOf(conv) !== null) return this.accountDb.markRead(conv); // A group: no contact to accept, no one to dial.
    // Opening someone's conversation is starting to talk to them (never so for a waiting request).
    await this.requests.addContact(peerName);
    await this.accountDb.markRead(conv);
    if (this.presenceTracker.isOnline(conv)) this.dial(peerName);
  }

  /** The person accepted a contact's new identity key: pin it and deliver what was waiting. */
  async acceptNewKey(peerName: string): Promise<void> {
    const conv = usernameKey(peerName);
    await this.security.acceptNewKey(conv);
    // The old key's device list and its links no longer apply; the new key's list starts afresh.
    this.contactLists.forget(conv);
    this.links.dropAll(conv);
    this.requests.keyAccepted(peerName);
    this.retrySecure(peerName);
  }

  async setVerified(peerName: string, verified: boolean): Promise<void> {
    await this.security.setVerified(usernameKey(peerName), verified);
  }

  /** "Retry" after a failed secure session: dial again now, with a fresh retry budget. */
  retrySecure(peerName: string): void {
    const conv = usernameKey(peerName);
    this.links.resetRetries(conv);
    if (this.presenceTracker.isOnline(conv)) this.dial(peerName);
  }

  /** Writes a message to history and the outbox, then sends it; rejects with a PeerchatError. */
  async send(peerName: string, text: string, reply?: ReplyRef): Promise<void> {
    // "Your devices" is no contact: no request gate.
    if (usernameKey(peerName) === this.ownKey()) return this.outbox.send(peerName, text, reply);
    await this.requests.addContact(peerName);
    await this.outbox.send(peerName, text, reply);
    this.requests.afterSend(peerName);
  }

  private dial(peerName: string): void {
    if (usernameKey(peerName) === this.ownKey() || this.requests.mayDial(peerName) || this.groups.mayConnect(peerName)) this.links.dial(peerName);
  }

  /** My account (usernameKey), or null. */
  private ownKey(): string | null {
    return this.myName ? usernameKey(this.myName) : null;
  }

  /**
   * Our account's signed device list, verified and naming this device (an approved device);
   * null until then, so the account key signs handshakes.
   */
  private ownDeviceList(): SignedDeviceList | null {
    return approvedOwnList(this.devices.own.state.get())?.signed ?? null;
  }

  /** The history database once it is open (frames can arrive while it is still opening). */
  private readyDb(): Promise<ChatDb | null> {
    return this.accountDb.ready();
  }

  private onServerMessage(m: ServerMsg): void {
    const { presenceSubscriber, security, requests, presenceTracker, links, groups, contactLists } = this;
    routeServerMessage({ presenceSubscriber, security, requests, presenceTracker, links, groups, contactLists, ownKey: () => this.ownKey() }, m);
  }

  private async onPeerFrame(conv: string, msg: PeerMsg, link: PeerLink): Promise<void> {
    const own = !!this.myName && conv === usernameKey(this.myName);
    // From "my device": only one in my account's current verified list is heard.
    if (own && isSyncFrame(msg)) return this.deviceSync.receive(msg, link);
    if (own && !this.deviceSync.isOwnDevice(link)) return;
    if (msg.type === 'profile') return this.profiles.receive(conv, msg, own); // Only ever the profile of the session's account.
    if (this.groups.onFrame(conv, msg, link)) return;
    if (isFileControlType(msg.type)) return this.transfers.onControl(conv, msg as FileControl, link);
    if (!own && (msg.type === 'read' || msg.type === 'typing')) return this.receipts.onFrame(conv, msg, link);
    if (own) {
      // My other devices: copies and catch-up; receipts for copies change nothing here.
      if (msg.type === 'ack' && (await this.readyDb().then((db) => db?.get('messages', msg.id)))?.conv === conv) await this.outbox.receive(conv, msg, link);
      return;
    }
    // Sync frames come only from my own devices; from a contact they are ignored.
    if (msg.type === 'chat' || msg.type === 'ack') await this.outbox.receive(conv, msg, link);
    else if (isActionFrame(msg)) await this.actions.receive(conv, msg);
  }

  private emitMessage(m: StoredMessage): void {
    for (const fn of this.messageListeners) fn(m);
  }

  private showLocalError(code: AppErrorCode): void {
    this.sessions.showLocalError(code);
  }

  private markRead(conv: string): void {
    this.accountDb.markRead(conv).catch((err: unknown) => console.warn('Peerchat: could not mark the conversation read', err));
  }

  private refreshConversations(): void {
    this.accountDb.refresh().catch((err: unknown) => console.warn('Peerchat: could not read the conversation list', err));
  }

  private teardown(): void {
    this.links.teardown();
    this.contactLists.clear();
    this.local = null;
    this.security.reset();
    this.outbox.clear();
    this.actions.clear();
    this.groups.reset();
    this.receipts.reset();
    this.requests.reset();
    this.profiles.reset();
    this.accountDb.close();
    this.presenceTracker.clear();
    this.presenceSubscriber.clear();
    this.links.clearState();
  }
}
