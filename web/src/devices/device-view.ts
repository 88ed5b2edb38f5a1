/**
 * What the devices screen shows for one device: its name, when it was added, and whether it is
 * online (or when this browser last saw it). Pure, so the sentences are unit-tested.
 */
import type { DeviceEntry } from '../../../shared/devices/device-list';
import { msg, str } from '@lit/localize';
import { formatDate, formatDateTime, type FormatOptions } from '../format/format';

export interface DeviceView {
  id: string;
  name: string;
  thisDevice: boolean;
  /** "Added 23 Nov 2026". */
  added: string;
  /** "This device", "Online now", "Last seen 23 Nov 2026, 14:05" or "Not seen from this device yet". */
  seen: string;
  online: boolean;
}

export function addedText(addedAt: number, o: FormatOptions = {}): string {
  const date = formatDate(addedAt, o);
  return msg(str`Added ${date}`);
}

function lastSeenText(ts: number, o: FormatOptions): string {
  const when = formatDateTime(ts, o);
  return msg(str`Last seen ${when}`);
}

export function deviceView(
  d: DeviceEntry,
  thisDevice: string | null,
  online: ReadonlySet<string>,
  lastSeen: ReadonlyMap<string, number>,
  o: FormatOptions = {},
): DeviceView {
  const mine = d.id === thisDevice;
  const isOnline = !mine && online.has(d.id);
  const seenAt = lastSeen.get(d.id);
  const seen = mine ? msg('This device', { id: 'this-device' }) : isOnline ? msg('Online now') : seenAt ? lastSeenText(seenAt, o) : msg('Not seen from this device yet');
  return { id: d.id, name: d.name, thisDevice: mine, added: addedText(d.addedAt, o), seen, online: isOnline };
}

/** This device first, then the others by when they were added. */
export function deviceViews(
  devices: readonly DeviceEntry[],
  thisDevice: string | null,
  online: ReadonlySet<string>,
  lastSeen: ReadonlyMap<string, number>,
  o: FormatOptions = {},
): DeviceView[] {
  const sorted = [...devices].sort((a, b) => Number(b.id === thisDevice) - Number(a.id === thisDevice) || a.addedAt - b.addedAt);
  return sorted.map((d) => deviceView(d, thisDevice, online, lastSeen, o));
}
