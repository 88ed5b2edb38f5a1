/**
 * Whose presence a client follows when its server runs in `contacts` presence mode (the server
 * then tells it only about the users it names in `presence-subscribe`). Pure: the web service
 * (web/src/state/presence-subscriber.ts) feeds it what the app shows and sends what it returns.
 *
 * Followed: the open conversation first, then the people in the conversation list (contacts and
 * the strangers whose requests it shows), newest first, then the members of our groups (a group
 * message goes to them over direct links, which need to know who is online); never blocked
 * accounts or ourselves (our own other devices are always heard). Conversation keys that are no
 * username (a group's) are skipped. At most LIMITS.maxPresenceSubscriptions names.
 */
import { checkUsername, usernameKey } from './account-rules';
import { LIMITS, type PresenceMode } from './limits';

export interface PresenceSubscriptionInput {
  /** Our own account (usernameKey), or null. */
  me: string | null;
  /** The open conversation (usernameKey), or null. */
  active: string | null;
  /** The conversation list as shown: each peer's key and when it was last active. */
  conversations: readonly { conv: string; lastTs: number }[];
  /** Senders of pending message requests (keys). */
  requests: Iterable<string>;
  /** Blocked accounts (keys): not followed. */
  blocked: { has(conv: string): boolean };
  /** Members of the groups we are in (keys), in the groups' order. */
  groupPeers?: Iterable<string>;
}

/** The names to follow, in priority order, capped; the same input gives the same list. */
export function presenceSubscriptionList(input: PresenceSubscriptionInput): string[] {
  const out = new Set<string>();
  const add = (name: string): void => {
    const key = usernameKey(name);
    if (key === input.me || input.blocked.has(key) || checkUsername(key) !== null) return;
    if (out.size < LIMITS.maxPresenceSubscriptions) out.add(key);
  };
  if (input.active) add(input.active);
  for (const c of [...input.conversations].sort((a, b) => b.lastTs - a.lastTs || (a.conv < b.conv ? -1 : 1))) add(c.conv);
  for (const r of [...input.requests].sort()) add(r);
  for (const m of input.groupPeers ?? []) add(m);
  return [...out];
}

/** What the subscriber remembers: the server's mode and the list it last sent on this connection. */
export interface PresenceSubscriptionState {
  mode: PresenceMode;
  /** The list sent since the last welcome (joined), or null: none sent on this connection yet. */
  sent: string | null;
}

export const INITIAL_PRESENCE_SUBSCRIPTION: PresenceSubscriptionState = { mode: 'open', sent: null };

export type PresenceSubscriptionEvent =
  /** Logged in (also after every reconnect): the server forgot any earlier subscription. */
  | { type: 'welcome'; mode: PresenceMode | undefined; list: readonly string[] }
  /** What the app shows changed. */
  | { type: 'changed'; list: readonly string[] }
  | { type: 'logged-out' };

/**
 * The next state, and the list to send in `presence-subscribe` (null: nothing to send). Only in
 * `contacts` mode; a list equal to the one already sent on this connection is not sent again.
 */
export function stepPresenceSubscription(
  s: PresenceSubscriptionState,
  e: PresenceSubscriptionEvent,
): { state: PresenceSubscriptionState; send: readonly string[] | null } {
  if (e.type === 'logged-out') return { state: INITIAL_PRESENCE_SUBSCRIPTION, send: null };
  const mode = e.type === 'welcome' ? (e.mode ?? 'open') : s.mode;
  const sent = e.type === 'welcome' ? null : s.sent;
  if (mode !== 'contacts') return { state: { mode, sent: null }, send: null };
  const joined = e.list.join('\n');
  // After a welcome the list always goes out, even an empty one: the server snapshot follows it.
  if (joined === sent) return { state: { mode, sent }, send: null };
  return { state: { mode, sent: joined }, send: e.list };
}
