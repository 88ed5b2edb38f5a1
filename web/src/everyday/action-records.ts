/**
 * What reply, reactions, edit and recall add to the history database (web/src/db/schema.ts):
 * the fields of a stored message, the two stores, and the upgrade step that makes them.
 */
import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { EditFrame, ReactFrame, RecallFrame, RecallTombstone, ReplyRef, StoredReaction } from '../../../shared/messaging/index';
import type { ChatDbSchema } from '../db/schema';

/** The fields of a stored message (shared/messaging EverydayRecord). */
export interface EverydayFields {
  /** What this message quotes, when it is a reply. */
  reply?: ReplyRef;
  /** When the text was last edited (author's clock); absent: never edited. */
  editedAt?: number;
  /** Deleted for everyone at this time (author's clock): `text` and `tokens` are empty then. */
  recalledAt?: number;
  /** Reactions by reactor (username key), one each. */
  reactions?: Readonly<Record<string, StoredReaction>>;
}

/** A control frame of mine waiting for the contact's link (./action-service.ts). */
export interface QueuedAction {
  id?: number;
  conv: string;
  frame: ReactFrame | EditFrame | RecallFrame;
}

/** A recall of a message not stored here (yet), keyed `${conv}/${id}` (./action-store.ts). */
export interface StoredTombstone extends RecallTombstone {
  key: string;
}

export interface ActionStores {
  /** My react, edit and recall frames waiting for a link to the contact, oldest first. */
  actionOutbox: {
    key: number;
    value: QueuedAction;
    indexes: { 'by-conv': string };
  };
  /** Recalls of messages that had not arrived yet: a late copy is stored already recalled. */
  recallTombstones: {
    key: string;
    value: StoredTombstone;
    indexes: { 'by-conv': string };
  };
}

/**
 * The upgrade step (schema v10): replies found by the message they quote (a recall scrubs their
 * excerpt), recalls of messages that have not arrived yet, and my control frames waiting for a link.
 */
export function createActionStores(
  db: IDBPDatabase<ChatDbSchema>,
  tx: IDBPTransaction<ChatDbSchema, ArrayLike<StoreNames<ChatDbSchema>>, 'versionchange'>,
): void {
  tx.objectStore('messages').createIndex('by-reply', 'reply.id');
  db.createObjectStore('recallTombstones', { keyPath: 'key' }).createIndex('by-conv', 'conv');
  db.createObjectStore('actionOutbox', { keyPath: 'id', autoIncrement: true }).createIndex('by-conv', 'conv');
}
