/**
 * The account's own device list as this browser knows it: verified with the account key,
 * never rolled back (the highest version seen is kept in the device database), and whether this
 * browser is in it (approved), waiting to be linked (pending: no account key yet), or was just
 * removed from it (unlinked: logged out here, the account key forgotten).
 *
 * It publishes new versions (rename, unlink, a linked device) signed with the account key; the
 * server stores them and pushes them back to every device, which is when the state changes.
 * UI-free; the chat service owns one.
 */
import { usernameKey, type ClientMsg, type ServerMsg } from '../../../shared/index';
import { encodePublicKey } from '../../../shared/crypto/index';
import type { AppErrorCode, ClientErrorCode } from '../../../shared/errors';
import {
  deviceEntry,
  firstDeviceList,
  signDeviceList,
  verifyDeviceList,
  withDeviceName,
  withoutDevice,
  type DeviceList,
  type SignedDeviceList,
} from '../../../shared/devices/device-list';
import { forgetAccountKey, type DeviceKeys } from '../crypto/device-identity';
import { Store } from '../state/store';
import { thisDeviceName } from './device-name';
import { loadOwnDevices, storeLastSeen, storeOwnList } from './own-devices-store';

export type OwnDeviceStatus =
  /** Not logged in, or the server has not answered yet. */
  | 'unknown'
  /** This browser holds the account key and is in the list (or the account has no list yet). */
  | 'approved'
  /** Logged in without the account key: another device must approve this one. */
  | 'pending';

export interface OwnDevicesState {
  /** The account (display name) these devices belong to. */
  username: string | null;
  status: OwnDeviceStatus;
  /** This browser's device id. */
  thisDevice: string | null;
  /** The newest verified list (null before there is one). */
  list: DeviceList | null;
  /** The signed form of `list`, as published. */
  signed: SignedDeviceList | null;
  /** Other devices of the account online now. */
  online: ReadonlySet<string>;
  /** Device id → when this browser last saw it online (ms since the epoch). */
  lastSeen: ReadonlyMap<string, number>;
  /** Why the last change could not be published (shown on the devices screen). */
  error: AppErrorCode | null;
  /**
   * Set when the server showed an account key other than the one this browser holds, or a list
   * that does not verify with it: refused, nothing changed here (shown until the next login).
   */
  refused: ClientErrorCode | null;
}

/** The fields of a register/login/resume frame that name this device. */
export interface DeviceAuthFields {
  identityKey?: string;
  deviceId: string;
  devices?: SignedDeviceList;
}

export interface OwnDevicesDeps {
  send(msg: ClientMsg): boolean;
  /** This device was removed from the list: log out here and show `code`. */
  unlinked(code: AppErrorCode): void;
  /** ms since the epoch (injected for tests). */
  now?(): number;
}

const INITIAL: OwnDevicesState = {
  username: null,
  status: 'unknown',
  thisDevice: null,
  list: null,
  signed: null,
  online: new Set(),
  lastSeen: new Map(),
  error: null,
  refused: null,
};

export class OwnDevices {
  readonly state = new Store<OwnDevicesState>(INITIAL);
  private keys: DeviceKeys | null = null;
  /** The first list, made when this account had none here: published with the login and after welcome. */
  private firstList: SignedDeviceList | null = null;
  /** The version floor (highest verified version this browser has seen). */
  private floor = 0;

