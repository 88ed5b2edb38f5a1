/**
 * Each contact's newest device list (verified with the pinned account key before it gets here),
 * kept on the contact record with its version so an older list is refused from then on, and the
 * quiet lines ("bob added a device: Firefox on Linux") its changes leave in the conversation.
 */
import type { SignedDeviceList, DeviceList, DeviceListDiff } from '../../../shared/devices/device-list';
import { diffDeviceLists } from '../../../shared/devices/device-list';
import { safeJsonParse } from '../../../shared/json';
import { newMessageId } from '../../../shared/index';
import type { ChatDb, StoredMessage } from './schema';

/** The highest version of the contact's list stored here (0: none). */
export async function devicesVersion(db: ChatDb, conv: string): Promise<number> {
  return (await db.get('contacts', conv))?.devicesVersion ?? 0;
}

/** The stored list's devices (already verified when stored), or null. */
export async function storedDevices(db: ChatDb, conv: string): Promise<DeviceList | null> {
  const signed = (await db.get('contacts', conv))?.devices;
  return signed ? (safeJsonParse(signed.list) as DeviceList) : null;
}

/**
 * Stores a verified list if it is newer than the stored one, and writes a quiet line per
 * device added or removed (none for the first list seen: that is no change). Atomic. Returns
 * the lines written (empty if the list was not newer) and the newest list stored now.
 */
export async function saveDevices(
  db: ChatDb,
  conv: string,
  peerName: string,
  signed: SignedDeviceList,
  list: DeviceList,
): Promise<{ lines: StoredMessage[]; newest: DeviceList | null }> {
  const tx = db.transaction(['contacts', 'messages', 'deviceOutbox'], 'readwrite', { durability: 'strict' });
  const contacts = tx.objectStore('contacts');
  const current = (await contacts.get(conv)) ?? { conv, peerName };
  if ((current.devicesVersion ?? 0) >= list.version) {
    await tx.done;
    return { lines: [], newest: current.devices ? (safeJsonParse(current.devices.list) as DeviceList) : null };
  }
  const before = current.devices ? (safeJsonParse(current.devices.list) as DeviceList) : null;
  await contacts.put({ ...current, devices: signed, devicesVersion: list.version });
  const diff = before ? diffDeviceLists(before, list) : null;
  const lines = diff ? linesFor(conv, peerName, diff) : [];
  for (const line of lines) await tx.objectStore('messages').put(line);
  // Nothing is owed any more to a device the contact removed.
  const owed = tx.objectStore('deviceOutbox');
  for (const gone of diff?.removed ?? []) {
    for (const key of await owed.index('by-conv-device').getAllKeys([conv, gone.id])) await owed.delete(key);
  }
  await tx.done;
  return { lines, newest: list };
}

function linesFor(conv: string, peerName: string, diff: DeviceListDiff): StoredMessage[] {
  const now = Date.now();
  const line = (kind: 'device-added' | 'device-removed', name: string): StoredMessage => ({
    id: newMessageId(),
    conv,
    from: peerName,
    outgoing: false,
    text: name,
    ts: now,
    state: 'received',
    kind,
  });
  return [...diff.added.map((d) => line('device-added', d.name)), ...diff.removed.map((d) => line('device-removed', d.name))];
}
