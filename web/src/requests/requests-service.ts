/**
 * Message requests and blocking, on this device. A stranger's first message arrives as a sealed
 * request through the server (shared/requests/request-box.ts); nothing about this device (no
 * WebRTC answer, so no IP address) reaches them until the person accepts.
 *
 * - Contacts: people the person accepted, or started talking to (opened their conversation,
 *   wrote or offered a file first); every conversation from before requests existed is one. Only a contact's signals reach the peer manager, and only
 *   contacts are dialled; a blocked account's never are.
 * - Sending: a message to a contact who has never answered as one (no secure link yet, and they
 *   never wrote to us) also goes as a request while they are online; it stays in the outbox, so
 *   it goes again over the link once one comes up, and the recipient keeps one copy by id. It
 *   shows "sent" until the real receipt.
 * - Receiving: the box must open with our account key, verify with the key inside, and that key
 *   must be the one the directory publishes for the name the server says sent it. From a contact
 *   it is an ordinary message (and we dial back); from anyone else it lands as a request: plain
 *   text, no receipt, key neither shown as trusted nor pinned until Accept. Blocked: dropped.
 * - Accept makes a contact, pins the key and dials; Delete removes the conversation and its
 *   messages; Block keeps the conversation (to unblock) and refuses everything from the account.
 *   The server is never told about any of these.
 */
import { decodePublicKey } from '../../../shared/crypto/index';
import { usernameKey, type ClientMsg, type ServerMsg, type SignalData } from '../../../shared/index';
import { openRequestBox, requestSenderVerdict, sealRequestBox } from '../../../shared/requests/request-box';
import { requestVerdict, sendsAsRequest, signalVerdict, type ContactFacts } from '../../../shared/requests/contact-gate';
import type { AppErrorCode } from '../../../shared/errors';
import type { ChatDb, StoredMessage } from '../db/schema';
import * as history from '../db/history';
import type { SecurityService } from '../state/security';
import { Store } from '../state/store';
import * as requestDb from './request-db';
import { EMPTY_REQUESTS, type RequestsState } from './requests-state';

export interface RequestsServiceDeps {
  security: SecurityService;
  db(): Promise<ChatDb | null>;
  me(): string | null;
  sendToServer(msg: ClientMsg): boolean;
  isOnline(conv: string): boolean;
  isReady(conv: string): boolean;
  isActive(conv: string): boolean;
  /** Dials a contact (the caller's own checks still apply). */
  dial(peerName: string): void;
  /** Closes any link with the conversation's peer (blocked). */
  dropLink(conv: string): void;
  emitMessage(m: StoredMessage): void;
  refreshConversations(): void;
  /** The active conversation was deleted. */
  closeConversation(conv: string): void;
  failed(code: AppErrorCode): void;
}

/** Signals that arrive before the database is open wait (in order) for the first decision. */
const MAX_HELD_SIGNALS = 256;
/**
 * A stranger's latest connection attempt is kept (unanswered) for as long as a dialler waits for
 * an answer (the link's connect timeout), so that when the person accepts or opens the
 * conversation it is answered then instead of both sides dialling at once. Bounded per person
 * and in number of people.
 */
const UNANSWERED_KEEP_MS = 20_000;
const MAX_UNANSWERED_SIGNALS = 64;
const MAX_UNANSWERED_PEOPLE = 32;

interface Unanswered {
  cid: string;
  at: number;
  deliver: (() => void)[];
}

export class RequestsService {
  readonly state = new Store<RequestsState>(EMPTY_REQUESTS);
  private contacts = new Set<string>();
  private answering = new Set<string>();
  private loaded = false;
  private held: { from: string; cid: string; data: SignalData; deliver: () => void }[] = [];
  /** The latest connection attempt of each stranger, not answered (see UNANSWERED_KEEP_MS). */
  private readonly unanswered = new Map<string, Unanswered>();
  /** Per conversation, request sends run one after another. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly deps: RequestsServiceDeps) {}

  /** The history database opened (or closed): load contacts, requests and the block list. */
  async attach(db: ChatDb | null): Promise<void> {
    if (!db) return this.reset();
    const snap = await requestDb.loadContactState(db);
    this.contacts = snap.contacts;
    this.answering = snap.answering;
    this.state.set({ requests: snap.requests, blocked: new Map([...snap.blocked].map(([k, b]) => [k, b.peerName])) });
    this.loaded = true;
    const held = this.held;
    this.held = [];
    for (const h of held) this.gateSignal(h.from, h.cid, h.data, h.deliver);
    for (const conv of this.contacts) this.sendRequests(conv, this.deps.isOnline(conv));
  }

