/**
 * The server's check of a device list an account publishes (register/login/resume `devices`,
 * `devices-publish`, `account-reset`): shape, signature by the account key, the account it names,
 * a version higher than the stored one, and at most MAX_DEVICES devices. The verification itself
 * is shared/devices/device-list.ts, the same code every client runs.
 */
import { decodePublicKey } from '../../shared/crypto/identity';
import { verifyDeviceList, type DeviceList, type DeviceListFailure, type SignedDeviceList } from '../../shared/devices/device-list';
import { safeJsonParse } from '../../shared/json';
import type { StoredDeviceList } from './account-store';

/** The wire codes a refused list is answered with. */
export type ListRefusal = 'DEVICE_LIST_REFUSED' | 'TOO_MANY_DEVICES';

export type ListCheck =
  | { ok: true; list: DeviceList; stored: StoredDeviceList }
  | { ok: false; code: ListRefusal; why: DeviceListFailure | 'DEVICE_LIST_NO_ACCOUNT_KEY' };

export interface ListCheckOptions {
  /** The account key the list must be signed with (null: the account has none, so nothing verifies). */
  accountKey: string | null;
  /** The account (usernameKey) the list must name. */
  account: string;
  /** The stored version; the new list must be higher. Null: nothing stored yet. */
  storedVersion: number | null;
}

export function checkDeviceList(signed: SignedDeviceList, opts: ListCheckOptions): ListCheck {
  const key = decodePublicKey(opts.accountKey);
  if (!key) return { ok: false, code: 'DEVICE_LIST_REFUSED', why: 'DEVICE_LIST_NO_ACCOUNT_KEY' };
  const r = verifyDeviceList(signed, {
    accountKey: key,
    account: opts.account,
    ...(opts.storedVersion === null ? {} : { minVersion: opts.storedVersion + 1 }),
  });
  if (!r.ok) return { ok: false, code: r.code === 'DEVICE_LIST_TOO_MANY' ? 'TOO_MANY_DEVICES' : 'DEVICE_LIST_REFUSED', why: r.code };
  return { ok: true, list: r.list, stored: { signed: { list: signed.list, sig: signed.sig }, version: r.list.version } };
}

/**
 * The device ids a stored list names, or null when there is no list. The list was verified
 * before it was stored, so it is only parsed here.
 */
export function listedDeviceIds(stored: StoredDeviceList | null): ReadonlySet<string> | null {
  if (!stored) return null;
  const parsed = safeJsonParse(stored.signed.list) as { devices?: Array<{ id?: unknown }> } | undefined;
  const ids = new Set<string>();
  for (const d of parsed?.devices ?? []) if (typeof d.id === 'string') ids.add(d.id);
  return ids;
}

/**
 * Whether a connection may act as a device of its account: on an account without a list, any
 * connection may (clients from before devices included); once the account has a list, only a
 * device the list names. A connection without a device id is then NOT approved: with only the
 * password, someone could otherwise log in as an old client and receive the contacts' signals
 * (their addresses) without any device of the account agreeing.
 */
export function isApproved(deviceId: string | null, stored: StoredDeviceList | null): boolean {
  if (deviceId === null) return stored === null;
  const ids = listedDeviceIds(stored);
  return ids === null || ids.has(deviceId);
}
