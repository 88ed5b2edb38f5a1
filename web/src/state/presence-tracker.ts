/**
 * Who is online (the presence state slice, from the server's presence frames) and dialling on
 * presence: when someone comes online, or the list first arrives, contacts with something to
 * deliver (outbox, open transfers) or whose conversation is open are dialled.
 */
import { usernameKey, type ServerMsg } from '../../../shared/index';
import type { ChatDb } from '../db/schema';
import * as history from '../db/history';
import { Store } from './store';
import type { PresenceState } from './contexts';

export interface PresenceTrackerDeps {
  db(): ChatDb | null;
  /** My account (usernameKey), or null: its other devices are tracked, never shown as a contact. */
  me(): string | null;
  /** My account's display name, or null. */
  myName(): string | null;
  /** This browser's device id (left out of my own account's online devices). */
  myDeviceId(): string | null;
  /** The open conversation, or null. */
  active(): string | null;
  hasOpenTransfers(conv: string): Promise<boolean>;
  dial(peerName: string): void;
  /** The server says devices of the contact went offline (`online`: the ones left; absent: all). */
  wentOffline(conv: string, online?: readonly string[]): void;
}

export class PresenceTracker {
  readonly presence = new Store<PresenceState>({ online: new Map(), devices: new Map() });

  constructor(private readonly deps: PresenceTrackerDeps) {}

  isOnline(conv: string): boolean {
    return this.presence.get().online.has(conv) || (conv === this.deps.me() && this.onlineDevices(conv).length > 0);
  }

  /** The ids of the account's devices online now; empty for an account without devices (or offline). */
  onlineDevices(conv: string): readonly string[] {
    return this.presence.get().devices.get(conv) ?? [];
  }

  /** Feeds a server frame; true if it was about presence. */
  handle(m: ServerMsg): boolean {
    switch (m.type) {
      case 'presence': {
        const me = this.deps.me();
        const online = new Map<string, string>();
        const devices = new Map<string, readonly string[]>();
        m.online.forEach((name, i) => {
          const key = usernameKey(name);
          if (key !== me) online.set(key, name);
          const ids = this.others(key, m.devices?.[i]);
          if (ids?.length) devices.set(key, ids);
        });
        this.presence.set({ online, devices });
        this.dialPending();
        return true;
      }
      case 'presence-update': {
        const key = usernameKey(m.username);
        const own = key === this.deps.me();
        const online = new Map(this.presence.get().online);
        const devices = new Map(this.presence.get().devices);
        if (m.online && !own) online.set(key, m.username);
        else online.delete(key);
        const ids = this.others(key, m.devices);
        if (m.online && ids?.length) devices.set(key, ids);
        else devices.delete(key);
        this.presence.set({ online, devices });
        if (m.online && (!own || ids?.length)) {
          // Devices that left: their half-built links cannot finish.
          if (ids) this.deps.wentOffline(key, ids);
          this.dialIfWanted(m.username);
        } else {
          this.deps.wentOffline(key);
        }
        return true;
      }
      default:
        return false;
    }
  }

  /** Dials a contact who came online if there is a reason to (open conversation, outbox, transfers). */
  dialIfWanted(peerName: string): void {
    this.dialIfWantedNow(peerName).catch((err: unknown) => console.warn('Peerchat: could not check whether to connect', err));
  }

  /** The ids of an account's online devices, without this browser's own. */
  private others(conv: string, ids: readonly string[] | undefined): readonly string[] | undefined {
    if (!ids || conv !== this.deps.me()) return ids;
    const mine = this.deps.myDeviceId();
    return ids.filter((d) => d !== mine);
  }

  clear(): void {
    this.presence.set({ online: new Map(), devices: new Map() });
  }

  /** Dials everyone online that we have undelivered messages for. */
  private dialPending(): void {
    this.dialPendingNow().catch((err: unknown) => console.warn('Peerchat: could not read the outbox to reconnect', err));
  }

  private async dialPendingNow(): Promise<void> {
    const db = this.deps.db();
    if (!db) return;
    const convs = await history.convsWithPending(db);
    const online = this.presence.get().online;
    for (const conv of convs) {
      const name = online.get(conv);
      if (name) this.deps.dial(name);
    }
    const active = this.deps.active();
    const activeName = active ? online.get(active) : undefined;
    if (activeName) this.deps.dial(activeName);
    // Our own other devices: always (they keep each other up to date).
    const me = this.deps.me();
    const myName = this.deps.myName();
    if (me && myName && this.onlineDevices(me).length > 0) this.deps.dial(myName);
  }

  private async dialIfWantedNow(peerName: string): Promise<void> {
    const conv = usernameKey(peerName);
    const db = this.deps.db();
    if (!db) return;
    const wanted = conv === this.deps.me() || this.deps.active() === conv || (await history.pendingFor(db, conv)).length > 0 ||
      (await history.owedCount(db, conv)) > 0 || (await this.deps.hasOpenTransfers(conv));
    if (wanted) this.deps.dial(peerName);
  }
}