  reset(): void {
    this.contacts = new Set();
    this.answering = new Set();
    this.loaded = false;
    this.held = [];
    this.unanswered.clear();
    this.chains.clear();
    this.state.set(EMPTY_REQUESTS);
  }

  isContact(conv: string): boolean {
    return this.contacts.has(conv) && !this.state.get().blocked.has(conv);
  }

  private facts(conv: string): ContactFacts {
    return { contact: this.contacts.has(conv), blocked: this.state.get().blocked.has(conv), answering: this.answering.has(conv) };
  }

  /** May this device dial the person? Only contacts, never a request or a blocked account. */
  mayDial(peerName: string): boolean {
    return this.isContact(usernameKey(peerName));
  }

  /**
   * A relayed WebRTC signal: passed on (`deliver`) only from a contact. A stranger's offer is
   * not answered, so they learn nothing about this device.
   */
  gateSignal(from: string, cid: string, data: SignalData, deliver: () => void): void {
    if (!this.loaded) {
      if (this.held.length < MAX_HELD_SIGNALS) this.held.push({ from, cid, data, deliver });
      return;
    }
    const conv = usernameKey(from);
    const verdict = signalVerdict(this.facts(conv));
    if (verdict === 'deliver') return deliver();
    if (verdict === 'drop') return;
    if (data.type === 'offer') {
      console.warn('Peerchat: a connection offer from someone who is not a contact was not answered');
      this.unanswered.delete(conv);
      if (this.unanswered.size >= MAX_UNANSWERED_PEOPLE) this.unanswered.delete(this.unanswered.keys().next().value ?? '');
      this.unanswered.set(conv, { cid, at: Date.now(), deliver: [deliver] });
    } else {
      const u = this.unanswered.get(conv);
      if (u && u.cid === cid && u.deliver.length < MAX_UNANSWERED_SIGNALS) u.deliver.push(deliver);
    }
  }

  /** They just became a contact: answer their latest attempt if it is recent (else nothing). */
  private answerWaiting(conv: string): void {
    const u = this.unanswered.get(conv);
    this.unanswered.delete(conv);
    if (u && Date.now() - u.at < UNANSWERED_KEEP_MS) for (const d of u.deliver) d();
  }

  /**
   * We start talking to the person (open their conversation, write, offer a file): they become a
   * contact, unless their request waits for Accept or they are blocked.
   */
  async addContact(peerName: string): Promise<void> {
    const conv = usernameKey(peerName);
    if (this.contacts.has(conv) || this.state.get().blocked.has(conv)) return;
    if (this.state.get().requests.has(conv)) return;
    this.contacts.add(conv);
    this.answerWaiting(conv);
    const db = await this.deps.db();
    if (db) await requestDb.updateConversation(db, conv, peerName, { contact: 'contact' });
  }

  /** After a message was stored: if the contact never answered as one, it also goes as a request. */
  afterSend(peerName: string): void {
    const conv = usernameKey(peerName);
    this.sendRequests(peerName, this.deps.isOnline(conv));
  }

  /** The person came online: anything waiting for a contact who never answered goes as a request. */
  peerOnline(peerName: string): void {
    this.sendRequests(peerName, true);
  }

  /** A secure link came up: they answer as a contact from now on. */
  linkReady(conv: string, peerName: string): void {
    if (this.answering.has(conv)) return;
    this.answering.add(conv);
    this.contacts.add(conv);
    void this.deps
      .db()
      .then((db) => db && requestDb.updateConversation(db, conv, peerName, { answering: true }))
      .catch((err: unknown) => console.warn('Peerchat: could not note the contact as answering', err));
  }

