/**
 * The on-device history: one IndexedDB database per account on this browser, so two people
 * sharing a browser never see each other's messages. Upgrades go through the `oldVersion`
 * ladder in {@link openChatDb}; never edit a past step, add a new one.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { FileOffer } from '../../../shared/transfer/control';
import type { TransferPhase } from '../../../shared/transfer/lifecycle';
import type { DeviceList, SignedDeviceList } from '../../../shared/devices/device-list';
import type { SignedGroupChange } from '../../../shared/groups/group-change';
import type { SignedGroupMessage } from '../../../shared/groups/group-message';
import { createActionStores, type ActionStores, type EverydayFields } from '../everyday/action-records';
import type { StoredProfile } from '../../../shared/messaging/profile';

export type MessageState =
  /** Stored here, waiting in the outbox for a connection to the peer. */
  | 'waiting'
  /** Handed to the data channel; no receipt yet. */
  | 'sent'
  /** The peer's device confirmed it stored the message. */
  | 'delivered'
  /** A message we received. */
  | 'received';

export interface StoredMessage extends EverydayFields {
  /** Random 128-bit id (hex); the same on both devices, so writes are idempotent. */
  id: string;
  /** Conversation key: the peer's username, lowercased. */
  conv: string;
  /** Display name of who wrote it. */
  from: string;
  outgoing: boolean;
  text: string;
  /** Author's clock, ms since the epoch. */
  ts: number;
  state: MessageState;
  /** A file or image message; its transfer is `transfers[fileId]` (fileId === id). */
  fileId?: string;
  /**
   * This device's record number: set (anew) on every write of the message, so "everything
   * after seq N" is what changed since; what own devices catch up from (shared/devices/sync-plan.ts).
   */
  seq?: number;
  /** Outgoing: the contact's devices that acknowledged it (Delivered once any did). */
  deliveredTo?: string[];
  /**
   * Outgoing: when this device learned that the contact read it (their `read` receipt, or a copy
   * from my other device that had one), on this device's clock. Shown as "Read" after Delivered
   * while read receipts are on (web/src/everyday/receipts-service.ts); once set it is never
   * cleared, so a later receipt, a resend or an older copy cannot move the message back.
   */
  readAt?: number;
  /**
   * A quiet line, not a message: the contact added or removed a device (`text` is the device's
   * name). Absent for messages.
   */
  kind?: SystemLineKind;
  /**
   * Search tokens of `text` (shared/search `indexTokens`), behind the multiEntry `by-token`
   * index. Written with new messages; older records get them from the background backfill
   * (web/src/search/search-backfill.ts).
   */
  tokens?: string[];
}

/** Quiet lines in a conversation about the contact's account. */
export type SystemLineKind = 'device-added' | 'device-removed';

/** Where a stored transfer is in its life (the phases of shared/transfer/lifecycle.ts). */
export type TransferState = TransferPhase;

/** One file transfer, either direction. Kept for resume and for the history. */
export interface StoredTransfer {
  /** The file id (also the id of its message in `messages`). */
  id: string;
  conv: string;
  peerName: string;
  /**
   * The peer device this transfer is with (an incoming one: the device that offered it; an
   * outgoing one: the device chosen). Absent: whichever device of the account is linked.
   */
  device?: string;
  direction: 'out' | 'in';
  offer: FileOffer;
  state: TransferState;
  /** Receiver: bitmap of verified chunks on disk (ChunkSet.toBytes), for resume. */
  verified?: Uint8Array;
  /**
   * Sender: the File itself (structured-cloned into IndexedDB; the browser keeps a copy or a
   * reference), so a transfer resumes after the sender's page reloads. Dropped when finished,
   * except for inline images (shown in the history).
   */
  file?: Blob;
  /** BLAKE2b-256 of the whole file, once verified. */
  hash?: string;
  /**
   * Sender: the hash it computed and sent in file-done, kept so that a "verified" arriving after
   * the sender's page reloaded can still be checked (the receiver may finish while we are away).
   */
  sentHash?: string;
  /** Why it failed, was cancelled or declined (a CancelReason / DeclineReason). */
  reason?: string;
  /**
   * A history copy from another device of this account (catch-up): only the offer's facts, no
   * bytes here. Always `done`; its card says it is kept on the other device; never resumed,
   * offered, saved or counted as an open transfer.
   */
  remoteCopy?: true;
  /** Who cancelled: the contact's display name, or '' for this device. */
  cancelledBy?: string;
  /** A cancel or decline the contact has not been told yet (we were offline). */
  notifyPeer?: boolean;
}

