/**
 * Which links to group members to open, on demand: a member account is dialled when something
 * is to be sent to it, and when it comes online (then only by the side whose account name sorts
 * first, so two devices do not dial each other at once; either side's summary starts catch-up).
 * Open links are capped (shared/groups/link-cap.ts): past the cap, the least recently active
 * ones that are not needed now are closed first.
 */
import { planLinks, DEFAULT_LINK_CAP } from '../../../shared/groups/link-cap';
import { compareStrings } from '../../../shared/groups/limits';
import type { PeerLink } from '../net/peer-link';
import { linkKey } from '../net/link-key';
import type { PresenceState } from '../state/contexts';
import type { Store } from '../state/store';

/** A link quiet for this long is idle (may be closed to make room). */
export const IDLE_AFTER_MS = 30_000;

export interface GroupLinksDeps {
  /** My account (usernameKey), or null. */
  me(): string | null;
  /** Accounts that share a group with me. */
  peers(): Set<string>;
  presence(): Store<PresenceState>;
  /** Dials every online device of the account. */
  dial(conv: string): void;
}

export class GroupLinks {
  /** Links seen carrying anything, with when they last did. */
  private readonly active = new Map<string, { link: PeerLink; last: number }>();
  private unsubscribe: (() => void) | null = null;
  private online = new Set<string>();

  constructor(
    private readonly deps: GroupLinksDeps,
    private readonly cap = DEFAULT_LINK_CAP,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logged in and groups loaded: follow presence. */
  start(): void {
    if (this.unsubscribe) return;
    const store = this.deps.presence();
    this.online = new Set();
    this.unsubscribe = store.subscribe((p) => this.presenceChanged(p));
    this.presenceChanged(store.get());
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.online = new Set();
    this.active.clear();
  }

  /** A link carried something (or came up). */
  seen(link: PeerLink): void {
    this.active.set(link.key, { link, last: this.now() });
  }

  /** Something is to go to `account`: open links to its online devices, within the cap. */
  want(account: string): void {
    const presence = this.deps.presence().get();
    if (!presence.online.has(account) && !presence.devices.has(account)) return;
    const devices = presence.devices.get(account) ?? [];
    const needed = devices.length ? devices.map((d) => linkKey(account, d)) : [linkKey(account, null)];
    for (const [key, x] of this.active) if (x.link.state !== 'ready' && x.link.state !== 'connecting') this.active.delete(key);
    // A link that carried something within the last half minute is in use (a transfer, a 1:1
    // chat): never closed to make room.
    const now = this.now();
    const open = [...this.active].map(([key, x]) => ({ key, lastActivity: x.last, busy: now - x.last < IDLE_AFTER_MS }));
    const plan = planLinks(open, needed, this.cap);
    for (const key of plan.close) {
      this.active.get(key)?.link.destroy('closed');
      this.active.delete(key);
    }
    if (plan.open.length) this.deps.dial(account);
  }

  private presenceChanged(p: PresenceState): void {
    const me = this.deps.me();
    if (!me) return;
    const now = new Set([...p.online.keys(), ...p.devices.keys()]);
    const peers = this.deps.peers();
    for (const account of now) {
      if (this.online.has(account) || !peers.has(account)) continue;
      if (compareStrings(me, account) < 0) this.want(account);
    }
    this.online = now;
  }
}
