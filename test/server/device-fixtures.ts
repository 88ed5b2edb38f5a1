/**
 * Accounts and devices for server tests: real Ed25519 account and device keys and device lists
 * signed the way browsers sign them (shared/devices/device-list.ts), plus a way to sign a list
 * the browser code would refuse to sign (too many devices) to test that the server refuses it.
 */
import { generateIdentity, encodePublicKey, type IdentityKeyPair } from '../../shared/crypto/identity';
import { lengthPrefixed, toBase64Url } from '../../shared/crypto/bytes';
import { ready, sodium } from '../../shared/crypto/sodium';
import { canonicalDeviceList, deviceEntry, signDeviceList, type DeviceEntry, type SignedDeviceList } from '../../shared/devices/device-list';

export { ready };

export interface TestDevice {
  id: string;
  entry: DeviceEntry;
}

export interface TestAccount {
  username: string;
  keys: IdentityKeyPair;
  /** The account key as on the wire. */
  key: string;
}

export function newAccount(username: string): TestAccount {
  const keys = generateIdentity();
  return { username, keys, key: encodePublicKey(keys.publicKey) };
}

export function newDevice(name = 'Test browser'): TestDevice {
  const entry = deviceEntry(generateIdentity().publicKey, name, 1_700_000_000_000);
  return { id: entry.id, entry };
}

/** A list of `devices` for `account`, signed by `signer` (default: the account's own key). */
export function signedList(account: TestAccount, version: number, devices: TestDevice[], signer: IdentityKeyPair = account.keys, listAccount = account.username.toLowerCase()): SignedDeviceList {
  return signDeviceList({ account: listAccount, version, devices: devices.map((d) => d.entry) }, signer);
}

/** Signs any list text, even one signDeviceList refuses (e.g. more than MAX_DEVICES devices). */
export function signAnyList(account: TestAccount, version: number, devices: TestDevice[]): SignedDeviceList {
  const list = canonicalDeviceList({ account: account.username.toLowerCase(), version, devices: devices.map((d) => d.entry) });
  const sig = sodium.crypto_sign_detached(lengthPrefixed(['peerchat-device-list-v1', list]), account.keys.secretKey);
  return { list, sig: toBase64Url(sig) };
}

/** The login fields of a device: its id, the account key, and optionally a list to publish. */
export function deviceLogin(account: TestAccount, device: TestDevice, devices?: SignedDeviceList): Record<string, unknown> {
  return devices ? { identityKey: account.key, deviceId: device.id, devices } : { identityKey: account.key, deviceId: device.id };
}
