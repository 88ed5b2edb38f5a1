/**
 * The app's brain, free of any UI: it ties the signal client, the peer connections and the
 * on-device history together and publishes state slices for components to draw.
 *
 * Rules it keeps: a message is stored before it is shown as sent; everything outgoing stays in
 * the outbox until the peer's device acknowledges it; received messages are stored by id, so
 * re-sends never show twice. Nothing leaves for a contact except over a verified end-to-end
 * session (see SecurityService and net/secure-session.ts); while the contact's key has changed
 * and the person has not accepted it, messages wait.
 */
import { newMessageId, usernameKey, LIMITS, type PeerMsg, type ServerMsg } from '../../../shared/index';
import { SignalClient, loadStoredSession, type Session } from '../net/signal-client';
import { PeerManager } from '../net/peer-manager';
import { RedialPolicy } from '../net/redial-policy';
import type { LinkState, PeerLink } from '../net/peer-link';
import { IdentityStorageError } from '../crypto/device-identity';
import { encodePublicKey } from '../../../shared/crypto/index';
import { SecurityService } from './security';
import { openChatDb, type ChatDb, type StoredMessage } from '../db/schema';
import * as history from '../db/history';
import { Store } from './store';
import { isFileControlType } from '../../../shared/transfer/control';
import { TransferService } from '../transfer/transfer-service';
import type { ConversationsState, PeersState, PresenceState, SessionState } from './contexts';

export type MessageListener = (msg: StoredMessage) => void;

/** What went wrong when sending, in words a person can act on. */
export class SendError extends Error {}

export class ChatService {
  readonly session = new Store<SessionState>({ connection: 'logged-out', username: null, nextRetryAt: 0, authError: null, localError: null });
  readonly presence = new Store<PresenceState>({ online: new Map() });
  readonly conversations = new Store<ConversationsState>({ list: [], active: null, loaded: false });
  readonly peers = new Store<PeersState>({ links: new Map() });
  readonly security: SecurityService;
  /** Files and images (issue 4). */
  readonly transfers: TransferService;

  private readonly signal: SignalClient;
  private db: ChatDb | null = null;
  private dbUser: string | null = null;
  private dbOpening: Promise<boolean> | null = null;
  private manager: PeerManager | null = null;
  private readonly messageListeners = new Set<MessageListener>();
  /** Per-conversation chain so flushes and new sends leave in order. */
  private readonly sendChains = new Map<string, Promise<void>>();
  private readonly redials = new RedialPolicy((conv, peerName) => {
    if (this.presence.get().online.has(conv) && !this.manager?.get(conv)) void this.dialIfWanted(peerName);
  });

  constructor(wsUrl: string) {
    this.signal = new SignalClient(wsUrl);
    this.security = new SecurityService((m) => this.signal.send(m), () => this.readyDb());
    this.transfers = new TransferService({
      db: () => this.readyDb(),
      me: () => this.myName ?? this.session.get().username,
      link: (conv) => (this.manager?.isReady(conv) ? this.manager.get(conv) : undefined),
      emitMessage: (m) => this.emitMessage(m),
      refreshConversations: () => void this.refreshConversations(),
      dial: (peerName) => this.dial(peerName),
      isActive: (conv) => this.conversations.get().active === conv && document.visibilityState === 'visible',
    });
    this.signal.on('state', (connection) => {
      this.session.update((s) => ({ ...s, connection, nextRetryAt: this.signal.nextRetryAt }));
      if (connection !== 'online') this.security.serverGone();
      if (connection === 'logged-out') void this.teardown();
    });
    this.signal.on('session', (s) => void this.onSession(s));
    this.signal.on('auth-error', (code) => this.session.update((s) => ({ ...s, authError: code })));
    this.signal.on('message', (m) => this.onServerMessage(m));
    document.addEventListener('visibilitychange', () => {
      const active = this.conversations.get().active;
      if (active && document.visibilityState === 'visible') void this.markRead(active);
    });
  }

