/**
 * My account's device list as links use it: the newest list this browser verified with the
 * account key it holds, and only while it names this device (an approved device).
 */
import type { DeviceList, SignedDeviceList } from '../../../shared/devices/device-list';
import type { KnownDevices } from '../../../shared/devices/device-admission';
import type { OwnDevicesState } from '../devices/own-devices';

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
