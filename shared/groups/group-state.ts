/**
 * A group's state on one device, and the one way it changes: {@link applyGroupChange}. Pure (no
 * I/O); the caller stores `state.changes` (the signed changes) and can rebuild the state from
 * them with {@link groupFromLog}.
 *
 * A change enters the set when it is well-formed and canonical, names this group, is not there
 * already (a replay is refused as a duplicate and changes nothing), has all its parents in the
 * set, and its signature verifies with a key this group's log pinned for its author. The state
 * is then the fold of the set (shared/groups/group-fold.ts: the convergence rule). Whether a
 * change enters depends only on the change and its ancestors, never on what else arrived first:
 * so every device ends with the same set and folds it to the same state. That is why a change
 * the fold refuses (a non-admin's, a revoked one, ...) is still kept, and why its author need not
 * be a member NOW, only at the change's own parents (two admins removing each other at once:
 * whichever removal arrives first, the other must still enter). A change whose author was not a
 * member at its own parents can never be accepted, and is not kept.
 */
import type { IdentityKeyPair } from '../crypto/identity';
import { encodePublicKey } from '../crypto/identity';
import { GROUP_LIMITS, compareStrings } from './limits';
import {
  groupChangeId,
  groupChangeSignatureValid,
  parseGroupChangeText,
  parseSignedGroupChange,
  signGroupChange,
  type GroupChange,
  type GroupMember,
  type GroupOp,
  type SignedGroupChange,
} from './group-change';
import { viewAt } from './group-position';
import { foldGroupLog, type ChangeRefusal, type ChangeVerdict, type GroupView, type StoredChange } from './group-fold';

export interface GroupState {
  id: string;
  /** Id of the `create` change. */
  genesisId: string;
  /** Every change in the set, by id. */
  changes: ReadonlyMap<string, StoredChange>;
  /** Name, members (join order) and admins (seniority order) after the fold. */
  view: GroupView;
  /** Every change in fold order with its verdict (accepted or why not). */
  order: readonly ChangeVerdict[];
  /** Ids of the changes no other change names as parent, sorted: the parents of the next change. */
  heads: string[];
  /** Accepted changes so far (for display; a revocation can lower it). */
  version: number;
}

export type GroupChangeRefusal =
  | ChangeRefusal
  /** Malformed, not canonical, or a second `create`. */
  | 'GROUP_CHANGE_BAD'
  /** For another group. */
  | 'GROUP_CHANGE_WRONG_GROUP'
  /** Already in the set (a replay): nothing changes. */
  | 'GROUP_CHANGE_DUPLICATE'
  /** No key pinned for the author in this group verifies the signature. */
  | 'GROUP_CHANGE_SIGNATURE'
  /** Some parents are not in the set yet: keep it, fetch `missing`, apply it again. */
  | 'GROUP_CHANGE_MISSING_PARENTS'
  /** The set already holds GROUP_LIMITS.maxChanges changes. */
  | 'GROUP_CHANGE_LOG_FULL'
  /** Its author was not a member at the change's own parents: not kept. */
  | 'GROUP_CHANGE_STALE_AUTHOR';

export type GroupChangeResult =
  | { ok: true; id: string; state: GroupState }
  /** `state`: unchanged, or with the change kept but refused by the fold (see the module comment). */
  | { ok: false; code: GroupChangeRefusal; id?: string; missing?: string[]; state: GroupState };

function headsOf(changes: ReadonlyMap<string, StoredChange>): string[] {
  const named = new Set<string>();
  for (const s of changes.values()) for (const p of s.change.parents) named.add(p);
  return [...changes.keys()].filter((id) => !named.has(id)).sort(compareStrings);
}

function build(id: string, genesisId: string, changes: ReadonlyMap<string, StoredChange>): GroupState {
  const { view, order } = foldGroupLog(changes, genesisId);
  return { id, genesisId, changes, view, order, heads: headsOf(changes), version: order.filter((x) => x.accepted).length };
}

/** Every key this group's log ever pinned for `account` (adds and the creation), oldest first. */
export function pinnedKeysOf(changes: ReadonlyMap<string, StoredChange>, account: string): string[] {
  const keys: string[] = [];
  for (const s of changes.values()) {
    const op = s.change.op;
    const named = op.type === 'create' ? op.members.filter((m) => m.account === account) : op.type === 'add' && op.member.account === account ? [op.member] : [];
    for (const m of named) if (!keys.includes(m.key)) keys.push(m.key);
  }
  return keys;
}

export type GenesisResult = { ok: true; state: GroupState } | { ok: false; code: 'GROUP_CHANGE_BAD' | 'GROUP_CHANGE_SIGNATURE' };

/** A group from its `create` change, signed by the creator's key as the creation names it. */
export function groupFromGenesis(signed: unknown): GenesisResult {
  const shape = parseSignedGroupChange(signed);
  const change = shape ? parseGroupChangeText(shape.change) : null;
  if (!shape || !change || change.op.type !== 'create') return { ok: false, code: 'GROUP_CHANGE_BAD' };
  const key = change.op.members.find((m) => m.account === change.author)!.key;
  if (!groupChangeSignatureValid(shape, key)) return { ok: false, code: 'GROUP_CHANGE_SIGNATURE' };
  const id = groupChangeId(shape.change);
  const changes = new Map([[id, { id, signed: shape, change, signerKey: key }]]);
  return { ok: true, state: build(change.group, id, changes) };
}

/**
 * Adds one signed change (from a peer, or made here with {@link makeGroupChange} and signed) and
 * refolds. Never throws on bad input. On success the change was accepted by the fold; every
 * refusal says why (see {@link GroupChangeRefusal}).
 */
