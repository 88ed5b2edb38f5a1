/**
 * The app's brain, free of any UI: it ties the signal client, the peer connections, the
 * on-device history (AccountHistory) and the chat outbox (MessageOutbox) together and publishes
 * state slices for components to draw.
 *
 * Nothing leaves for a contact except over a verified end-to-end session (see SecurityService
 * and net/secure-session.ts); while the contact's key has changed and the person has not
 * accepted it, messages wait. Failures reach the UI as error codes (shared/errors.ts).
 */
import { usernameKey, type PeerMsg, type ServerMsg } from '../../../shared/index';
import { PeerchatError, type AppErrorCode } from '../../../shared/errors';
import { SignalClient, loadStoredSession, type Session } from '../net/signal-client';
import { PeerManager } from '../net/peer-manager';
import { RedialPolicy } from '../net/redial-policy';
import type { LinkFailure, LinkState, PeerLink } from '../net/peer-link';
import { encodePublicKey } from '../../../shared/crypto/index';
import { SecurityService, type SessionErrorCode } from './security';
import type { ChatDb, StoredMessage } from '../db/schema';
import * as history from '../db/history';
import { Store } from './store';
import { isFileControlType } from '../../../shared/transfer/control';
import { TransferService } from '../transfer/transfer-service';
import { sweepReceivedFiles } from '../transfer/received-files-sweep';
import { AccountHistory } from './account-history';
import { MessageOutbox } from './message-outbox';
import type { ConversationsState, PeersState, PresenceState, SessionState } from './contexts';

export type MessageListener = (msg: StoredMessage) => void;

/** The code the conversation shows for a link that failed its security checks (else null). */
function sessionErrorOf(failure: LinkFailure | null): SessionErrorCode | null {
  if (failure === 'insecure') return 'SECURE_SESSION_FAILED';
  if (failure === 'no-key') return 'PEER_NO_KEY';
  return null;
}

export class ChatService {
  readonly session = new Store<SessionState>({ connection: 'logged-out', username: null, nextRetryAt: 0, authError: null, localError: null });
  readonly presence = new Store<PresenceState>({ online: new Map() });
  readonly conversations = new Store<ConversationsState>({ list: [], active: null, loaded: false });
  readonly peers = new Store<PeersState>({ links: new Map() });
  readonly security: SecurityService;
  /** Files and images. */
  readonly transfers: TransferService;

  private readonly signal: SignalClient;
  private readonly accountDb: AccountHistory;
  private readonly outbox: MessageOutbox;
  private manager: PeerManager | null = null;
  private readonly messageListeners = new Set<MessageListener>();
  private readonly redials = new RedialPolicy((conv, peerName) => {
    if (this.presence.get().online.has(conv) && !this.manager?.get(conv)) this.dialIfWanted(peerName);
  });