  /**
   * Resumes the session saved on this device, if any. History opens at once from IndexedDB,
   * so it is readable even while the server is unreachable.
   */
  start(): void {
    // A page going away closes its connections on purpose, so contacts see it at once and their
    // transfers pause cleanly (an abandoned connection is noticed only by ICE timeouts).
    globalThis.addEventListener?.('pagehide', () => this.manager?.destroyAll());
    const stored = loadStoredSession();
    if (stored) {
      this.session.update((s) => ({ ...s, username: stored.username }));
      void this.openHistory(stored.username);
      this.withIdentity(stored.username, () => this.signal.authenticate({ kind: 'resume', token: stored.token }));
    }
  }

  login(kind: 'login' | 'register', username: string, password: string): void {
    this.session.update((s) => ({ ...s, authError: null, localError: null }));
    this.withIdentity(username, () => this.signal.authenticate({ kind, username, password }));
  }

  /**
   * Starts `auth` at once (the UI shows "connecting") while the account's identity key loads,
   * or is created on first use in this browser; the auth frame waits for it, so the key is
   * published with the login. Without a stored key no login is sent.
   */
  private withIdentity(username: string, auth: () => void): void {
    const key = this.security.loadIdentity(username).then(
      (kp) => encodePublicKey(kp.publicKey),
      (err: unknown) => {
        const text = err instanceof IdentityStorageError ? err.message : 'This browser could not set up its encryption keys. Reload the page and try again.';
        this.session.update((s) => ({ ...s, localError: text }));
        return null;
      },
    );
    this.signal.useIdentity(key);
    auth();
  }

  logout(): void {
    this.signal.logout();
  }

  retryNow(): void {
    this.signal.retryNow();
  }

  onMessage(fn: MessageListener): () => void {
    this.messageListeners.add(fn);
    return () => this.messageListeners.delete(fn);
  }

  get database(): ChatDb | null {
    return this.db;
  }

  get myName(): string | null {
    return this.signal.session?.username ?? null;
  }

  /** Opens a conversation: clears its unread count and dials the contact if they are online. */
  async open(peerName: string | null): Promise<void> {
    const conv = peerName ? usernameKey(peerName) : null;
    this.conversations.update((c) => ({ ...c, active: conv }));
    if (!conv || !peerName) return;
    await this.markRead(conv);
    if (this.presence.get().online.has(conv)) this.dial(peerName);
  }

  /** The person accepted a contact's new identity key: pin it and deliver what was waiting. */
  async acceptNewKey(peerName: string): Promise<void> {
    await this.security.acceptNewKey(usernameKey(peerName));
    this.retrySecure(peerName);
  }

  async setVerified(peerName: string, verified: boolean): Promise<void> {
    await this.security.setVerified(usernameKey(peerName), verified);
  }

  /** "Retry" after a failed secure session: dial again now, with a fresh retry budget. */
  retrySecure(peerName: string): void {
    const conv = usernameKey(peerName);
    this.redials.reset(conv);
    this.security.setSessionError(conv, false);
    if (this.presence.get().online.has(conv)) this.dial(peerName);
  }

  /** Dials unless the contact's key change waits for the person, or secure retries ran out. */
  private dial(peerName: string): void {
    const conv = usernameKey(peerName);
    if (this.security.get(conv).pendingKey) return;
    if (!this.redials.allowed(conv)) return;
    this.manager?.connect(peerName);
  }

  /** Writes a message to history and the outbox, then sends it if the peer is connected. */
  async send(peerName: string, text: string): Promise<void> {
    const db = this.db;
    // Before the server answers (offline start), the session kept on this device names us.
    const me = this.myName ?? this.session.get().username;
    if (!db || !me) throw new SendError('You are not logged in.');
    if (!text.trim()) return;
    if (text.length > LIMITS.maxChatChars) throw new SendError(`Messages can be at most ${LIMITS.maxChatChars} characters.`);
    const conv = usernameKey(peerName);
    const msg: StoredMessage = { id: newMessageId(), conv, from: me, outgoing: true, text, ts: Date.now(), state: 'waiting' };
    try {
      await history.saveOutgoing(db, msg, peerName);
    } catch (err) {
      throw new SendError(err instanceof history.QuotaError ? err.message : 'Could not save the message on this device.');
    }
    this.emitMessage(msg);
    void this.refreshConversations();
    if (this.manager?.isReady(conv)) {
      await this.chain(conv, () => this.transmit(conv, [msg]));
    } else if (this.presence.get().online.has(conv)) {
      this.dial(peerName);
    }
  }

