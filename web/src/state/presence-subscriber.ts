/**
 * Follows the presence of the people the app shows, when the server runs in `contacts` presence
 * mode (its `welcome` says so): sends `presence-subscribe` with them after every login or
 * reconnect and whenever the list changes (shared/presence-subscription.ts decides what and
 * when). In `open` mode it sends nothing: the server tells everyone about everyone.
 */
import type { ClientMsg, ServerMsg } from '../../../shared/index';
import {
  INITIAL_PRESENCE_SUBSCRIPTION,
  presenceSubscriptionList,
  stepPresenceSubscription,
  type PresenceSubscriptionEvent,
} from '../../../shared/presence-subscription';
import type { RequestsState } from '../requests/requests-state';
import type { GroupsState } from '../groups/groups-contract';
import type { ConversationsState } from './contexts';
import type { Store } from './store';

export interface PresenceSubscriberDeps {
  conversations: Store<ConversationsState>;
  requests: Store<RequestsState>;
  groups: Store<GroupsState>;
  /** My account (usernameKey), or null. */
  me(): string | null;
  send(msg: ClientMsg): boolean;
}

export class PresenceSubscriber {
  private state = INITIAL_PRESENCE_SUBSCRIPTION;

  constructor(private readonly deps: PresenceSubscriberDeps) {
    deps.conversations.subscribe(() => this.changed());
    deps.requests.subscribe(() => this.changed());
    deps.groups.subscribe(() => this.changed());
  }

  /** Feeds a server frame (only `welcome` matters here); never consumes it. */
  handle(m: ServerMsg): void {
    if (m.type === 'welcome') this.step({ type: 'welcome', mode: m.presence, list: this.list() });
  }

  /** Logged out: nothing is followed until the next welcome. */
  clear(): void {
    this.step({ type: 'logged-out' });
  }

  private changed(): void {
    // Cheap in open mode, where nothing is ever sent.
    if (this.state.mode === 'contacts') this.step({ type: 'changed', list: this.list() });
  }

  private list(): string[] {
    const c = this.deps.conversations.get();
    const r = this.deps.requests.get();
    return presenceSubscriptionList({
      me: this.deps.me(),
      active: c.active,
      conversations: c.list,
      requests: r.requests,
      blocked: r.blocked,
      groupPeers: groupPeers(this.deps.groups.get()),
    });
  }

  private step(e: PresenceSubscriptionEvent): void {
    const { state, send } = stepPresenceSubscription(this.state, e);
    this.state = state;
    if (send && !this.deps.send({ type: 'presence-subscribe', users: [...send] })) {
      // Not connected: the next welcome sends it again.
      this.state = { ...state, sent: null };
    }
  }
}

/** Members of the groups this account is still in. */
function* groupPeers(s: GroupsState): Iterable<string> {
  for (const g of s.groups.values()) {
    if (g.me.kind !== 'member') continue;
    for (const m of g.members) yield m.key;
  }
}
