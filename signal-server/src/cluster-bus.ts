/**
 * How an instance shares presence, relay and device-list changes with the other instances of a
 * deployment. hub.ts only talks to this interface, so it does not know whether it runs alone
 * ({@link localBus}, the default: one process, nothing to share) or beside others (redis-bus.ts).
 *
 * The model (docs/architecture.md, "Scale-out"): every instance keeps in its presence map its own
 * connections AND stand-ins for the connections of the other instances (remote-conn.ts). Anything
 * that targets a user (signal, link, request, logged-out, closing a connection) therefore finds
 * the remote connections too, and a stand-in forwards what it is sent to the instance that holds
 * the socket. Anything broadcast (presence updates, `devices`) goes to local connections only
 * (cluster-presence.ts): each instance tells its own clients about every change it learns of.
 */
import type { DeviceListChange } from './accounts';
import type { Conn } from './connection';
import { Presence } from './presence';

/** What the hub lets a bus do. */
export interface ClusterHub {
  /**
   * Runs `change` (adds, updates or removes a stand-in in the presence map) and announces to the
   * local connections whatever that changed in `userKey`'s presence.
   */
  presenceChange(userKey: string, username: string, change: () => void): void;
  /** A device list stored on another instance: tell the local connections and update approvals. */
  deviceListChanged(change: DeviceListChange): void;
}

export interface ClusterBus {
  /** Unique per running process ('local' when alone). */
  readonly instanceId: string;
  /** The presence map the hub uses (local connections, plus stand-ins of the others'). */
  readonly presence: Presence<Conn>;
  /** Called once by the hub it serves. */
  attach(hub: ClusterHub): void;
  /** A device list was stored through this instance: tell the others. */
  shareDeviceList(change: DeviceListChange): void;
  /** Tells the others this instance is leaving, and disconnects. Idempotent. */
  close(): Promise<void>;
}

/** One process alone: a plain presence map and nothing to share. */
export function localBus(): ClusterBus {
  return {
    instanceId: 'local',
    presence: new Presence<Conn>(),
    attach: () => undefined,
    shareDeviceList: () => undefined,
    close: async () => undefined,
  };
}
