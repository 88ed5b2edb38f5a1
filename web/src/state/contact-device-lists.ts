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

export interface ContactDeviceListsDeps {
  readyDb(): Promise<ChatDb | null>;
  /** My account (usernameKey), or null. */
  me(): string | null;
  /** The contact's pinned account key (base64url), or null. */
  pinnedKey(conv: string): string | null;
  /** A quiet line was written. */
  emitMessage(m: StoredMessage): void;
  refreshConversations(): void;
}

export class ContactDeviceLists {
  constructor(private readonly deps: ContactDeviceListsDeps) {}

  /** The highest version of the account's list seen (0: none). */
  async minVersion(conv: string): Promise<number> {
    const db = await this.deps.readyDb();
    return db ? devicesVersion(db, conv) : 0;
  }

  /** The ids of the contact's devices from its newest list ([] if none is known). */
  async deviceIds(conv: string): Promise<string[]> {
    const db = await this.deps.readyDb();
    const list = db ? await storedDevices(db, conv) : null;
    return list ? list.devices.map((d) => d.id) : [];
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
    const lines = await saveDevices(db, conv, peerName, signed, list);
    for (const line of lines) this.deps.emitMessage(line);
    if (lines.length) this.deps.refreshConversations();
  }
}
