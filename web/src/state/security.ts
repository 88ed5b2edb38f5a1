/**
 * Who is who: this device's identity key, the contacts' pinned keys (trust on first use), key
 * changes waiting for the person's decision, the verified marks, and whether the last attempt
 * to set up a secure session with a contact failed. UI-free; the chat service owns one.
 */
import { usernameKey, type ClientMsg, type ServerMsg } from '../../../shared/index';
import { computeSafetyNumber, decodePublicKey, encodePublicKey, type IdentityKeyPair, type SafetyNumber } from '../../../shared/crypto/index';
import * as contacts from '../db/contacts';
import type { ChatDb, KeyEvent, StoredContact } from '../db/schema';
import { deviceKeys, type DeviceKeys, type DeviceKeysOptions } from '../crypto/device-identity';
import { KeyDirectory } from '../crypto/key-directory';
import { SecurityFailure } from '../crypto/security-failure';
import { errorCodeOf, type AppErrorCode } from '../../../shared/errors';
import { Store } from './store';

/** Why the last attempt at a secure session with a contact failed, as the conversation shows it. */
export type SessionErrorCode = Extract<AppErrorCode, 'SECURE_SESSION_FAILED' | 'PEER_NO_KEY'>;

export interface ContactSecurity {
  /** The pinned identity key (base64url), once there was a first contact. */
  pinnedKey: string | null;
  verified: boolean;
  /** A different key the server now shows; nothing is sent until the person accepts it. */
  pendingKey: string | null;
  /** Why the last attempt to set up a secure session failed; null when one came up (or none failed). */
  sessionError: SessionErrorCode | null;
}

export interface SecurityState {
  /** The account key of the logged-in account (base64url); null until this device holds it. */
  myKey: string | null;
  contacts: ReadonlyMap<string, ContactSecurity>;
}

const EMPTY: ContactSecurity = { pinnedKey: null, verified: false, pendingKey: null, sessionError: null };

export class SecurityService {
  readonly state = new Store<SecurityState>({ myKey: null, contacts: new Map() });
  private readonly directory: KeyDirectory;
  private keys: DeviceKeys | null = null;
  private identityUser: string | null = null;
  private db: ChatDb | null = null;

  /** `database` resolves to the account's history database once it is open (frames may come first). */
  constructor(
    send: (msg: ClientMsg) => boolean,
    private readonly database: () => Promise<ChatDb | null>,
  ) {
    this.directory = new KeyDirectory(send);
  }

  /** This browser's keys for `username` (created on first use), and remembers them as ours. */
  async loadIdentity(username: string, opts: DeviceKeysOptions = {}): Promise<DeviceKeys> {
    return this.useKeys(username, await deviceKeys(username, opts));
  }

  /** Keys changed (an account key from a link grant or a reset): hold the new ones. */
  useKeys(username: string, keys: DeviceKeys): DeviceKeys {
    this.keys = keys;
    this.identityUser = usernameKey(username);
    this.state.update((s) => ({ ...s, myKey: keys.account ? encodePublicKey(keys.account.publicKey) : null }));
    return keys;
  }

  /** Our account key pair (the identity contacts pin), if loaded for `username` and held. */
  identityFor(username: string): IdentityKeyPair | null {
    return this.keysFor(username)?.account ?? null;
  }

  /** This browser's keys, if loaded for `username`. */
  keysFor(username: string): DeviceKeys | null {
    return this.identityUser === usernameKey(username) ? this.keys : null;
  }

  private get identityKp(): IdentityKeyPair | null {
    return this.keys?.account ?? null;
  }

  /** The account's history database opened (or closed): load the pinned keys into state. */
  async attach(db: ChatDb | null): Promise<void> {
    this.db = db;
    if (!db) {
      this.state.update((s) => ({ ...s, contacts: new Map() }));
      return;
    }
    const all = await contacts.allContacts(db);
    const map = new Map<string, ContactSecurity>();
    for (const c of all) map.set(c.conv, this.fromRecord(c, null));
    this.state.update((s) => ({ ...s, contacts: map }));
  }

  reset(): void {
    this.directory.failAll();
    this.db = null;
    this.keys = null;
    this.identityUser = null;
    this.state.set({ myKey: null, contacts: new Map() });
  }

  /** Feeds a server frame; true if it was a lookup answer. */
  handleServerMessage(msg: ServerMsg): boolean {
    return this.directory.handle(msg);
  }

  serverGone(): void {
    this.directory.failAll();
  }

  get(conv: string): ContactSecurity {
    return this.state.get().contacts.get(conv) ?? EMPTY;
  }

