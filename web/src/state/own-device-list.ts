/**
 * My account's device list as links use it: the newest list this browser verified with the
 * account key it holds, and only while it names this device (an approved device).
 */
import type { DeviceList, SignedDeviceList } from '../../../shared/devices/device-list';
import type { KnownDevices } from '../../../shared/devices/device-admission';
import type { PeerDevice } from '../../../shared/crypto/index';
import type { OwnDevices, OwnDevicesState } from '../devices/own-devices';

/** The verified own list naming this device, with its signed form; null until there is one. */
export function approvedOwnList(s: OwnDevicesState): { list: DeviceList; signed: SignedDeviceList } | null {
  if (s.status !== 'approved' || !s.signed || !s.list || !s.thisDevice) return null;
  const me = s.thisDevice;
  return s.list.devices.some((d) => d.id === me) ? { list: s.list, signed: s.signed } : null;
}

/** A list as links compare against it (null: none). */
export function knownDevicesOf(list: DeviceList | null | undefined): KnownDevices | null {
  return list ? { version: list.version, ids: list.devices.map((d) => d.id) } : null;
}

/**
 * A handshake with one of my devices verified its list with the key held here: a newer one that
 * still names this device becomes our list at once (the server's push may come later).
 */
export function adoptNewerOwnList(own: OwnDevices, peer: PeerDevice): void {
  const s = own.state.get();
  const mine = approvedOwnList(s);
  if (!mine || !peer.signed || !peer.devices || peer.devices.version <= mine.list.version) return;
  if (peer.devices.devices.some((d) => d.id === s.thisDevice)) own.accept(peer.signed).catch((err: unknown) => console.warn('Peerchat: could not take a newer device list from one of my devices', err));
}
