/**
 * This browser as a device of the logged-in account: loads its keys before every
 * register/login/resume (and names them in the auth frame), keeps the account's own device list
 * (OwnDevices), and runs linking (a new device asking to join, or approving one). The session
 * coordinator owns one and hands it the server's frames.
 */
import type { ClientMsg, ServerMsg } from '../../../shared/index';
import type { AppErrorCode } from '../../../shared/errors';
import type { AuthDeviceFields } from '../net/signal-client';
import type { SecurityService } from '../state/security';
import { OwnDevices } from './own-devices';

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

  constructor(private readonly deps: DeviceSessionDeps) {
    this.own = new OwnDevices({ send: (m) => deps.send(m), unlinked: (code) => deps.loggedOutHere(code) });
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
    return this.own.handleServerMessage(m);
  }

  /** Logged out: forget the account's devices state. */
  reset(): void {
    this.own.reset();
  }
}