  /**
   * The person accepted a contact's new key (a new device, maybe with an empty history that
   * does not know us): until a link comes up again, messages to them also go as requests.
   */
  keyAccepted(peerName: string): void {
    const conv = usernameKey(peerName);
    if (!this.answering.delete(conv)) return;
    void this.deps
      .db()
      .then((db) => db && requestDb.updateConversation(db, conv, peerName, { answering: false }))
      .catch((err: unknown) => console.warn('Peerchat: could not note the contact’s new key', err));
    this.sendRequests(peerName, this.deps.isOnline(conv));
  }

  /** Feeds a server frame; true if it was a request (or a failed request send). */
  handleServerMessage(m: ServerMsg): boolean {
    if (m.type === 'request') {
      this.receive(m.from, m.box).catch((err: unknown) => console.warn('Peerchat: a message request could not be handled', err));
      return true;
    }
    if (m.type === 'error' && m.ref === 'request') {
      // PEER_OFFLINE or RATE_LIMITED: the messages stay in the outbox and go again later.
      console.warn('Peerchat: a message request was not relayed', m.code);
      if (m.code === 'PEER_OFFLINE' && m.to) this.backToWaiting(m.to);
      return true;
    }
    return false;
  }

  /** Accept: a contact from now on; the key is pinned and the link set up. */
  async accept(peerName: string): Promise<void> {
    const conv = usernameKey(peerName);
    const db = await this.deps.db();
    if (!db) return;
    await requestDb.updateConversation(db, conv, peerName, { contact: 'contact', answering: true });
    this.contacts.add(conv);
    this.answering.add(conv);
    this.setRequest(conv, false);
    this.deps.refreshConversations();
    this.answerWaiting(conv);
    try {
      await this.deps.security.resolvePeerKey(peerName);
    } catch (err) {
      // The link's own key checks show what is wrong; the contact is accepted either way.
      console.warn('Peerchat: the accepted contact’s key could not be pinned yet', err);
    }
    if (this.deps.isOnline(conv)) this.deps.dial(peerName);
  }

  /** Delete: the request's conversation and its messages go away. */
  async delete(peerName: string): Promise<void> {
    const conv = usernameKey(peerName);
    const db = await this.deps.db();
    if (!db) return;
    await requestDb.deleteConversation(db, conv);
    this.contacts.delete(conv);
    this.answering.delete(conv);
    this.setRequest(conv, false);
    this.deps.closeConversation(conv);
    this.deps.refreshConversations();
  }

  /** Block on this device: their offers and requests are refused from now on. */
  async block(peerName: string): Promise<void> {
    const conv = usernameKey(peerName);
    const db = await this.deps.db();
    if (!db) return;
    await requestDb.block(db, { conv, peerName, ts: Date.now() });
    this.unanswered.delete(conv);
    this.state.update((s) => ({ ...s, blocked: new Map(s.blocked).set(conv, peerName) }));
    this.deps.dropLink(conv);
  }

  async unblock(peerName: string): Promise<void> {
    const conv = usernameKey(peerName);
    const db = await this.deps.db();
    if (!db) return;
    await requestDb.unblock(db, conv);
    this.state.update((s) => {
      const blocked = new Map(s.blocked);
      blocked.delete(conv);
      return { ...s, blocked };
    });
  }

  private setRequest(conv: string, isRequest: boolean): void {
    this.state.update((s) => {
      if (s.requests.has(conv) === isRequest) return s;
      const requests = new Set(s.requests);
      if (isRequest) requests.add(conv);
      else requests.delete(conv);
      return { ...s, requests };
    });
  }

  /** Sends what waits for `peerName` as requests, if {@link sendsAsRequest} says so (`online`: as presence says). */
  private sendRequests(peerName: string, online: boolean): void {
    const conv = usernameKey(peerName);
    if (!sendsAsRequest(this.facts(conv), online, this.deps.isReady(conv))) return;
    const prev = this.chains.get(conv) ?? Promise.resolve();
    const next = prev
      .then(() => this.sendRequestsNow(peerName))
      .catch((err: unknown) => console.warn('Peerchat: a message request could not be sent; it stays in the outbox', err));
    this.chains.set(conv, next);
  }

