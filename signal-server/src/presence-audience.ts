/**
 * Who hears about an account's presence and device-list changes, on this server instance.
 *
 * - `open` presence mode: every logged-in connection hears about every account (a LAN's online
 *   list; each change costs one frame per logged-in connection).
 * - `contacts`: a connection hears about the accounts it named in its last `presence-subscribe`
 *   (at most LIMITS.maxPresenceSubscriptions), plus its own account (its other devices). The
 *   index below maps an account to the connections that named it, so a change costs
 *   O(subscribers of that account), whatever the number of users online. Subscriptions live in
 *   memory only, with the connection: never stored, gone when it closes.
 *
 * Several instances: an instance that learns of a change elsewhere runs the same local step
 * ({@link PresenceAudience.listeners} on its own connections). Stand-ins of other instances'
 * connections (remote-conn.ts) are never listeners: their own instance tells them.
 */
import type { PresenceMode } from '../../shared/limits';
import type { Conn } from './connection';
import type { Presence } from './presence';

/** Account key → connections subscribed to it, and back. Memory only; one entry per subscription. */
export class PresenceSubscriptions<C = Conn> {
  private readonly byUser = new Map<string, Set<C>>();
  private readonly byConn = new Map<C, ReadonlySet<string>>();

  /** Replaces what `conn` follows with `userKeys` (an empty set unsubscribes it from everything). */
  replace(conn: C, userKeys: ReadonlySet<string>): void {
    this.drop(conn);
    if (userKeys.size === 0) return;
    this.byConn.set(conn, userKeys);
    for (const key of userKeys) {
      const set = this.byUser.get(key);
      if (set) set.add(conn);
      else this.byUser.set(key, new Set([conn]));
    }
  }

  /** Forgets every subscription of `conn` (it closed or logged out). */
  drop(conn: C): void {
    const keys = this.byConn.get(conn);
    if (!keys) return;
    this.byConn.delete(conn);
    for (const key of keys) {
      const set = this.byUser.get(key);
      if (!set) continue;
      set.delete(conn);
      if (set.size === 0) this.byUser.delete(key);
    }
  }

  /** The connections following `userKey`. */
  subscribers(userKey: string): ReadonlySet<C> {
    return this.byUser.get(userKey) ?? EMPTY;
  }

  /** The accounts `conn` follows. */
  of(conn: C): ReadonlySet<string> {
    return this.byConn.get(conn) ?? EMPTY;
  }

  /** Distinct accounts followed by anyone, and connections following anyone (diagnostics). */
  get size(): { users: number; conns: number } {
    return { users: this.byUser.size, conns: this.byConn.size };
  }
}

/** The local step of every presence or device-list change: which connections here must hear it. */
export class PresenceAudience {
  readonly subscriptions = new PresenceSubscriptions<Conn>();

  constructor(
    readonly mode: PresenceMode,
    private readonly presence: Presence<Conn>,
  ) {}

  /**
   * The logged-in connections on this instance that must hear about a change of `userKey`
   * (its own connections included; callers leave out whom the frame is not for). A fresh array:
   * sending may close connections, which changes the sets behind it.
   */
  listeners(userKey: string): Conn[] {
    if (this.mode === 'open') return [...this.presence.allConnections()];
    const own = this.presence.connections(userKey);
    const subs = this.subscriptions.subscribers(userKey);
    // Stand-ins of connections on other instances (remote-conn.ts) hear it from their own instance.
    const out: Conn[] = [];
    for (const c of own) if (!c.remote) out.push(c);
    for (const c of subs) if (c.user && !own.has(c)) out.push(c);
    return out;
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();
