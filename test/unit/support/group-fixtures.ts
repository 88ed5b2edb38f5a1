// Shared fixtures for the group unit tests: deterministic account and device keys, signed
// device lists, and a small helper to sign a change on top of a state.
import { identityFromSeed, encodePublicKey, type IdentityKeyPair } from '../../../shared/crypto/index';
import { deviceEntry, firstDeviceList, signDeviceList, withDevice, type SignedDeviceList } from '../../../shared/devices/device-list';
import { signGroupChange, type GroupOp, type SignedGroupChange } from '../../../shared/groups/group-change';
import { makeGroupChange, type GroupState } from '../../../shared/groups/group-state';

export const T0 = 1_764_460_800_000;
export const GROUP_ID = '0123456789abcdef0123456789abcdef';

const seed = (n: number) => new Uint8Array(32).fill(n);

export interface Person {
  account: string;
  key: IdentityKeyPair;
  /** Two devices per person. */
  devices: IdentityKeyPair[];
  deviceIds: string[];
  list: SignedDeviceList;
}

const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];

/** A person with an account key and two devices in a signed list (call after `await ready()`). */
export function person(i: number): Person {
  const account = NAMES[i] ?? `user${i}`;
  const key = identityFromSeed(seed(1 + i));
  const devices = [identityFromSeed(seed(100 + 2 * i)), identityFromSeed(seed(101 + 2 * i))];
  let list = firstDeviceList(account, deviceEntry(devices[0]!.publicKey, 'Phone', T0));
  list = withDevice(list, deviceEntry(devices[1]!.publicKey, 'Laptop', T0));
  const entries = list.devices;
  const deviceIds = devices.map((d) => entries.find((e) => e.key === encodePublicKey(d.publicKey))!.id);
  return { account, key, devices, deviceIds, list: signDeviceList(list, key) };
}

export function memberOf(p: Person) {
  return { account: p.account, key: encodePublicKey(p.key.publicKey) };
}

/** A change by `p` on top of `state`'s heads, signed with p's account key. */
export function change(state: GroupState, p: Person, op: GroupOp, ts = T0 + 1000): SignedGroupChange {
  return signGroupChange(makeGroupChange(state, p.account, op, ts), p.key);
}
