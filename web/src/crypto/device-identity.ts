/**
 * This browser's identity keys: one Ed25519 key pair per account, in a small device-level
 * database (`peerchat-device`) keyed by the lowercased username. It is separate from the
 * per-account history database because the public key must be known before logging in (it is
 * published with register/login/resume), while the history database of a fresh login opens only
 * after the server said welcome. Written with durability 'strict': losing the key would look to
 * every contact like a new device.
 *
 * The secret key never leaves this database except into memory for signing handshakes.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { usernameKey } from '../../../shared/index';
import { PeerchatError } from '../../../shared/errors';
import { deserializeIdentity, generateIdentity, ready, serializeIdentity, type IdentityKeyPair, type StoredIdentity } from '../../../shared/crypto/index';

interface DeviceRecord {
  identity: StoredIdentity;
  createdAt: number;
}

interface DeviceDbSchema extends DBSchema {
  identities: { key: string; value: DeviceRecord };
}

export const DEVICE_DB_NAME = 'peerchat-device';
const DEVICE_DB_VERSION = 1;

let dbPromise: Promise<IDBPDatabase<DeviceDbSchema>> | null = null;

function openDeviceDb(): Promise<IDBPDatabase<DeviceDbSchema>> {
  dbPromise ??= openDB<DeviceDbSchema>(DEVICE_DB_NAME, DEVICE_DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('identities');
      // Next change: `if (oldVersion < 2) { ... }`.
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

/** Thrown when the browser will not keep an identity key (storage disabled, quota, corrupt record). */
export class IdentityStorageError extends PeerchatError {
  constructor(cause?: unknown) {
    super('IDENTITY_STORAGE', {}, { cause });
    this.name = 'IdentityStorageError';
  }
}

const loaded = new Map<string, Promise<IdentityKeyPair>>();

/**
 * The identity of `username` on this browser, created and stored on first use. Concurrent calls
 * for one name share one result, so two tabs of one page never create two keys (a second tab
 * racing us loses the `add` and reads the winner's key).
 */
export function deviceIdentity(username: string): Promise<IdentityKeyPair> {
  const key = usernameKey(username);
  let p = loaded.get(key);
  if (!p) {
    p = loadOrCreate(key).catch((err: unknown) => {
      loaded.delete(key);
      throw err;
    });
    loaded.set(key, p);
  }
  return p;
}

async function loadOrCreate(key: string): Promise<IdentityKeyPair> {
  await ready();
  let db: IDBPDatabase<DeviceDbSchema>;
  try {
    db = await openDeviceDb();
  } catch (err) {
    throw new IdentityStorageError(err);
  }
  const existing = await db.get('identities', key);
  if (existing) {
    const kp = deserializeIdentity(existing.identity);
    // A record that does not round-trip is refused rather than silently replaced: replacing it
    // would show every contact a key change. The person can clear site data to start over.
    if (!kp) throw new IdentityStorageError();
    return kp;
  }
  const kp = generateIdentity();
  try {
    const tx = db.transaction('identities', 'readwrite', { durability: 'strict' });
    // `add`, not `put`: if another tab created one meanwhile, this fails and we read theirs.
    await Promise.all([tx.store.add({ identity: serializeIdentity(kp), createdAt: Date.now() }, key), tx.done]);
    return kp;
  } catch (err) {
    // Usually another tab's `add` won the race: its key is the one to use.
    const winner = await db.get('identities', key).catch((readErr: unknown) => {
      console.warn('Peerchat: could not read the identity key after a failed add', readErr);
      return undefined;
    });
    const kp2 = winner ? deserializeIdentity(winner.identity) : null;
    if (kp2) return kp2;
    throw new IdentityStorageError(err);
  }
}