  constructor(wsUrl: string) {
    this.signal = new SignalClient(wsUrl);
    this.security = new SecurityService((m) => this.signal.send(m), () => this.readyDb());
    this.accountDb = new AccountHistory({
      conversations: this.conversations,
      attached: (db) => this.security.attach(db),
      failed: (code) => this.showLocalError(code),
    });
    const isActive = (conv: string): boolean => this.conversations.get().active === conv && document.visibilityState === 'visible';
    // Before the server answers (offline start), the session kept on this device names us.
    const me = (): string | null => this.myName ?? this.session.get().username;
    this.outbox = new MessageOutbox({
      db: () => this.accountDb.current,
      readyDb: () => this.readyDb(),
      me,
      send: (conv, msg) => this.manager?.send(conv, msg) ?? false,
      isReady: (conv) => this.manager?.isReady(conv) ?? false,
      isOnline: (conv) => this.presence.get().online.has(conv),
      dial: (peerName) => this.dial(peerName),
      isActive,
      emitMessage: (m) => this.emitMessage(m),
      refreshConversations: () => this.refreshConversations(),
      failed: (code) => this.showLocalError(code),
    });
    this.transfers = new TransferService({
      db: () => this.readyDb(),
      me,
      link: (conv) => (this.manager?.isReady(conv) ? this.manager.get(conv) : undefined),
      emitMessage: (m) => this.emitMessage(m),
      refreshConversations: () => this.refreshConversations(),
      dial: (peerName) => this.dial(peerName),
      isActive,
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
      if (active && document.visibilityState === 'visible') this.markRead(active);
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
    // Received files of transfers that no longer exist (any account on this browser) go away.
    void sweepReceivedFiles();
    const stored = loadStoredSession();
    if (stored) {
      this.session.update((s) => ({ ...s, username: stored.username }));
      void this.accountDb.open(stored.username);
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
    const key = this.security.loadIdentity(username, { newAccount: true }).then(
      (keys) => (keys.account ? encodePublicKey(keys.account.publicKey) : null),
      (err: unknown) => {
        console.warn('Peerchat: the identity key could not be loaded', err);
        this.showLocalError(err instanceof PeerchatError ? err.code : 'IDENTITY_SETUP_FAILED');
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
    return this.accountDb.current;
  }

  get myName(): string | null {
    return this.signal.session?.username ?? null;
  }

  /** Opens a conversation: clears its unread count and dials the contact if they are online. */
  async open(peerName: string | null): Promise<void> {
    const conv = peerName ? usernameKey(peerName) : null;
    this.conversations.update((c) => ({ ...c, active: conv }));
    if (!conv || !peerName) return;
    await this.accountDb.markRead(conv);
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
    this.security.setSessionError(conv, null);
    if (this.presence.get().online.has(conv)) this.dial(peerName);
  }

  /** Dials unless the contact's key change waits for the person, or secure retries ran out. */
  private dial(peerName: string): void {
    const conv = usernameKey(peerName);
    if (this.security.get(conv).pendingKey) return;
    if (!this.redials.allowed(conv)) return;
    this.manager?.connect(peerName);
  }

  /** Writes a message to history and the outbox, then sends it; rejects with a PeerchatError. */
  send(peerName: string, text: string): Promise<void> {
    return this.outbox.send(peerName, text);
  }

  // --- server side ----------------------------------------------------------------------------

  private async onSession(s: Session): Promise<void> {
    this.session.update((st) => ({ ...st, username: s.username, authError: null }));
    const opening = this.accountDb.open(s.username);
    // The peer manager exists before any await: an offer relayed right after `welcome` must
    // find it, or the peer would wait for an answer that never comes.
    // Our identity was loaded before logging in (it is published with the login).
    const identity = this.security.identityFor(s.username);
    if (!identity) {
      this.showLocalError('IDENTITY_NOT_LOADED');
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
  private readyDb(): Promise<ChatDb | null> {
    return this.accountDb.ready();
  }

  private onServerMessage(m: ServerMsg): void {
    if (this.security.handleServerMessage(m)) return;
    switch (m.type) {
      case 'presence': {
        const online = new Map<string, string>();
        for (const name of m.online) online.set(usernameKey(name), name);
        this.presence.set({ online });
        this.dialPending();
        break;
      }
      case 'presence-update': {
        const key = usernameKey(m.username);
        const online = new Map(this.presence.get().online);
        if (m.online) online.set(key, m.username);
        else online.delete(key);
        this.presence.set({ online });
        if (m.online) this.dialIfWanted(m.username);
        else this.manager?.peerOffline(key);
        break;
      }
      case 'signal':
        this.manager?.handleSignal(m.from, m.cid, m.data);
        break;
      case 'error':
        // A signal that was not delivered (the contact went offline, or the server's relay budget
        // for this pair ran out): a half-built connection cannot finish, so it fails and redials.
        if ((m.code === 'PEER_OFFLINE' || m.code === 'RATE_LIMITED') && m.to) this.manager?.handleUndeliverable(m.to, m.cid);
        break;
      default:
        break;
    }
  }

  /** Dials everyone online that we have undelivered messages for. */
  private dialPending(): void {
    this.dialPendingNow().catch((err: unknown) => console.warn('Peerchat: could not read the outbox to reconnect', err));
  }

  private async dialPendingNow(): Promise<void> {
    const db = this.accountDb.current;
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

  /** Dials a contact who came online if there is a reason to (open conversation, outbox, transfers). */
  private dialIfWanted(peerName: string): void {
    this.dialIfWantedNow(peerName).catch((err: unknown) => console.warn('Peerchat: could not check whether to connect', err));
  }

  private async dialIfWantedNow(peerName: string): Promise<void> {
    const conv = usernameKey(peerName);
    const db = this.accountDb.current;
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
      this.security.setSessionError(conv, null);
      this.outbox.flush(conv);
    } else if (state === 'closed' || state === 'failed') {
      this.transfers.linkClosed(conv);
      const failure = state === 'failed' ? link.failure : null;
      const shown = sessionErrorOf(failure);
      if (shown) {
        // Shown in the conversation at once (with "Retry").
        this.security.setSessionError(conv, shown);
        // A handshake that fails against the pinned key may mean the contact's key changed.
        void this.security.recheck(link.peerName);
      }
      this.redials.ended(conv, link.peerName, failure);
    }
  }

  private async onPeerFrame(conv: string, msg: PeerMsg, link: PeerLink): Promise<void> {
    if (isFileControlType(msg.type)) return this.transfers.onControl(conv, msg as Exclude<PeerMsg, { type: 'chat' | 'ack' }>, link);
    if (msg.type === 'chat' || msg.type === 'ack') await this.outbox.receive(conv, msg, link);
  }

  // --- local state ----------------------------------------------------------------------------

  private emitMessage(m: StoredMessage): void {
    for (const fn of this.messageListeners) fn(m);
  }

  private showLocalError(code: AppErrorCode): void {
    this.session.update((s) => ({ ...s, localError: code }));
  }

  private markRead(conv: string): void {
    this.accountDb.markRead(conv).catch((err: unknown) => console.warn('Peerchat: could not mark the conversation read', err));
  }

  private refreshConversations(): void {
    this.accountDb.refresh().catch((err: unknown) => console.warn('Peerchat: could not read the conversation list', err));
  }

  private async teardown(): Promise<void> {
    this.manager?.destroyAll();
    this.manager = null;
    this.security.reset();
    this.redials.clear();
    this.outbox.clear();
    this.accountDb.close();
    this.presence.set({ online: new Map() });
    this.peers.set({ links: new Map() });
  }
}
