/**
 * An account's device list on the live server: publishing a new one (`devices-publish`, or a
 * `devices` field on register/login/resume), resetting the account (`account-reset`), and what
 * a stored change does to the account's connections.
 *
 * - Publishing needs an approved connection (else `error DEVICE_NOT_APPROVED`). A refused list
 *   answers `error DEVICE_LIST_REFUSED` (bad signature, wrong account, not newer, malformed) or
 *   `TOO_MANY_DEVICES`, with `ref: 'devices-publish'`.
 * - A list that came with a login and is not newer than the stored one is ignored without an
 *   error (the welcome carries the stored, newer one).
 * - After a change: every connection with a device id that hears about the account's presence
 *   (presence-audience.ts: everyone in `open` mode, its subscribers in `contacts`; the account's
 *   own connections, the publisher included as its acknowledgement) gets `devices {username, devices}`; connections of devices the list
 *   no longer names get `logged-out` and are closed (their tokens were deleted); the others are
 *   approved or not by the new list, and presence is announced if that changed who is online.
 * - `account-reset` (any connection with a device id): the new list must verify with the NEW key
 *   and name the caller's device. Every other session of the account ends.
 */
import type { SignedDeviceList } from '../../shared/devices/device-list';
import type { ClientMsg, ServerMsg } from '../../shared/signal-protocol';
import type { Accounts, DeviceListChange, DeviceListResult } from './accounts';
import type { StoredDeviceList } from './account-store';
import type { Conn } from './connection';
import type { DevicePresence } from './device-presence';
import type { Logger } from './logger';
import type { Presence } from './presence';
import type { PresenceAudience } from './presence-audience';
import type { TestHooks } from './test-hooks';

export interface AccountDevicesDeps {
  accounts: Accounts;
  presence: Presence<Conn>;
  devicePresence: DevicePresence;
  /** Who hears about the account's changes (everyone, or its presence subscribers). */
  audience: PresenceAudience;
  logger: Logger;
  testHooks?: TestHooks | undefined;
  /** Sends `logged-out`, takes the connection out of presence and closes it. */
  endSession(conn: Conn, reason: string): void;
  /** A list was stored through this instance: tell the other instances (cluster-bus.ts). */
  shareChange?(change: DeviceListChange): void;
}

export class AccountDevices {
  constructor(private readonly deps: AccountDevicesDeps) {}

  /** The list as handed out for `username` (a hostile-server test may rewrite it). */
  listFor(username: string, stored: StoredDeviceList | null): SignedDeviceList | null {
    const signed = stored?.signed ?? null;
    const rewrite = this.deps.testHooks?.rewriteDevices;
    return rewrite ? rewrite(username, signed) : signed;
  }

  async publish(conn: Conn, msg: Extract<ClientMsg, { type: 'devices-publish' }>): Promise<void> {
    const ref = 'devices-publish';
    const user = conn.user;
    if (!user) return void conn.sendError('NOT_LOGGED_IN', { ref });
    if (!user.approved) return void conn.sendError('DEVICE_NOT_APPROVED', { ref });
    await this.store(conn, await this.deps.accounts.publishDevices(user.key, msg.devices), false);
  }

  /**
   * The `devices` of a register/login/resume (stored before the welcome): applied like a publish
   * once the connection is logged in, except that one not newer than the stored list is quietly
   * ignored (the welcome carried the stored one).
   */
  async afterLoginPublish(conn: Conn, r: DeviceListResult): Promise<void> {
    await this.store(conn, r, true);
  }

  async reset(conn: Conn, msg: Extract<ClientMsg, { type: 'account-reset' }>): Promise<void> {
    const ref = 'account-reset';
    const user = conn.user;
    if (!user) return void conn.sendError('NOT_LOGGED_IN', { ref });
    if (user.deviceId === null) return void conn.sendError('DEVICE_NOT_APPROVED', { ref });
    const r = await this.deps.accounts.resetAccount(user.key, msg.identityKey, msg.devices, user.deviceId, user.tokenHash);
    if (!r.ok) {
      this.deps.logger.info({ conn: conn.id, user: user.username, why: r.why }, 'account reset refused');
      return void conn.sendError(r.code === 'UNKNOWN_USER' ? 'DEVICE_LIST_REFUSED' : r.code, { ref });
    }
    this.deps.logger.info({ conn: conn.id, user: user.username }, 'account key reset');
    // Every other session was deleted: end its connections (other tabs of this session stay).
    for (const c of [...this.deps.presence.connections(user.key)]) {
      if (c !== conn && c.user?.tokenHash !== user.tokenHash) this.deps.endSession(c, 'account reset');
    }
    this.apply(r.change);
  }

  private async store(conn: Conn, r: DeviceListResult, withLogin: boolean): Promise<void> {
    const user = conn.user;
    if (!user) return;
    if (!r.ok) {
      if (withLogin && r.why === 'DEVICE_LIST_ROLLBACK') return;
      this.deps.logger.info({ conn: conn.id, user: user.username, why: r.why }, 'device list refused');
      return void conn.sendError(r.code === 'UNKNOWN_USER' ? 'DEVICE_LIST_REFUSED' : r.code, { ref: 'devices-publish' });
    }
    this.deps.logger.info({ conn: conn.id, user: user.username, version: r.change.stored.version, removed: r.change.removed.length }, 'device list stored');
    this.apply(r.change, withLogin ? conn : undefined);
  }

  /**
   * Tells everyone about a stored list and brings the account's connections in line with it.
   * `except` (a connection whose welcome carried the list) is not sent it again. `share`: false
   * for a change another instance stored (it was shared already).
   */
  apply(change: DeviceListChange, except?: Conn, share = true): void {
    const { presence, devicePresence } = this.deps;
    const signed = this.listFor(change.username, change.stored);
    if (signed) {
      const frame = JSON.stringify({ type: 'devices', username: change.username, devices: signed } satisfies ServerMsg);
      for (const c of this.deps.audience.listeners(change.userKey)) if (c !== except && c.user?.deviceId != null) c.sendRaw(frame);
    }
    const removed = new Set(change.removed);
    for (const c of [...presence.connections(change.userKey)]) {
      if (c.user?.deviceId != null && removed.has(c.user.deviceId)) this.deps.endSession(c, 'device unlinked');
    }
    // Ending a session announced its own departure; what is left is who the new list approves.
    const before = devicePresence.of(change.userKey);
    for (const c of presence.connections(change.userKey)) {
      if (c.user?.deviceId != null) c.user.approved = change.listed.has(c.user.deviceId);
    }
    devicePresence.announce(change.userKey, change.username, before);
    if (share) this.deps.shareChange?.(change);
  }
}