  /** Nobody of theirs was online after all: what went as a request shows "waiting" again. */
  private backToWaiting(peerName: string): void {
    const conv = usernameKey(peerName);
    const prev = this.chains.get(conv) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        const db = await this.deps.db();
        if (!db || this.deps.isReady(conv)) return;
        for (const m of await history.pendingFor(db, conv)) {
          if (m.state !== 'sent') continue;
          const updated = await history.setMessageState(db, m.id, 'waiting');
          if (updated) this.deps.emitMessage(updated);
        }
      })
      .catch((err: unknown) => console.warn('Peerchat: could not mark unsent requests as waiting', err));
    this.chains.set(conv, next);
  }

  private async sendRequestsNow(peerName: string): Promise<void> {
    const conv = usernameKey(peerName);
    const me = this.deps.me();
    const db = await this.deps.db();
    const account = me ? this.deps.security.identityFor(me) : null;
    if (!db || !me || !account) return;
    const pending = await history.pendingFor(db, conv);
    if (!pending.length) return;
    // Pins their key on first use, as any first contact we start does; refused while a key change waits.
    const recipientKey = await this.deps.security.resolvePeerKey(peerName);
    for (const m of pending) {
      if (m.fileId || m.state === 'delivered') continue;
      let box: string;
      try {
        box = sealRequestBox({ from: me, sender: account, to: peerName, recipientKey, id: m.id, text: m.text, ts: m.ts });
      } catch (err) {
        // Too long to go as a request: it waits for the direct connection.
        console.warn('Peerchat: a message is too long for a request and waits for a connection', (err as Error).name);
        continue;
      }
      if (!this.deps.sendToServer({ type: 'request', to: peerName, box })) return;
      if (m.state === 'waiting') {
        const updated = await history.setMessageState(db, m.id, 'sent');
        if (updated) this.deps.emitMessage(updated);
      }
    }
  }

  private async receive(from: string, box: string): Promise<void> {
    const conv = usernameKey(from);
    if (requestVerdict(this.facts(conv)) === 'drop') return void console.warn('Peerchat: a message request from a blocked account was dropped');
    const me = this.deps.me();
    const account = me ? this.deps.security.identityFor(me) : null;
    const db = await this.deps.db();
    if (!me || !account || !db) return void console.warn('Peerchat: a message request arrived before this device could open it');
    const opened = openRequestBox(box, { name: me, account });
    if (!opened) return void console.warn('Peerchat: a message request did not open or verify; dropped');
    const pinnedKey = this.deps.security.get(conv).pinnedKey;
    // Asked only on first contact: once a key is pinned, the directory has no say.
    const publishedKey = pinnedKey ? null : await this.deps.security.lookupKey(from);
    const sender = requestSenderVerdict(opened, from, { me, pinnedKey, publishedKey });
    if (sender !== 'ok' || !decodePublicKey(opened.senderKey)) {
      return void console.warn(`Peerchat: a message request was dropped (${sender === 'ok' ? 'bad key' : sender})`);
    }
    // Decided again after the awaits: the person may have accepted or blocked meanwhile.
    const verdict = requestVerdict(this.facts(conv));
    if (verdict === 'drop') return void console.warn('Peerchat: a message request from a blocked account was dropped');
    const contact = verdict === 'message';
    const ts = Math.min(opened.ts, Date.now() + 60_000);
    const msg: StoredMessage = { id: opened.id, conv, from, outgoing: false, text: opened.text, ts, state: 'received' };
    const saved = await requestDb.saveRequestMessage(db, msg, !contact, !this.deps.isActive(conv));
    this.answering.add(conv);
    if (!contact) this.setRequest(conv, true);
    if (saved) this.deps.emitMessage(saved);
    this.deps.refreshConversations();
    // A contact who writes through the server has no link to us yet: set one up.
    if (contact && !this.deps.isReady(conv)) this.deps.dial(from);
  }
}
