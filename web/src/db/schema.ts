/**
 * The on-device history: one IndexedDB database per account on this browser, so two people
 * sharing a browser never see each other's messages. Upgrades go through the `oldVersion`
 * ladder in {@link openChatDb}; never edit a past step, add a new one.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export type MessageState =
  /** Stored here, waiting in the outbox for a connection to the peer. */
  | 'waiting'
  /** Handed to the data channel; no receipt yet. */
  | 'sent'
  /** The peer's device confirmed it stored the message. */
  | 'delivered'
  /** A message we received. */
  | 'received';

export interface StoredMessage {
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
}

export interface StoredConversation {
  /** The peer's username, lowercased. */
  conv: string;
  peerName: string;
  lastText: string;
  lastTs: number;
  unread: number;
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
}

export interface ChatDbSchema extends DBSchema {
  messages: {
    key: string;
    value: StoredMessage;
    indexes: { 'by-conv-ts': [string, number, string] };
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
}

export type ChatDb = IDBPDatabase<ChatDbSchema>;

export const DB_VERSION = 1;

export function dbNameFor(usernameKey: string): string {
  return `peerchat-${usernameKey}`;
}

export function openChatDb(usernameKey: string): Promise<ChatDb> {
  return openDB<ChatDbSchema>(dbNameFor(usernameKey), DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const messages = db.createObjectStore('messages', { keyPath: 'id' });
        messages.createIndex('by-conv-ts', ['conv', 'ts', 'id']);
        const convs = db.createObjectStore('conversations', { keyPath: 'conv' });
        convs.createIndex('by-last', 'lastTs');
        const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
        outbox.createIndex('by-conv-ts', ['conv', 'ts']);
        db.createObjectStore('contacts', { keyPath: 'conv' });
      }
      // Next schema change: `if (oldVersion < 2) { ... }`.
    },
    blocking() {
      // A newer version of the app opened in another tab: let it upgrade.
      location.reload();
    },
  });
}
