/**
 * Persistence of the account's own device list on this browser (the `ownDevices` store of the
 * device database): the newest verified list, whose version is the floor below which any list
 * is a rollback, and when each other device was last seen online from here.
 */
import { usernameKey } from '../../../shared/index';
import type { SignedDeviceList } from '../../../shared/devices/device-list';
import { openDeviceDb, type OwnDevicesRecord } from './device-db';

const EMPTY: OwnDevicesRecord = { list: null, version: 0, lastSeen: {} };

export async function loadOwnDevices(username: string): Promise<OwnDevicesRecord> {
  const db = await openDeviceDb();
  return (await db.get('ownDevices', usernameKey(username))) ?? EMPTY;
}

/**
 * Keeps `list` (already verified, version `version`) unless a newer one is stored; returns the
 * record as stored. Read and write in one transaction, so two tabs never move the floor back.
 */
export async function storeOwnList(username: string, list: SignedDeviceList, version: number): Promise<OwnDevicesRecord> {
  const db = await openDeviceDb();
  const tx = db.transaction('ownDevices', 'readwrite', { durability: 'strict' });
  const key = usernameKey(username);
  const rec = (await tx.store.get(key)) ?? EMPTY;
  const next = version >= rec.version ? { ...rec, list, version } : rec;
  if (next !== rec) await tx.store.put(next, key);
  await tx.done;
  return next;
}

/** Remembers when devices were last seen online (device id → ms since the epoch). */
export async function storeLastSeen(username: string, seen: Readonly<Record<string, number>>): Promise<void> {
  const db = await openDeviceDb();
  const tx = db.transaction('ownDevices', 'readwrite');
  const key = usernameKey(username);
  const rec = (await tx.store.get(key)) ?? EMPTY;
  await tx.store.put({ ...rec, lastSeen: { ...rec.lastSeen, ...seen } }, key);
  await tx.done;
}

/** Forgets the list (this device was unlinked, or the account key was replaced). */
export async function forgetOwnDevices(username: string): Promise<void> {
  const db = await openDeviceDb();
  await db.delete('ownDevices', usernameKey(username));
}