  // --- server side ----------------------------------------------------------------------------

  private async onSession(s: Session): Promise<void> {
    this.session.update((st) => ({ ...st, username: s.username, authError: null }));
    const opening = this.openHistory(s.username);
    // The peer manager exists before any await: an offer relayed right after `welcome` must
    // find it, or the peer would wait for an answer that never comes.
    // Our identity was loaded before logging in (it is published with the login).
    const identity = this.security.identityFor(s.username);
    if (!identity) {
      this.session.update((st) => ({ ...st, localError: 'This browser could not load your encryption keys. Reload the page.' }));
      return;
    }
    if (!this.manager) {
      this.manager = new PeerManager({
        myName: s.username,
        iceServers: s.iceServers,
        security: { myName: s.username, identity, peerKey: (name) => this.security.resolvePeerKey(name) },
        sendSignal: (m) => this.signal.send(m),
        onState: (conv, state, link) => this.onLinkState(conv, state, link),
        onFrame: (conv, msg, link) => void this.onPeerFrame(conv, msg, link),
        onChunk: (conv, body) => this.transfers.onChunk(conv, body),
      });
    }
    await opening;
  }

  /** The history database once it is open (frames can arrive while it is still opening). */
  private async readyDb(): Promise<ChatDb | null> {
    if (this.dbOpening) await this.dbOpening;
    return this.db;
  }

  /** Opens this account's history database (once); false if the browser refused. */
  private openHistory(username: string): Promise<boolean> {
    const key = usernameKey(username);
    if (this.dbUser === key && this.dbOpening) return this.dbOpening;
    if (this.dbUser !== key) {
      this.db?.close();
      this.db = null;
    }
    this.dbUser = key;
    this.dbOpening = (async () => {
      try {
        this.db = await openChatDb(key);
        await this.security.attach(this.db);
      } catch {
        this.session.update((st) => ({ ...st, localError: 'This browser would not open its local storage, so history cannot be kept. Check that site data is allowed.' }));
        return false;
      }
      void navigator.storage?.persist?.().catch(() => undefined);
      await this.refreshConversations();
      return true;
    })();
    return this.dbOpening;
  }

  private onServerMessage(m: ServerMsg): void {
    if (this.security.handleServerMessage(m)) return;
    switch (m.type) {
      case 'presence': {
        const online = new Map<string, string>();
        for (const name of m.online) online.set(usernameKey(name), name);
        this.presence.set({ online });
        void this.dialPending();
        break;
      }
      case 'presence-update': {
        const key = usernameKey(m.username);
        const online = new Map(this.presence.get().online);
        if (m.online) online.set(key, m.username);
        else online.delete(key);
        this.presence.set({ online });
        if (m.online) void this.dialIfWanted(m.username);
        else this.manager?.peerOffline(key);
        break;
      }
      case 'signal':
        this.manager?.handleSignal(m.from, m.cid, m.data);
        break;
      case 'error':
        if (m.code === 'PEER_OFFLINE' && m.to) this.manager?.handleUndeliverable(m.to, m.cid);
        break;
      default:
        break;
    }
  }

  /** Dials everyone online that we have undelivered messages for. */
  private async dialPending(): Promise<void> {
    const db = this.db;
    if (!db) return;
    const convs = await history.convsWithPending(db);
    const online = this.presence.get().online;
    for (const conv of convs) {
      const name = online.get(conv);
      if (name) this.dial(name);
    }
    const active = this.conversations.get().active;
    const activeName = active ? online.get(active) : undefined;
    if (activeName) this.dial(activeName);
  }

  private async dialIfWanted(peerName: string): Promise<void> {
    const conv = usernameKey(peerName);
    const db = this.db;
    if (!db) return;
    const wanted =
      this.conversations.get().active === conv || (await history.pendingFor(db, conv)).length > 0 || (await this.transfers.hasOpen(conv));
    if (wanted) this.dial(peerName);
  }

  // --- peer side ------------------------------------------------------------------------------

