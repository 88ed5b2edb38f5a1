/**
 * What others are told about who is online, now that an account is a set of devices.
 *
 * An account counts as online while it has an approved connection (device-list-check.ts); its
 * online devices are the device ids of its approved connections. Two kinds of listener:
 * - A connection without a device id (a client from before devices) is told exactly what it was
 *   before: `presence {online}` without itself, and `presence-update {username, online}` when
 *   another account goes from offline to online or back.
 * - A connection with a device id gets `devices` beside `online` in the snapshot, and a
 *   `presence-update {username, online, devices}` whenever an account's online devices change
 *   (every device connecting or leaving). Its own account is included when another of its devices
 *   is online, so a device learns about its other devices the same way as about contacts.
 */
import type { ServerMsg } from '../../shared/signal-protocol';
import type { Conn } from './connection';
import type { Presence } from './presence';

export interface AccountPresence {
  online: boolean;
  /** Online device ids, sorted. */
  devices: string[];
}

type PresenceMsg = Extract<ServerMsg, { type: 'presence' }>;

function presenceOf(conns: Iterable<Conn>): AccountPresence {
  let online = false;
  const devices = new Set<string>();
  for (const c of conns) {
    if (!c.user?.approved) continue;
    online = true;
    if (c.user.deviceId !== null) devices.add(c.user.deviceId);
  }
  return { online, devices: [...devices].sort() };
}

export class DevicePresence {
  constructor(private readonly presence: Presence<Conn>) {}

  /** Whether `userKey` is online and which of its devices. */
  of(userKey: string): AccountPresence {
    return presenceOf(this.presence.connections(userKey));
  }

  /** The snapshot a connection gets right after logging in. */
  snapshot(conn: Conn): PresenceMsg {
    const me = conn.user;
    const online: string[] = [];
    const devices: string[][] = [];
    for (const account of this.presence.accounts()) {
      const p = presenceOf(account.conns);
      if (!p.online) continue;
      if (account.key === me?.key) {
        // Our own account only for a device, and only when another device of it is online.
        if (me.deviceId === null || !p.devices.some((d) => d !== me.deviceId)) continue;
      }
      online.push(account.username);
      devices.push(p.devices);
    }
    return me?.deviceId ? { type: 'presence', online, devices } : { type: 'presence', online };
  }

  /**
   * Tells everyone who should know that `userKey`'s presence changed from `before` to now.
   * `except` (the connection that just came or went) is not told.
   */
  announce(userKey: string, username: string, before: AccountPresence, except?: Conn): void {
    const after = this.of(userKey);
    const onlineChanged = before.online !== after.online;
    const devicesChanged = before.devices.join() !== after.devices.join();
    if (!onlineChanged && !devicesChanged) return;
    const legacy = JSON.stringify({ type: 'presence-update', username, online: after.online } satisfies ServerMsg);
    const withDevices = JSON.stringify({ type: 'presence-update', username, online: after.online, devices: after.devices } satisfies ServerMsg);
    for (const c of [...this.presence.allConnections()]) {
      if (c === except || !c.user) continue;
      if (c.user.deviceId !== null) c.sendRaw(withDevices);
      else if (onlineChanged && c.user.key !== userKey) c.sendRaw(legacy);
    }
  }
}
