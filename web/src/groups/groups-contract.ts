/**
 * What the group conversation screens and the group service agree on: the state slice the
 * screens draw, and the actions they ask for. The rules themselves (signed changes, who may do
 * what, order, sync) are in shared/groups/; the service in this folder runs them over the
 * pairwise end-to-end sessions and stores groups on this device only.
 *
 * A group's messages live in the same history as 1:1 messages, under the conversation key
 * {@link groupConv} (usernames cannot contain ':', so the two never collide): the message list,
 * catch-up between own devices and later search work on both alike. `from` is the author's
 * display name, `outgoing` is true for what this account wrote, and `deliveredTo` of an outgoing
 * group message lists member ACCOUNTS (lowercased) that stored it ("Delivered to 3 of 5").
 */
import { createContext } from '@lit/context';
import type { Store } from '../state/store';
import type { ReactionEmoji } from '../../../shared/messaging/index';

/** The history conversation key of a group. */
export function groupConv(groupId: string): string {
  return `group:${groupId}`;
}

/** The group id of a history conversation key, or null for a 1:1 conversation. */
export function groupIdOf(conv: string): string | null {
  return conv.startsWith('group:') ? conv.slice('group:'.length) : null;
}

export interface GroupMemberView {
  /** Display name. */
  username: string;
  /** Lowercased name (the presence, security and conversation key). */
  key: string;
  admin: boolean;
}

/** Where this account stands in a group. */
export type GroupStanding =
  | { kind: 'member'; admin: boolean }
  /** Removed by an admin (display name); the history stays on this device. */
  | { kind: 'removed'; by: string }
  | { kind: 'left' };

export interface GroupView {
  /** Random 128-bit id, hex. */
  id: string;
  /** {@link groupConv} of the id. */
  conv: string;
  name: string;
  /** Current members, admins first, then in join order; this account included. */
  members: readonly GroupMemberView[];
  me: GroupStanding;
  /**
   * The group's changes as lines for the conversation ("alice added carol"), oldest first; the
   * screens place them among the messages by `ts`. Optional so that views built without it
   * stay valid.
   */
  lines?: readonly GroupLine[];
}

/** One accepted change of a group, for a line in its conversation. */
export interface GroupLine {
  /** The change id (a stable key). */
  id: string;
  /** The author's clock, ms. */
  ts: number;
  /** Who made the change (account name). */
  by: string;
  kind: 'created' | 'added' | 'removed' | 'promoted' | 'renamed' | 'left';
  /** The member added, removed or made admin. */
  who?: string;
  /** The group's name after `created` or `renamed`. */
  name?: string;
}

export interface GroupsState {
  /** Group id → what the screens show of it. */
  groups: ReadonlyMap<string, GroupView>;
  loaded: boolean;
}

/** Groups of the logged-in account on this device (provided by pc-app like the other slices). */
export const groupsContext = createContext<Store<GroupsState>>(Symbol('peerchat-groups'));

/**
 * The actions the screens ask of the group service (reached through the service context, as
 * `service.groups`). Each rejects with a PeerchatError whose code the screens turn into a
 * sentence through web/src/l10n/error-text.ts.
 */
export interface GroupActions {
  readonly state: Store<GroupsState>;
  /** Creates a group with this account as its first admin; resolves with its id. */
  create(name: string, members: readonly string[]): Promise<string>;
  /** `replyTo`: the id of the group's message this text replies to (quoted on every member). */
  sendText(groupId: string, text: string, replyTo?: string): Promise<void>;
  /** Sets my reaction to a message of the group to `emoji`, or clears it when it already is. */
  react(groupId: string, id: string, emoji: ReactionEmoji): Promise<void>;
  /** New text for my own message (within 15 minutes); shown "edited" on every member. */
  edit(groupId: string, id: string, text: string): Promise<void>;
  /** Deletes my own message for everyone (within 24 hours): its text leaves every member device. */
  recall(groupId: string, id: string): Promise<void>;
  /** Offers files (images show inline) to every member; each member accepts on their side. */
  sendFiles(groupId: string, files: readonly File[]): Promise<void>;
  addMembers(groupId: string, usernames: readonly string[]): Promise<void>;
  removeMember(groupId: string, username: string): Promise<void>;
  makeAdmin(groupId: string, username: string): Promise<void>;
  rename(groupId: string, name: string): Promise<void>;
  leave(groupId: string): Promise<void>;
}
