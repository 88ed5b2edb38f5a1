/**
 * What a link needs to know about this side: who we are in the end-to-end handshake.
 *
 * `deviceKey` signs the handshake; contacts find its public half in `devices()`, our account's
 * device list signed by the account key. Without a list (null: a browser whose account has not
 * published one yet) the handshake is signed by the account itself, so `deviceKey` must then be
 * the account key pair (see shared/crypto/handshake.ts).
 */
import type { IdentityKeyPair } from '../../../shared/crypto/index';
import { deviceIdOf, type SignedDeviceList } from '../../../shared/devices/device-list';

export interface LocalDevice {
  /** Our account name (display form). */
  username: string;
  /** The account key contacts pin (public half). */
  accountKey: Uint8Array;
  /** This device's signing key (the account key pair while `devices()` is null). */
  deviceKey: IdentityKeyPair;
  /** This browser's device id: deviceIdOf(device key), also while the account key signs. */
  deviceId: string;
  /** Our account's newest signed device list naming this device, if known. */
  devices(): SignedDeviceList | null;
}

/** What we trust about a peer account before a handshake: its pinned key and newest list seen. */
export interface PeerTrust {
  /** The account key as pinned on first contact. */
  accountKey: Uint8Array;
  /** The highest device-list version seen for that account (0: none). */
  minVersion: number;
}

/**
 * This device from its keys: while `ownList()` gives our account's signed list naming this
 * device, the device key signs (contacts take its public half from the list); until then the
 * account key signs, as before devices. Read per handshake, so a list that arrives later counts
 * for the next link.
 */
export function deviceFromKeys(username: string, keys: { account: IdentityKeyPair; device: IdentityKeyPair; deviceId: string }, ownList: () => SignedDeviceList | null): LocalDevice {
  const account = accountOnlyDevice(username, keys.account);
  return {
    username,
    accountKey: keys.account.publicKey,
    get deviceKey() {
      return ownList() ? keys.device : account.deviceKey;
    },
    // What the server knows this browser by (it names us so in presence and relayed signals).
    deviceId: keys.deviceId,
    devices: ownList,
  };
}

/**
 * This device as a browser without a device list presents itself: the account key signs the
 * handshake (contacts verify it with the key they pinned, exactly as before devices).
 */
export function accountOnlyDevice(username: string, account: IdentityKeyPair): LocalDevice {
  return { username, accountKey: account.publicKey, deviceKey: account, deviceId: deviceIdOf(account.publicKey), devices: () => null };
}
