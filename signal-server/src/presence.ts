/**
 * Who is logged in on this server instance: user key → that user's live connections (several
 * tabs or devices). What others are told (who counts as online, which devices) is decided in
 * device-presence.ts.
 */
export class Presence<C> {
  private readonly users = new Map<string, { username: string; conns: Set<C> }>();

  /** Adds a connection; true when the user just came online (first connection). */
  add(userKey: string, username: string, conn: C): boolean {
    const entry = this.users.get(userKey);
    if (entry) {
      entry.conns.add(conn);
      return false;
    }
    this.users.set(userKey, { username, conns: new Set([conn]) });
    return true;
  }

  /** Removes a connection; true when the user just went offline (last connection gone). */
  remove(userKey: string, conn: C): boolean {
    const entry = this.users.get(userKey);
    if (!entry || !entry.conns.delete(conn)) return false;
    if (entry.conns.size > 0) return false;
    this.users.delete(userKey);
    return true;
  }

  isOnline(userKey: string): boolean {
    return this.users.has(userKey);
  }

  /** The user's live connections (empty when offline). */
  connections(userKey: string): ReadonlySet<C> {
    return this.users.get(userKey)?.conns ?? EMPTY;
  }

  /** Every online user: key, display name, live connections. */
  *accounts(): IterableIterator<{ key: string; username: string; conns: ReadonlySet<C> }> {
    for (const [key, entry] of this.users) yield { key, username: entry.username, conns: entry.conns };
  }

  /** Every connection of every online user. */
  *allConnections(): IterableIterator<C> {
    for (const entry of this.users.values()) yield* entry.conns;
  }

  get onlineCount(): number {
    return this.users.size;
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();
