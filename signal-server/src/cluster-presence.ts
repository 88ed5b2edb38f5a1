/**
 * The presence map of an instance that shares its users with others: local connections and the
 * stand-ins of other instances' (remote-conn.ts). Lookups by user see both; `allConnections()`
 * (what broadcasts iterate) yields only local ones, because every instance tells its own clients.
 * A local connection coming or going is reported to `listener` (the bus publishes it).
 */
import type { Conn } from './connection';
import { Presence } from './presence';
import { RemoteConn } from './remote-conn';

export interface ClusterPresenceListener {
  localAdded(conn: Conn): void;
  localRemoved(conn: Conn, userKey: string): void;
  /** A stand-in left the map (ended here, or its instance reported it gone). */
  remoteRemoved(conn: RemoteConn): void;
}

export class ClusterPresence extends Presence<Conn> {
  constructor(private readonly listener: ClusterPresenceListener) {
    super();
  }

  override add(userKey: string, username: string, conn: Conn): boolean {
    const first = super.add(userKey, username, conn);
    if (!(conn instanceof RemoteConn)) this.listener.localAdded(conn);
    return first;
  }

  override remove(userKey: string, conn: Conn): boolean {
    const had = this.connections(userKey).has(conn);
    const last = super.remove(userKey, conn);
    if (had) {
      if (conn instanceof RemoteConn) this.listener.remoteRemoved(conn);
      else this.listener.localRemoved(conn, userKey);
    }
    return last;
  }

  override *allConnections(): IterableIterator<Conn> {
    for (const c of super.allConnections()) if (!(c instanceof RemoteConn)) yield c;
  }
}