export interface StoredConversation {
  /** The peer's username, lowercased. */
  conv: string;
  peerName: string;
  lastText: string;
  lastTs: number;
  unread: number;
  /**
   * Message requests (web/src/requests/): 'contact' = someone we accepted or wrote to first (a
   * record without the field, written by code that predates it, is one too); 'request' = a
   * stranger wrote and the person has not accepted yet (no connection is answered).
   */
  contact?: 'contact' | 'request';
  /**
   * They treat us as a contact: a secure link came up once, or they wrote to us. Until then a
   * message to them also goes as a sealed request through the server.
   */
  answering?: boolean;
}

/** An account this device refuses connections and requests from (the server is not told). */
export interface BlockedAccount {
  conv: string;
  peerName: string;
  ts: number;
}

export interface OutboxEntry {
  id: string;
  conv: string;
  ts: number;
}

export interface StoredContact {
  conv: string;
  peerName: string;
  /** Pinned identity key (base64url), trust on first use. */
  identityKey?: string;
  verified?: boolean;
  /** When the key was pinned (first contact, or an accepted change). */
  pinnedAt?: number;
  /**
   * A different key the directory (or a failed handshake) now shows. Nothing is sent to this
   * contact until the person accepts it; verification is cleared when it appears.
   */
  pendingKey?: string;
  pendingSince?: number;
  /** The newest device list of the account seen (verified with the pinned key when stored). */
  devices?: SignedDeviceList;
  /** Its version; an older list is refused from then on (0 or absent: none seen). */
  devicesVersion?: number;
}

export type KeyEventKind =
  /** First contact: the key was pinned (trust on first use). */
  | 'pinned'
  /** The server announced a different key than the pinned one. */
  | 'changed'
  /** The person accepted the new key; it is now pinned. */
  | 'accepted'
  | 'verified'
  | 'unverified';

/** The security history of one contact, shown in the Verify dialog. */
export interface KeyEvent {
  id?: number;
  conv: string;
  ts: number;
  kind: KeyEventKind;
  /** The key the event is about (base64url). */
  key: string;
}

export interface ChatDbSchema extends DBSchema, ActionStores {
  messages: {
    key: string;
    value: StoredMessage;
    indexes: { 'by-conv-ts': [string, number, string]; 'by-seq': number; 'by-token': string; 'by-reply': string };
  };
  conversations: {
    key: string;
    value: StoredConversation;
    indexes: { 'by-last': number };
  };
  outbox: {
    key: string;
    value: OutboxEntry;
    indexes: { 'by-conv-ts': [string, number] };
  };
  contacts: {
    key: string;
    value: StoredContact;
  };
  keyEvents: {
    key: number;
    value: KeyEvent;
    indexes: { 'by-conv-ts': [string, number] };
  };
  transfers: {
    key: string;
    value: StoredTransfer;
    indexes: { 'by-conv': string; 'by-conv-state': [string, string] };
  };
  blocked: {
    key: string;
    value: BlockedAccount;
  };
  /**
   * Copies owed to single devices of a contact: one entry per (message, device), gone when that
   * device acknowledged it (the message itself leaves `outbox` on the first receipt).
   */
  deviceOutbox: {
    key: string;
    value: DeviceOutboxEntry;
    indexes: { 'by-conv-device': [string, string] };
  };
  /** Per own peer device: the highest of its record numbers stored here (catch-up resumes there). */
  syncCursors: {
    key: string;
    value: SyncCursor;
  };
  /** Each group's signed change log (the group's state is rebuilt from it on start). */
  groupChanges: {
    key: string;
    value: StoredGroupChange;
    indexes: { 'by-group': string };
  };
  /**
   * Each group's signed messages as they travel (relayed as is to members who lack them); what
   * this device holds per author device is the group's sync state (shared/groups/group-sync.ts).
   */
  groupMessages: {
    key: string;
    value: StoredGroupMessage;
    indexes: { 'by-group': string };
  };
  /** Group members' device lists, verified against the key their group pins for them. */
  groupDeviceLists: {
    key: string;
    value: StoredMemberDevices;
  };
  /**
   * Profiles (display name, avatar): each contact's newest, and this account's own under its
   * own key, with what was sent to which device (web/src/everyday/profile-db.ts).
   */
  profiles: {
    key: string;
    value: StoredProfileRecord;
  };
}

/** One account's profile on this device, and (own and contacts alike) which version each of their devices was sent. */
export interface StoredProfileRecord {
  /** The account (usernameKey); this account's own record is under its own key. */
  conv: string;
  profile?: StoredProfile;
  /** Per device of that account ('' = one that names no device): the `ts` of my profile last sent to it. */
  sent?: Record<string, number>;
}

export interface StoredGroupChange {
  /** `${group}/${change id}`. */
  key: string;
  group: string;
  signed: SignedGroupChange;
}