  constructor(private readonly deps: OwnDevicesDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /**
   * Before register/login/resume: loads what this browser knows of the account's list and
   * returns the device fields for the auth frame. A browser that holds the account key but has
   * no list yet (a new account, or one from before devices) signs the first list and publishes
   * it with the login.
   */
  async prepare(username: string, keys: DeviceKeys): Promise<DeviceAuthFields> {
    this.keys = keys;
    const rec = await loadOwnDevices(username).catch((err: unknown) => {
      console.warn('Peerchat: could not read this account’s device list', err);
      return null;
    });
    this.floor = rec?.version ?? 0;
    let list: DeviceList | null = null;
    if (rec?.list && keys.account) {
      const check = verifyDeviceList(rec.list, { accountKey: keys.account.publicKey, account: usernameKey(username) });
      if (check.ok) list = check.list;
      else console.warn('Peerchat: the stored device list does not verify', check.code);
    }
    this.firstList = null;
    if (keys.account && !list) {
      const first = firstDeviceList(username, deviceEntry(keys.device.publicKey, thisDeviceName(), this.now()));
      this.firstList = signDeviceList(first, keys.account);
    }
    this.state.set({
      ...INITIAL,
      username,
      thisDevice: keys.deviceId,
      list,
      signed: list ? (rec?.list ?? null) : null,
      lastSeen: new Map(Object.entries(rec?.lastSeen ?? {})),
    });
    return {
      deviceId: keys.deviceId,
      ...(keys.account ? { identityKey: encodePublicKey(keys.account.publicKey) } : {}),
      ...(this.firstList ? { devices: this.firstList } : {}),
    };
  }

  /** Not logged in any more. */
  reset(): void {
    this.keys = null;
    this.firstList = null;
    this.floor = 0;
    this.state.set(INITIAL);
  }

  /** Feeds a server frame; true if it was only for this service. */
  handleServerMessage(m: ServerMsg): boolean {
    const me = this.state.get().username;
    if (!me) return false;
    switch (m.type) {
      case 'welcome':
        this.onWelcome(m.devices, m.identityKey);
        return false;
      case 'devices':
        if (usernameKey(m.username) !== usernameKey(me)) return false;
        void this.accept(m.devices);
        return false;
      case 'presence': {
        const i = m.online.findIndex((n) => usernameKey(n) === usernameKey(me));
        if (i >= 0 && m.devices?.[i]) this.setOnline(m.devices[i]);
        return false;
      }
      case 'presence-update':
        if (usernameKey(m.username) === usernameKey(me)) this.setOnline(m.online ? (m.devices ?? []) : []);
        return false;
      case 'error':
        if (m.ref === 'devices-publish') this.state.update((s) => ({ ...s, error: m.code }));
        return false;
      default:
        return false;
    }
  }

  private onWelcome(devices: SignedDeviceList | null | undefined, accountKey: string | null | undefined): void {
    const held = this.keys?.account;
    // Only a browser WITHOUT the account key waits to be approved. The welcome is the server's
    // word: were a different key enough to make a browser that holds the key wait for approval,
    // a hostile server (or a thief who reset the account with the password) could have it
    // linked to a key the attacker holds. So a held key is kept, and a different one refused.
    if (!held) {
      this.state.update((s) => ({ ...s, status: 'pending' }));
      return;
    }
    if (accountKey && accountKey !== encodePublicKey(held.publicKey)) {
      console.warn('Peerchat: the server shows another account key than the one this device holds; refused, nothing changed');
      this.state.update((s) => ({ ...s, status: 'approved', refused: 'ACCOUNT_KEY_MISMATCH' }));
      return;
    }
    if (devices) {
      void this.accept(devices);
      return;
    }
    // The server holds no list (an account from before devices): publish ours. `undefined`: a
    // server that does not know about devices; nothing to publish to.
    if (devices === null && this.firstList) this.deps.send({ type: 'devices-publish', devices: this.firstList });
    this.state.update((s) => ({ ...s, status: 'approved' }));
  }

  /** A list from the server (welcome or push): verified, never older than the floor. */
  async accept(signed: SignedDeviceList): Promise<void> {
    const keys = this.keys;
    const me = this.state.get().username;
    if (!keys?.account || !me) return;
    const check = verifyDeviceList(signed, { accountKey: keys.account.publicKey, account: usernameKey(me), minVersion: this.floor });
    if (!check.ok) {
      // A forged or rolled-back list changes nothing here. One not signed by the held key (or
      // not well formed, or for another account) is shown: the server is not showing our account.
      console.warn('Peerchat: refused a device list from the server', check.code);
      const refused = check.code === 'DEVICE_LIST_ROLLBACK' ? this.state.get().refused : 'ACCOUNT_KEY_MISMATCH';
      this.state.update((s) => ({ ...s, status: s.status === 'unknown' ? 'approved' : s.status, refused }));
      return;
    }
    const list = check.list;
    if (!list.devices.some((d) => d.id === keys.deviceId)) return this.wasUnlinked(me);
    this.floor = list.version;
    this.firstList = null;
    // Stored before it shows: a login that follows (after a link or reset) reads this floor.
    await storeOwnList(me, signed, list.version).catch((err: unknown) => console.warn('Peerchat: could not keep the device list', err));
    if (this.state.get().username !== me || (this.state.get().list?.version ?? 0) > list.version) return;
    this.state.update((s) => ({ ...s, status: 'approved', list, signed, error: null }));
  }

  /** Still waiting for the server to accept this device (after an account reset was sent). */
  markPending(): void {
    this.state.update((s) => ({ ...s, status: 'pending' }));
  }

  private async wasUnlinked(me: string): Promise<void> {
    console.warn('Peerchat: this device is no longer in the account’s device list; logging out here');
    this.keys = null;
    await forgetAccountKey(me).catch((err: unknown) => console.warn('Peerchat: could not forget the account key', err));
    this.deps.unlinked('DEVICE_UNLINKED');
  }

  private setOnline(ids: readonly string[]): void {
    const s = this.state.get();
    const online = new Set(ids.filter((id) => id !== s.thisDevice));
    const now = this.now();
    const seen: Record<string, number> = {};
    // Seen now: what is online, and what just went offline.
    for (const id of online) seen[id] = now;
    for (const id of s.online) if (!online.has(id)) seen[id] = now;
    const lastSeen = new Map(s.lastSeen);
    for (const [id, t] of Object.entries(seen)) lastSeen.set(id, t);
    this.state.set({ ...s, online, lastSeen });
    if (s.username && Object.keys(seen).length > 0) {
      storeLastSeen(s.username, seen).catch((err: unknown) => console.warn('Peerchat: could not keep when devices were last seen', err));
    }
  }

  /** Signs and publishes the next version; false if there is nothing to sign with or no server. */
  publish(next: DeviceList): boolean {
    const account = this.keys?.account;
    if (!account) return false;
    this.state.update((s) => ({ ...s, error: null }));
    return this.deps.send({ type: 'devices-publish', devices: signDeviceList(next, account) });
  }

  rename(id: string, name: string): boolean {
    const list = this.state.get().list;
    const trimmed = name.trim();
    if (!list || !trimmed) return false;
    return this.publish(withDeviceName(list, id, trimmed));
  }

  /** Removes another device from the account (the server then ends its sessions). */
  unlink(id: string): boolean {
    const s = this.state.get();
    if (!s.list || id === s.thisDevice) return false;
    return this.publish(withoutDevice(s.list, id));
  }

  /** The keys this service signs with (for linking a new device). */
  get deviceKeys(): DeviceKeys | null {
    return this.keys;
  }
}
