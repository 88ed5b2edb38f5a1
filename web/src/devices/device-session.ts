/**
 * This browser as a device of the logged-in account: loads its keys before every
 * register/login/resume (and names them in the auth frame), keeps the account's own device list
 * (OwnDevices), and runs linking: as a new device waiting for approval (NewDeviceLinker), or as
 * an approved device answering new ones (ExistingDeviceLinker). It also starts the account over
 * with a new key when every device was lost. The session coordinator owns one and hands it the
 * server's frames.
 */
import { usernameKey, type ClientMsg, type ServerMsg } from '../../../shared/index';
import type { AppErrorCode } from '../../../shared/errors';
import { encodePublicKey, generateIdentity } from '../../../shared/crypto/index';
import { deviceEntry, firstDeviceList, signDeviceList } from '../../../shared/devices/device-list';
import { forgetAccountKey, replaceAccountKey, type DeviceKeys } from '../crypto/device-identity';
import type { AuthDeviceFields } from '../net/signal-client';
import type { SecurityService } from '../state/security';
import { OwnDevices, type OwnDevicesState } from './own-devices';
import { NewDeviceLinker } from './new-device-linker';
import { ExistingDeviceLinker } from './existing-device-linker';
import { thisDeviceName } from './device-name';

export type AuthKind = 'login' | 'register' | 'resume';

export interface DeviceSessionDeps {
  security(): SecurityService;
  send(msg: ClientMsg): boolean;
  /** This device was removed from the account (or must stop): log out here and show `code`. */
  loggedOutHere(code: AppErrorCode): void;
  /** Log in again with the stored token (this browser's keys changed). */
  reauthenticate(): void;
}

export class DeviceSession {
  readonly own: OwnDevices;
  /** This browser waiting to be approved. */
  readonly joining: NewDeviceLinker;
  /** Requests from new devices, answered here. */
  readonly approving: ExistingDeviceLinker;
  /** Set while an account reset waits for the server's new list, to log in again after it. */
  private resetPending = false;
  private last: OwnDevicesState;

  constructor(private readonly deps: DeviceSessionDeps) {
    this.own = new OwnDevices({ send: (m) => deps.send(m), unlinked: (code) => deps.loggedOutHere(code) });
    this.joining = new NewDeviceLinker({ send: (m) => deps.send(m), linked: (keys) => this.linked(keys) });
    this.approving = new ExistingDeviceLinker({ send: (m) => deps.send(m) });
    this.last = this.own.state.get();
    this.own.state.subscribe((s) => this.ownChanged(s));
  }

  /**
   * The device fields of the next auth frame: this browser's keys for `username` (the device key
   * made on first use; the account key too when registering a new account) and, when this
   * browser publishes the account's first list, that list.
   */
  async authFields(username: string, kind: AuthKind): Promise<AuthDeviceFields> {
    const keys = await this.deps.security().loadIdentity(username, { newAccount: kind === 'register' });
    return this.own.prepare(username, keys);
  }

  /** Feeds a server frame; true if it was only for devices (nobody else needs it). */
  handleServerMessage(m: ServerMsg): boolean {
    if (m.type === 'link') {
      const status = this.own.state.get().status;
      if (status === 'pending') this.joining.handle(m.fromDevice, m.data);
      else if (status === 'approved') this.approving.handle(m.fromDevice, m.data);
      return true;
    }
    return this.own.handleServerMessage(m);
  }

  /** Logged out: forget the account's devices state. */
  reset(): void {
    this.resetPending = false;
    this.joining.stop();
    this.approving.stop();
    this.own.reset();
  }

  /** "Send the request again" on the waiting screen. */
  askAgain(): void {
    const s = this.own.state.get();
    const keys = this.own.deviceKeys;
    if (s.status === 'pending' && s.username && keys) this.joining.start(s.username, keys);
  }

  /** The person compared the codes on the waiting screen: the same, or not. */
  confirmCode(match: boolean): void {
    if (this.own.state.get().status === 'pending') this.joining.confirm(match);
  }

  /**
   * The person chose, on this device, to drop the account key it holds and have this device
   * approved again by one holding the account's current key (the key was reset on another
   * device). Never done on the server's word alone: the server's welcome only shows the
   * mismatch. The grant then still needs the codes confirmed on both screens.
   */
  async linkAgain(): Promise<void> {
    const s = this.own.state.get();
    if (!s.username || !this.own.deviceKeys?.account) return;
    const username = s.username;
    await forgetAccountKey(username);
    const keys = await this.deps.security().loadIdentity(username);
    await this.own.prepare(username, keys);
    // prepare() forgot the status: this browser now has no account key and waits for approval.
    this.own.markPending();
  }

  /**
   * A new account key and a first list naming only this device replace the old ones (contacts
   * see a key change): when every other device was lost (from the waiting screen), or when one
   * was stolen (from the devices screen). The server ends every other session; once it pushes the
   * new list back, this device logs in again as an approved device.
   */
  async startOver(): Promise<boolean> {
    const s = this.own.state.get();
    if (!s.username) return false;
    const username = s.username;
    const account = generateIdentity();
    const keys = await replaceAccountKey(username, account);
    this.joining.stop();
    this.deps.security().useKeys(username, keys);
    const fields = await this.own.prepare(username, keys);
    const devices = fields.devices ?? signDeviceList(firstDeviceList(usernameKey(username), deviceEntry(keys.device.publicKey, thisDeviceName(), Date.now())), account);
    this.resetPending = true;
    const sent = this.deps.send({ type: 'account-reset', identityKey: encodePublicKey(account.publicKey), devices });
    // prepare() forgot the status; this browser is still waiting until the server answers.
    this.own.markPending();
    return sent;
  }

  private linked(keys: DeviceKeys): void {
    const username = this.own.state.get().username;
    if (!username) return;
    this.joining.stop();
    this.deps.security().useKeys(username, keys);
    this.deps.reauthenticate();
  }

  private ownChanged(s: OwnDevicesState): void {
    const prev = this.last;
    this.last = s;
    const keys = this.own.deviceKeys;
    // Waiting to be approved (not while our own reset waits for the server).
    if (s.status === 'pending' && prev.status !== 'pending' && !this.resetPending && s.username && keys) {
      this.joining.start(s.username, keys);
    }
    // A device of ours came online while nobody had answered: it did not see the request.
    if (s.status === 'pending' && [...s.online].some((id) => !prev.online.has(id))) this.joining.askAgainIfWaiting();
    if (s.status === 'approved' && keys?.account && s.list && s.signed && (s.list !== prev.list || prev.status !== 'approved')) {
      this.approving.listChanged(keys.account, s.signed, s.list);
      if (this.resetPending) {
        this.resetPending = false;
        this.deps.reauthenticate();
      }
    }
    if (s.status === 'unknown' && prev.status !== 'unknown') {
      this.approving.stop();
    }
  }
}
