/**
 * The device-level database (`peerchat-device`), shared by every account used in this browser
 * and separate from the per-account history: the keys must be known before logging in (they are
 * published with register/login/resume), while an account's history opens only after welcome.
 *
 * Version 2 stores, per account (lowercased username):
 * - `accounts`: this browser's device key and, once the device belongs to the account, the
 *   account key. Written with durability 'strict': losing the account key means a new key for
 *   every contact.
 * - `ownDevices`: the newest verified device list of the account (the version is the rollback
 *   floor) and when each of the other devices was last seen online from here.
 * Version 1 had one store, `identities` (one key pair per account, which is now the account
 * key); its records are moved to `accounts` when the account is next used (device-identity.ts)
 * and the store stays readable until then.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { StoredIdentity } from '../../../shared/crypto/index';
import type { SignedDeviceList } from '../../../shared/devices/device-list';

/** A version 1 record: the account's only key pair. */
export interface LegacyIdentityRecord {
  identity: StoredIdentity;
  createdAt: number;
}

export interface AccountKeysRecord {
  /** The account key; absent while this browser waits to be linked. */
  accountKey?: StoredIdentity;
  /** This browser's own key for the account. */
  deviceKey: StoredIdentity;
  createdAt: number;
}

export interface OwnDevicesRecord {
  /** The newest list verified with the account key (null before the first one). */
  list: SignedDeviceList | null;
  /** Its version: an older list is refused (rollback). */
  version: number;
  /** Device id → when this browser last saw it online (ms since the epoch). */
  lastSeen: Record<string, number>;
}

export interface DeviceDbSchema extends DBSchema {
  identities: { key: string; value: LegacyIdentityRecord };
  accounts: { key: string; value: AccountKeysRecord };
  ownDevices: { key: string; value: OwnDevicesRecord };
}

export const DEVICE_DB_NAME = 'peerchat-device';
const DEVICE_DB_VERSION = 2;

let dbPromise: Promise<IDBPDatabase<DeviceDbSchema>> | null = null;

export function openDeviceDb(): Promise<IDBPDatabase<DeviceDbSchema>> {
  dbPromise ??= openDB<DeviceDbSchema>(DEVICE_DB_NAME, DEVICE_DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('identities');
      if (oldVersion < 2) {
        db.createObjectStore('accounts');
        db.createObjectStore('ownDevices');
      }
      // Next change: `if (oldVersion < 3) { ... }`.
    },
    blocking() {
      location.reload();
    },
  }).catch((err: unknown) => {
    dbPromise = null;
    throw err;
  });
  return dbPromise;
}