  private onLinkState(conv: string, state: LinkState, link: PeerLink): void {
    this.peers.update((p) => {
      const links = new Map(p.links);
      if (state === 'closed' || state === 'failed') links.delete(conv);
      else links.set(conv, state);
      return { links };
    });
    if (state === 'ready') {
      this.transfers.linkReady(conv, link);
      this.redials.reset(conv);
      this.security.setSessionError(conv, false);
      void this.chain(conv, async () => {
        const db = await this.readyDb();
        if (db) await this.transmit(conv, await history.pendingFor(db, conv));
      });
    } else if (state === 'closed' || state === 'failed') {
      this.transfers.linkClosed(conv);
      const failure = state === 'failed' ? link.failure : null;
      if (failure === 'insecure' || failure === 'no-key') {
        // Shown in the conversation at once (with "Retry").
        this.security.setSessionError(conv, true);
        // A handshake that fails against the pinned key may mean the contact's key changed.
        void this.security.recheck(link.peerName);
      }
      this.redials.ended(conv, link.peerName, failure);
    }
  }

  private async onPeerFrame(conv: string, msg: PeerMsg, link: PeerLink): Promise<void> {
    if (isFileControlType(msg.type)) return this.transfers.onControl(conv, msg as Exclude<PeerMsg, { type: 'chat' | 'ack' }>, link);
    const db = await this.readyDb();
    if (!db) return;
    if (msg.type === 'chat') {
      // Never trust a clock from far in the future: it would pin the message to the bottom.
      const ts = Math.min(msg.ts, Date.now() + 60_000);
      const active = this.conversations.get().active === conv && document.visibilityState === 'visible';
      const stored: StoredMessage = { id: msg.id, conv, from: link.peerName, outgoing: false, text: msg.text, ts, state: 'received' };
      try {
        const saved = await history.saveIncoming(db, stored, !active);
        if (saved) {
          this.emitMessage(saved);
          void this.refreshConversations();
        }
        // Acknowledge even duplicates: the sender may have missed our first receipt.
        link.send({ type: 'ack', id: msg.id });
      } catch {
        // Not stored, so not acknowledged: the sender keeps it in its outbox and re-sends.
        this.session.update((s) => ({ ...s, localError: 'A message could not be saved on this device (storage full?). It will be sent again.' }));
      }
    } else if (msg.type === 'ack') {
      const updated = await history.setMessageState(db, msg.id, 'delivered');
      if (updated && updated.conv === conv) this.emitMessage(updated);
    }
  }

  private async transmit(conv: string, msgs: StoredMessage[]): Promise<void> {
    const db = this.db;
    if (!db) return;
    for (const m of msgs) {
      if (m.state === 'delivered') continue;
      if (!this.manager?.send(conv, { type: 'chat', id: m.id, text: m.text, ts: m.ts })) return;
      if (m.state === 'waiting') {
        const updated = await history.setMessageState(db, m.id, 'sent');
        if (updated) this.emitMessage(updated);
      }
    }
  }

  private chain(conv: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.sendChains.get(conv) ?? Promise.resolve();
    const next = prev.then(fn, fn).catch(() => undefined);
    this.sendChains.set(conv, next);
    return next;
  }

  // --- local state ----------------------------------------------------------------------------

  private emitMessage(m: StoredMessage): void {
    for (const fn of this.messageListeners) fn(m);
  }

  private async markRead(conv: string): Promise<void> {
    if (!this.db) return;
    await history.markRead(this.db, conv);
    await this.refreshConversations();
  }

  private async refreshConversations(): Promise<void> {
    if (!this.db) return;
    const list = await history.listConversations(this.db);
    this.conversations.update((c) => ({ ...c, list, loaded: true }));
  }

  private async teardown(): Promise<void> {
    this.manager?.destroyAll();
    this.manager = null;
    this.security.reset();
    this.redials.clear();
    this.db?.close();
    this.db = null;
    this.dbUser = null;
    this.dbOpening = null;
    this.presence.set({ online: new Map() });
    this.peers.set({ links: new Map() });
    this.conversations.set({ list: [], active: null, loaded: false });
  }
}
