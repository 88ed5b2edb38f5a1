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
  /** The open conversation, or null. */
  active(): string | null;
  hasOpenTransfers(conv: string): Promise<boolean>;
  dial(peerName: string): void;
  /** The server says the contact went offline. */
  wentOffline(conv: string): void;
}

export class PresenceTracker {
  readonly presence = new Store<PresenceState>({ online: new Map() });

  constructor(private readonly deps: PresenceTrackerDeps) {}

  isOnline(conv: string): boolean {
    return this.presence.get().online.has(conv);
  }

  /** Feeds a server frame; true if it was about presence. */
  handle(m: ServerMsg): boolean {
    switch (m.type) {
      case 'presence': {
        const online = new Map<string, string>();
        for (const name of m.online) online.set(usernameKey(name), name);
        this.presence.set({ online });
        this.dialPending();
        return true;
      }
      case 'presence-update': {
        const key = usernameKey(m.username);
        const online = new Map(this.presence.get().online);
        if (m.online) online.set(key, m.username);
        else online.delete(key);
        this.presence.set({ online });
        if (m.online) this.dialIfWanted(m.username);
        else this.deps.wentOffline(key);
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

  clear(): void {
    this.presence.set({ online: new Map() });
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
  }

  private async dialIfWantedNow(peerName: string): Promise<void> {
    const conv = usernameKey(peerName);
    const db = this.deps.db();
    if (!db) return;
    const wanted = this.deps.active() === conv || (await history.pendingFor(db, conv)).length > 0 || (await this.deps.hasOpenTransfers(conv));
    if (wanted) this.deps.dial(peerName);
  }
}