  /**
   * The key to verify the contact's handshake with. Asks the directory every time (so a key
   * change is noticed before any handshake), pins the first key seen, and throws
   * SecurityFailure('key-changed') while a different key waits for the person's decision.
   */
  async resolvePeerKey(peerName: string): Promise<Uint8Array> {
    const db = this.db ?? (await this.database());
    if (!db) throw new SecurityFailure('unreachable');
    const conv = usernameKey(peerName);
    // Our own account: the key this browser holds, never the directory's, never pinned.
    if (conv === this.identityUser) return this.identityKp?.publicKey.slice() ?? this.noKey();
    const [answer, stored] = await Promise.all([this.directory.lookup(peerName), contacts.getContact(db, conv)]);
    if (!answer.ok && answer.reason === 'unknown-user') throw new SecurityFailure('unknown-user');
    const published = answer.ok ? answer.identityKey : undefined;
    const pinned = stored?.identityKey;
    if (pinned) {
      // The directory agrees with the pin (or said nothing useful): the pin decides.
      if (published === undefined || published === null || published === pinned || !decodePublicKey(published)) {
        if (stored.pendingKey && published === pinned) this.publish(await contacts.clearPendingKey(db, conv));
        else if (stored.pendingKey) throw new SecurityFailure('key-changed');
        return decodePublicKey(pinned) ?? this.noKey();
      }
      this.publish(await contacts.markKeyChanged(db, conv, peerName, published));
      throw new SecurityFailure('key-changed');
    }
    if (published === undefined) throw new SecurityFailure('unreachable');
    const key = published ? decodePublicKey(published) : null;
    if (!published || !key) return this.noKey();
    this.publish(await contacts.pinKey(db, conv, peerName, published));
    return key;
  }

  /** The key the directory publishes for `peerName` (null: none, unknown or unreachable). Pins nothing. */
  async lookupKey(peerName: string): Promise<string | null> {
    const r = await this.directory.lookup(peerName);
    return r.ok ? r.identityKey : null;
  }

  private noKey(): never {
    throw new SecurityFailure('no-key');
  }

  /** After a failed handshake: was it a key change? Updates state; true if a change is pending. */
  async recheck(peerName: string): Promise<boolean> {
    try {
      await this.resolvePeerKey(peerName);
      return false;
    } catch (e) {
      if (e instanceof SecurityFailure) return e.code === 'PEER_KEY_CHANGED';
      console.warn('Peerchat: checking the contact’s key failed', e);
      return false;
    }
  }

  async acceptNewKey(conv: string): Promise<void> {
    const c = this.get(conv);
    if (!this.db || !c.pendingKey) return;
    this.publish(await contacts.acceptPendingKey(this.db, conv, c.pendingKey));
  }

  async setVerified(conv: string, verified: boolean): Promise<void> {
    const c = this.get(conv);
    if (!this.db || !c.pinnedKey) return;
    this.publish(await contacts.setVerified(this.db, conv, c.pinnedKey, verified));
  }

  /** Marks the outcome of a secure-session attempt for the conversation's banner. */
  setSessionError(conv: string, error: SessionErrorCode | null): void {
    const c = this.get(conv);
    if (c.sessionError === error) return;
    this.setContact(conv, { ...c, sessionError: error });
  }

  /**
   * The safety number for our key and `key` (the pinned key by default; the pending one to
   * compare before accepting a change). Pins on first contact if nothing is pinned yet.
   */
  async safetyNumber(peerName: string, which: 'pinned' | 'pending' = 'pinned'): Promise<SafetyNumber | null> {
    const me = this.identityKp;
    const myName = this.identityUser;
    if (!me || !myName) return null;
    const conv = usernameKey(peerName);
    let c = this.get(conv);
    if (!c.pinnedKey && which === 'pinned') {
      // A failure leaves nothing pinned, so no number is shown; the conversation's banner says why.
      await this.resolvePeerKey(peerName).catch((err: unknown) => console.warn('Peerchat: no key to compute a safety number from', errorCodeOf(err)));
      c = this.get(conv);
    }
    const key = decodePublicKey(which === 'pending' ? c.pendingKey : c.pinnedKey);
    if (!key) return null;
    return computeSafetyNumber({ name: myName, identityKey: me.publicKey }, { name: conv, identityKey: key });
  }

  keyHistory(conv: string): Promise<KeyEvent[]> {
    return this.db ? contacts.keyEvents(this.db, conv) : Promise.resolve([]);
  }

  private publish(record: StoredContact): void {
    this.setContact(record.conv, this.fromRecord(record, this.get(record.conv).sessionError));
  }

  private fromRecord(c: StoredContact, sessionError: SessionErrorCode | null): ContactSecurity {
    return { pinnedKey: c.identityKey ?? null, verified: !!c.verified, pendingKey: c.pendingKey ?? null, sessionError };
  }

  private setContact(conv: string, value: ContactSecurity): void {
    this.state.update((s) => {
      const map = new Map(s.contacts);
      map.set(conv, value);
      return { ...s, contacts: map };
    });
  }
}
