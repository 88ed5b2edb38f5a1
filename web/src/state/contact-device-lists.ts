/**
 * Contacts' device lists: the newest verified list per contact (history DB), where it comes from
 * (a handshake, which verified it with the pinned account key; or the server's `devices` push,
 * verified here), and the quiet lines its changes leave in the conversation. Our own account's
 * list is not kept here.
 */
import { usernameKey } from '../../../shared/index';
import type { PeerDevice } from '../../../shared/crypto/index';
import { decodePublicKey } from '../../../shared/crypto/index';
import { verifyDeviceList, type SignedDeviceList } from '../../../shared/devices/device-list';
import type { ChatDb, StoredMessage } from '../db/schema';
import { devicesVersion, saveDevices, storedDevices } from '../db/contact-devices';
import type { KnownDevices } from '../../../shared/devices/device-admission';
import { planSend } from '../../../shared/devices/fanout';

export interface ContactDeviceListsDeps {
  readyDb(): Promise<ChatDb | null>;
  /** My account (usernameKey), or null. */
  me(): string | null;
  /** The contact's pinned account key (base64url), or null. */
  pinnedKey(conv: string): string | null;
  /** A quiet line was written. */
  emitMessage(m: StoredMessage): void;
  refreshConversations(): void;
  /** A newer list of the contact's was stored (links to devices it no longer names close). */
  devicesChanged(conv: string): void;
}

export class ContactDeviceLists {
  /** Each contact's newest list as last read or stored: every send needs it, so no read per send. */
  private readonly ids = new Map<string, KnownDevices>();
  /** Bumped on every store, so a read that raced with one is not remembered. */
  private generation = 0;

  constructor(private readonly deps: ContactDeviceListsDeps) {}

  /** The highest version of the account's list seen (0: none). */
  async minVersion(conv: string): Promise<number> {
    const db = await this.deps.readyDb();
    return db ? devicesVersion(db, conv) : 0;
  }

  /** The ids of the contact's devices from its newest list ([] if none is known). */
  async deviceIds(conv: string): Promise<readonly string[]> {
    const known = this.ids.get(conv);
    if (known) return known.ids;
    const generation = this.generation;
    const db = await this.deps.readyDb();
    const list = db ? await storedDevices(db, conv) : null;
    const read = { version: list?.version ?? 0, ids: list ? list.devices.map((d) => d.id) : [] };
    if (db && generation === this.generation) this.ids.set(conv, read);
    return read.ids;
  }

  /**
   * The devices a message to `conv` is owed to, one outbox entry each (the fan-out plan: each
   * device of the contact's newest list; "Your devices" copies go by sync instead).
   */
  async recipientDevices(conv: string, myDevice: string | null): Promise<string[]> {
    const me = this.deps.me();
    if (!me || myDevice === null || conv === me) return [];
    const known = await this.deviceIds(conv);
    const plan = planSend({ me, myDevice, myDevices: [], conv, contactDevices: known.length ? known : null });
    return plan.flatMap((t) => (t.role === 'recipient' && t.device !== null ? [t.device] : []));
  }

  /** The contact's newest list as known in memory now (null: none, or not read yet). */
  known(conv: string): KnownDevices | null {
    return this.ids.get(conv) ?? null;
  }

  /** The contact's account key was replaced: what was known under the old key no longer applies. */
  forget(conv: string): void {
    this.ids.delete(conv);
    this.generation++;
  }

  /** Logged out (or another account): nothing remembered applies any more. */
  clear(): void {
    this.ids.clear();
    this.generation++;
  }

  /** A handshake verified the contact's list: keep it if newer. */
  fromHandshake(conv: string, peerName: string, peer: PeerDevice): void {
    if (!peer.devices || !peer.signed || conv === this.deps.me()) return;
    this.store(conv, peerName, peer.signed, peer.devices).catch((err: unknown) => console.warn('Peerchat: could not store a contact’s device list', err));
  }

  /** The server pushed a contact's list: verify it with the pinned key and the version seen, then keep it. */
  fromServer(username: string, signed: SignedDeviceList): void {
    const conv = usernameKey(username);
    if (conv === this.deps.me()) return;
    const key = decodePublicKey(this.deps.pinnedKey(conv));
    if (!key) return; // No pinned key yet: the first handshake brings the list.
    void (async () => {
      const check = verifyDeviceList(signed, { accountKey: key, account: conv, minVersion: await this.minVersion(conv) });
      if (!check.ok) {
        console.warn(`Peerchat: refused a device list from the server (${check.code})`);
        return;
      }
      await this.store(conv, username, signed, check.list);
    })().catch((err: unknown) => console.warn('Peerchat: could not store a contact’s device list', err));
  }

  private async store(conv: string, peerName: string, signed: SignedDeviceList, list: PeerDevice['devices'] & object): Promise<void> {
    const db = await this.deps.readyDb();
    if (!db) return;
    const generation = this.generation;
    const { lines, newest } = await saveDevices(db, conv, peerName, signed, list);
    // The newest version stored (which may not be this one) is what sends and links go by now.
    if (generation === this.generation) this.ids.set(conv, { version: newest?.version ?? 0, ids: newest ? newest.devices.map((d) => d.id) : [] });
    else this.ids.delete(conv);
    this.generation++;
    if (lines.length || newest === list) this.deps.devicesChanged(conv);
    for (const line of lines) this.deps.emitMessage(line);
    if (lines.length) this.deps.refreshConversations();
  }
}