export function applyGroupChange(state: GroupState, signed: unknown): GroupChangeResult {
  const shape = parseSignedGroupChange(signed);
  const change = shape ? parseGroupChangeText(shape.change) : null;
  if (!shape || !change || change.op.type === 'create') return { ok: false, code: 'GROUP_CHANGE_BAD', state };
  if (change.group !== state.id) return { ok: false, code: 'GROUP_CHANGE_WRONG_GROUP', state };
  const id = groupChangeId(shape.change);
  if (state.changes.has(id)) return { ok: false, code: 'GROUP_CHANGE_DUPLICATE', id, state };
  const missing = change.parents.filter((p) => !state.changes.has(p));
  if (missing.length) return { ok: false, code: 'GROUP_CHANGE_MISSING_PARENTS', id, missing, state };
  if (state.changes.size >= GROUP_LIMITS.maxChanges) return { ok: false, code: 'GROUP_CHANGE_LOG_FULL', id, state };
  const signerKey = pinnedKeysOf(state.changes, change.author).find((k) => groupChangeSignatureValid(shape, k));
  if (!signerKey) return { ok: false, code: 'GROUP_CHANGE_SIGNATURE', id, state };
  const atParents = viewAt(state, change.parents);
  if (!atParents?.members.some((m) => m.account === change.author)) return { ok: false, code: 'GROUP_CHANGE_STALE_AUTHOR', id, state };
  const changes = new Map(state.changes);
  changes.set(id, { id, signed: shape, change, signerKey });
  const next = build(state.id, state.genesisId, changes);
  const verdict = next.order.find((x) => x.id === id)!;
  return verdict.accepted ? { ok: true, id, state: next } : { ok: false, code: verdict.code!, id, state: next };
}

export interface GroupBatchResult {
  state: GroupState;
  /** Per input change, in input order: what became of it. */
  results: { id?: string; ok: boolean; code?: GroupChangeRefusal }[];
  /** Parent ids still missing (ask a peer for them). */
  missing: string[];
}

/**
 * Applies several changes in any order (a `group-changes` frame, a stored log): each is tried
 * again while another one makes progress, so children may come before their parents.
 */
export function applyGroupChanges(state: GroupState, list: readonly unknown[]): GroupBatchResult {
  const results: GroupBatchResult['results'] = list.map(() => ({ ok: false, code: 'GROUP_CHANGE_MISSING_PARENTS' as const }));
  let pending = list.map((_, i) => i);
  let current = state;
  for (let progress = true; progress && pending.length; ) {
    progress = false;
    const again: number[] = [];
    for (const i of pending) {
      const r = applyGroupChange(current, list[i]);
      if (r.ok === false && r.code === 'GROUP_CHANGE_MISSING_PARENTS') {
        again.push(i);
        results[i] = { id: r.id, ok: false, code: r.code };
        continue;
      }
      progress = progress || r.state !== current;
      current = r.state;
      results[i] = r.ok ? { id: r.id, ok: true } : { id: r.id, ok: false, code: r.code };
    }
    pending = again;
  }
  const missing = new Set<string>();
  for (const i of pending) {
    const c = parseGroupChangeText(parseSignedGroupChange(list[i])?.change);
    for (const p of c?.parents ?? []) if (!current.changes.has(p)) missing.add(p);
  }
  for (const i of pending) missing.delete(results[i]!.id ?? '');
  return { state: current, results, missing: [...missing].sort(compareStrings) };
}

/** Rebuilds a state from its stored signed changes (any order). Null without a valid creation. */
export function groupFromLog(log: readonly unknown[]): GroupState | null {
  let genesis: GroupState | null = null;
  for (const raw of log) {
    const r = groupFromGenesis(raw);
    if (r.ok) {
      genesis = r.state;
      break;
    }
  }
  return genesis ? applyGroupChanges(genesis, log).state : null;
}

/** The signed changes in fold order: what a device stores, and what a joiner is sent. */
export function exportGroupLog(state: GroupState): SignedGroupChange[] {
  return state.order.map((x) => state.changes.get(x.id)!.signed);
}

/** A new change by `author` on top of this device's heads (sign it with {@link signGroupChange}). */
export function makeGroupChange(state: GroupState, author: string, op: GroupOp, ts: number): GroupChange {
  return { group: state.id, parents: state.heads.slice(0, GROUP_LIMITS.maxParents), author, ts, op };
}

export interface NewGroup {
  state: GroupState;
  /** The signed creation, to send to every member with the rest of the log. */
  signed: SignedGroupChange;
}

/** Creates a group: `me` (with its account key) and `others` as members, `me` as admin. */
export function createGroup(input: { id: string; name: string; me: string; accountKey: IdentityKeyPair; others: readonly GroupMember[]; ts: number }): NewGroup {
  const members = [{ account: input.me, key: encodePublicKey(input.accountKey.publicKey) }, ...input.others.filter((m) => m.account !== input.me)];
  const signed = signGroupChange({ group: input.id, parents: [], author: input.me, ts: input.ts, op: { type: 'create', name: input.name, members } }, input.accountKey);
  const r = groupFromGenesis(signed);
  if (!r.ok) throw new RangeError(`create group: ${r.code}`);
  return { state: r.state, signed };
}

/** Whether `account` is a member now. */
export function isGroupMember(state: GroupState, account: string): boolean {
  return state.view.members.some((m) => m.account === account);
}

/** Whether `account` is an admin now. */
export function isGroupAdmin(state: GroupState, account: string): boolean {
  return state.view.admins.includes(account);
}

/** The account key (base64url) the group pins for a member now; undefined for a non-member. */
export function memberKeyOf(state: GroupState, account: string): string | undefined {
  return state.view.members.find((m) => m.account === account)?.key;
}
