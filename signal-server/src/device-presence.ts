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
 *
 * Which connections are listeners is the presence mode's business (presence-audience.ts): all of
 * them in `open`, the account's subscribers in `contacts`. A change is computed once where it
 * happened and handed to a {@link PresenceFanout}; the default one delivers it on this instance
 * only. Several instances on Redis (redis-bus.ts) keep the default: each instance holds stand-ins
 * of the others' connections in its presence map, so it sees every change itself and runs
 * {@link DevicePresence.deliver} for its own connections (docs/architecture.md, scale-out).
 */
import { usernameKey } from '../../shared/account-rules';
import type { ServerMsg } from '../../shared/signal-protocol';
import type { Conn } from './connection';
import type { Presence } from './presence';
import type { PresenceAudience } from './presence-audience';

export interface AccountPresence {
  online: boolean;
  /** Online device ids, sorted. */
  devices: string[];
}

/** One account's presence after a change: what every listener of it is told. */
export interface PresenceChange extends AccountPresence {
  userKey: string;
  /** Display name. */
  username: string;
  /** Whether `online` flipped (clients from before devices hear only about that). */
  onlineChanged: boolean;
}

/** Delivers a change to the listeners on this instance; `except` (a local connection) is not told. */
export type DeliverPresence = (change: PresenceChange, except?: Conn) => void;

/**
 * Where presence changes made on this instance go. The default delivers locally; a multi-instance
 * store wraps `deliverLocal` and also publishes the change to the other instances, which call
 * their own `deliverLocal` (without `except`, which only means something here).
 */
export interface PresenceFanout {
  publish(change: PresenceChange, except?: Conn): void;
}
export type PresenceFanoutFactory = (deliverLocal: DeliverPresence) => PresenceFanout;

export const localPresenceFanout: PresenceFanoutFactory = (deliverLocal) => ({ publish: deliverLocal });

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
  private readonly fanout: PresenceFanout;

  constructor(
    private readonly presence: Presence<Conn>,
    private readonly audience: PresenceAudience,
    fanout: PresenceFanoutFactory = localPresenceFanout,
  ) {
    this.fanout = fanout((change, except) => this.deliver(change, except));
  }

  /** Whether `userKey` is online and which of its devices. */
  of(userKey: string): AccountPresence {
    return presenceOf(this.presence.connections(userKey));
  }

  /**
   * The snapshot a connection gets right after logging in: everyone online in `open` mode; in
   * `contacts` mode only its own account's other devices (the rest follows `presence-subscribe`).
   */
  snapshot(conn: Conn): PresenceMsg {
    if (this.audience.mode === 'open') return this.snapshotOf(conn, this.presence.accounts());
    return this.snapshotOf(conn, this.accountsOf(conn.user ? [conn.user.key] : []));
  }

  /**
   * `presence-subscribe`: in `contacts` mode, replaces the accounts `conn` follows and answers with
   * a snapshot of them. In `open` mode the connection already hears about everyone: nothing to do.
   */
  subscribe(conn: Conn, usernames: readonly string[]): void {
    if (!conn.user) return void conn.sendError('NOT_LOGGED_IN', { ref: 'presence-subscribe' });
    if (this.audience.mode === 'open') return;
    const keys = new Set(usernames.map(usernameKey));
    this.audience.subscriptions.replace(conn, keys);
    conn.send(this.subscribed(conn, keys));
  }

  /** Forgets what `conn` follows (it logged out or closed). */
  unsubscribe(conn: Conn): void {
    this.audience.subscriptions.drop(conn);
  }

  /** The answer to `presence-subscribe`: the named accounts online now (and our other devices). */
  subscribed(conn: Conn, userKeys: ReadonlySet<string>): PresenceMsg {
    const keys = conn.user ? [conn.user.key, ...[...userKeys].filter((k) => k !== conn.user?.key)] : [...userKeys];
    return this.snapshotOf(conn, this.accountsOf(keys));
  }

  private *accountsOf(keys: Iterable<string>): IterableIterator<{ key: string; username: string; conns: ReadonlySet<Conn> }> {
    for (const key of keys) {
      const conns = this.presence.connections(key);
      const first = conns.values().next();
      if (!first.done && first.value.user) yield { key, username: first.value.user.username, conns };
    }
  }

  private snapshotOf(conn: Conn, accounts: Iterable<{ key: string; username: string; conns: ReadonlySet<Conn> }>): PresenceMsg {
    const me = conn.user;
    const online: string[] = [];
    const devices: string[][] = [];
    for (const account of accounts) {
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
    this.fanout.publish({ userKey, username, online: after.online, devices: after.devices, onlineChanged }, except);
  }

  /** The local step of a change: its frames to this instance's listeners of the account. */
  deliver(change: PresenceChange, except?: Conn): void {
    const { userKey, username, online, devices, onlineChanged } = change;
    const legacy = JSON.stringify({ type: 'presence-update', username, online } satisfies ServerMsg);
    const withDevices = JSON.stringify({ type: 'presence-update', username, online, devices } satisfies ServerMsg);
    for (const c of this.audience.listeners(userKey)) {
      if (c === except || !c.user) continue;
      if (c.user.deviceId !== null) c.sendRaw(withDevices);
      else if (onlineChanged && c.user.key !== userKey) c.sendRaw(legacy);
    }
  }
}
