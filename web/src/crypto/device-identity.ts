/**
 * This browser's keys for an account, kept in the device database (web/src/devices/device-db.ts):
 * - the device key (Ed25519), one per browser per account, made on first use; its id
 *   (deviceIdOf) names this browser in the account's device list;
 * - the account key (Ed25519), the account's identity that contacts pin. A new account makes it
 *   at registration; a browser that logs into an existing account gets it from another device
 *   of the account when that device approves it (the link grant). Until then it is null.
 *
 * Migration: the single key pair a browser kept per account before devices existed is the
 * account key; a device key is made beside it, so contacts see no change at all.
 *
 * Secret keys never leave this database except into memory for signing.
 */
import { usernameKey } from '../../../shared/index';
import { PeerchatError } from '../../../shared/errors';
import { bytesEqual } from '../../../shared/crypto/bytes';
import { deserializeIdentity, generateIdentity, ready, serializeIdentity, type IdentityKeyPair } from '../../../shared/crypto/index';
import { deviceIdOf } from '../../../shared/devices/device-list';
import { openDeviceDb, type AccountKeysRecord } from '../devices/device-db';

export { DEVICE_DB_NAME } from '../devices/device-db';

/** This browser's keys for one account. */
export interface DeviceKeys {
  /** The account key; null while this browser waits to be approved by another device. */
  account: IdentityKeyPair | null;
  device: IdentityKeyPair;
  /** deviceIdOf(device.publicKey). */
  deviceId: string;
}

/** Thrown when the browser will not keep a key (storage disabled, quota, corrupt record). */
export class IdentityStorageError extends PeerchatError {
  constructor(cause?: unknown) {
    super('IDENTITY_STORAGE', {}, { cause });
    this.name = 'IdentityStorageError';
  }
}

export interface DeviceKeysOptions {
  /** Registering a new account: make the account key too if this browser has none. */
  newAccount?: boolean;
}

const loaded = new Map<string, Promise<DeviceKeys>>();

/**
 * The keys of `username` on this browser, created on first use (the device key always; the
 * account key only with `newAccount`). Concurrent calls for one name share one result, and the
 * read-and-create runs in one transaction, so two tabs never make two keys.
 */
export function deviceKeys(username: string, opts: DeviceKeysOptions = {}): Promise<DeviceKeys> {
  const key = usernameKey(username);
  const cached = loaded.get(key);
  const p = cached
    ? cached.then((k) => (k.account || !opts.newAccount ? k : loadOrCreate(key, true)))
    : loadOrCreate(key, !!opts.newAccount);
  const kept = p.catch((err: unknown) => {
    if (loaded.get(key) === kept) loaded.delete(key);
    throw err;
  });
  loaded.set(key, kept);
  return kept;
}

/** Stores the account key a link grant brought. Refuses to replace a different one (that is a reset). */
export async function saveAccountKey(username: string, kp: IdentityKeyPair): Promise<DeviceKeys> {
  return writeAccountKey(usernameKey(username), kp, false);
}

/** A new account key after every device was lost (account reset); the old list no longer counts. */
export async function replaceAccountKey(username: string, kp: IdentityKeyPair): Promise<DeviceKeys> {
  return writeAccountKey(usernameKey(username), kp, true);
}

function keysOf(rec: AccountKeysRecord): DeviceKeys {
  const device = deserializeIdentity(rec.deviceKey);
  const account = rec.accountKey ? deserializeIdentity(rec.accountKey) : null;
  // A record that does not round-trip is refused rather than silently replaced: replacing the
  // account key would show every contact a key change. Clearing site data starts over.
  if (!device || (rec.accountKey && !account)) throw new IdentityStorageError();
  return { account, device, deviceId: deviceIdOf(device.publicKey) };
}

async function db() {
  await ready();
  try {
    return await openDeviceDb();
  } catch (err) {
    throw new IdentityStorageError(err);
  }
}

async function loadOrCreate(key: string, newAccount: boolean): Promise<DeviceKeys> {
  const d = await db();
  let rec: AccountKeysRecord;
  try {
    const tx = d.transaction(['accounts', 'identities'], 'readwrite', { durability: 'strict' });
    const accounts = tx.objectStore('accounts');
    const existing = await accounts.get(key);
    if (existing) {
      rec = existing;
      if (!rec.accountKey && newAccount) {
        rec = { ...rec, accountKey: serializeIdentity(generateIdentity()) };
        await accounts.put(rec, key);
      }
    } else {
      // Before devices: the one key pair of this account in this browser becomes the account key.
      const legacy = await tx.objectStore('identities').get(key);
      const accountKey = legacy?.identity ?? (newAccount ? serializeIdentity(generateIdentity()) : undefined);
      rec = { deviceKey: serializeIdentity(generateIdentity()), createdAt: legacy?.createdAt ?? Date.now(), ...(accountKey ? { accountKey } : {}) };
      await accounts.add(rec, key);
      if (legacy) await tx.objectStore('identities').delete(key);
    }
    await tx.done;
  } catch (err) {
    throw new IdentityStorageError(err);
  }
  return keysOf(rec);
}

async function writeAccountKey(key: string, kp: IdentityKeyPair, replace: boolean): Promise<DeviceKeys> {
  const d = await db();
  let rec: AccountKeysRecord | undefined;
  let refused = false;
  try {
    const tx = d.transaction(['accounts', 'ownDevices'], 'readwrite', { durability: 'strict' });
    const accounts = tx.objectStore('accounts');
    const existing = await accounts.get(key);
    if (existing) {
      const held = existing.accountKey ? deserializeIdentity(existing.accountKey) : null;
      refused = !!held && !replace && !bytesEqual(held.publicKey, kp.publicKey);
      if (!refused) {
        rec = { ...existing, accountKey: serializeIdentity(kp) };
        await accounts.put(rec, key);
        // A new account key starts a new list (its version restarts).
        if (replace) await tx.objectStore('ownDevices').delete(key);
      }
    }
    await tx.done;
  } catch (err) {
    throw new IdentityStorageError(err);
  }
  if (!rec) {
    if (refused) console.warn('Peerchat: refused to replace this account’s key without a reset');
    throw new IdentityStorageError();
  }
  const keys = keysOf(rec);
  loaded.set(key, Promise.resolve(keys));
  return keys;
}

/**
 * This browser was unlinked from the account: it forgets the account key (it may no longer sign
 * lists) and the list; the device key stays, so linking again later shows the same device id.
 */
export async function forgetAccountKey(username: string): Promise<void> {
  const key = usernameKey(username);
  const d = await db();
  const tx = d.transaction(['accounts', 'ownDevices'], 'readwrite', { durability: 'strict' });
  const rec = await tx.objectStore('accounts').get(key);
  if (rec?.accountKey) {
    const { accountKey: _dropped, ...rest } = rec;
    await tx.objectStore('accounts').put(rest, key);
  }
  await tx.objectStore('ownDevices').delete(key);
  await tx.done;
  loaded.delete(key);
}