export interface StoredGroupMessage {
  id: string;
  group: string;
  author: string;
  device: string;
  n: number;
  ts: number;
  at: string[];
  /** Characters of the signed message (batches are packed by size). */
  bytes: number;
  signed: SignedGroupMessage;
}

export interface StoredMemberDevices {
  account: string;
  list: DeviceList;
  signed: SignedDeviceList;
}

export interface DeviceOutboxEntry {
  /** `${id}/${device}`. */
  key: string;
  /** The message id. */
  id: string;
  conv: string;
  device: string;
  ts: number;
}

export interface SyncCursor {
  device: string;
  seq: number;
}

export type ChatDb = IDBPDatabase<ChatDbSchema>;

export const DB_VERSION = 10;

export function dbNameFor(usernameKey: string): string {
  return `peerchat-${usernameKey}`;
}

export function openChatDb(usernameKey: string): Promise<ChatDb> {
  return openDB<ChatDbSchema>(dbNameFor(usernameKey), DB_VERSION, {
    upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        const messages = db.createObjectStore('messages', { keyPath: 'id' });
        messages.createIndex('by-conv-ts', ['conv', 'ts', 'id']);
        const convs = db.createObjectStore('conversations', { keyPath: 'conv' });
        convs.createIndex('by-last', 'lastTs');
        const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
        outbox.createIndex('by-conv-ts', ['conv', 'ts']);
        db.createObjectStore('contacts', { keyPath: 'conv' });
      }
      if (oldVersion < 2) {
        // End-to-end encryption: the key history per contact. Pinned keys and the
        // verified flag live on the contacts records, which need no schema change.
        const events = db.createObjectStore('keyEvents', { keyPath: 'id', autoIncrement: true });
        events.createIndex('by-conv-ts', ['conv', 'ts']);
      }
      if (oldVersion < 3) {
        // Files and images: one record per transfer, for resume and the history.
        const transfers = db.createObjectStore('transfers', { keyPath: 'id' });
        transfers.createIndex('by-conv', 'conv');
      }
      if (oldVersion < 4) {
        // Offers waiting for the person, per contact, without reading the whole history (the
        // per-contact cap is checked on every new offer).
        tx.objectStore('transfers').createIndex('by-conv-state', ['conv', 'state']);
      }
      if (oldVersion < 5) {
        // Message requests: accounts blocked on this device, and every conversation from before
        // requests existed is a contact that answers (both sides talked).
        db.createObjectStore('blocked', { keyPath: 'conv' });
        void (async () => {
          let cursor = await tx.objectStore('conversations').openCursor();
          while (cursor) {
            await cursor.update({ ...cursor.value, contact: 'contact', answering: true });
            cursor = await cursor.continue();
          }
        })().catch((err: unknown) => console.warn('Peerchat: marking existing conversations as contacts failed', err));
      }
      if (oldVersion < 6) {
        // Devices: contacts gain `devices`/`devicesVersion` and messages `deliveredTo`/`kind`
        // (optional fields). Records get numbers for catch-up between own devices; what is
        // already stored is numbered now, so a newly linked device can take it.
        const messages = tx.objectStore('messages');
        messages.createIndex('by-seq', 'seq');
        db.createObjectStore('syncCursors', { keyPath: 'device' });
        db.createObjectStore('deviceOutbox', { keyPath: 'key' }).createIndex('by-conv-device', ['conv', 'device']);
        void (async () => {
          let seq = 0;
          for (let c = await messages.openCursor(); c; c = await c.continue()) await c.update({ ...c.value, seq: ++seq });
        })().catch((err: unknown) => console.warn('Peerchat: numbering the stored messages failed', err));
      }
      if (oldVersion < 7) {
        // Groups: their change logs, their signed messages (shown through `messages` under the
        // group's conversation key), and members' device lists.
        db.createObjectStore('groupChanges', { keyPath: 'key' }).createIndex('by-group', 'group');
        db.createObjectStore('groupMessages', { keyPath: 'id' }).createIndex('by-group', 'group');
        db.createObjectStore('groupDeviceLists', { keyPath: 'account' });
      }
      if (oldVersion < 8) {
        // Search: one index entry per (token, message). Stored messages get their tokens from
        // the resumable background backfill, not here (an upgrade must stay short).
        tx.objectStore('messages').createIndex('by-token', 'tokens', { multiEntry: true });
      }
      if (oldVersion < 9) {
        // Profiles: contacts' display names and avatars, and this account's own.
        db.createObjectStore('profiles', { keyPath: 'conv' });
      }
      if (oldVersion < 10) createActionStores(db, tx); // Reply, reactions, edit, recall. Next schema change: `if (oldVersion < 11) { ... }`.
    },
    blocking() {
      // A newer version of the app opened in another tab: let it upgrade.
      location.reload();
    },
  });
}
