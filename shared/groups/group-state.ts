/**
 * A group's state on one device, and the one way it changes: {@link applyGroupChange} (or
 * {@link applyGroupChanges} for several). Pure (no I/O); the caller stores the signed changes
 * ({@link exportGroupLog}) and rebuilds the state from them with {@link groupFromLog}.
 *
 * A change enters the set when it is well-formed and canonical, names this group, is not there
 * already (a replay is refused as a duplicate and changes nothing), has all its parents in the
 * set, and its signature verifies with a key that an `add` (or the creation) among its own
 * ancestors pinned for its author. The state is then the fold of the set
 * (shared/groups/group-fold.ts: the convergence rule). Whether a change enters depends only on
 * the change and its ancestors, never on what else arrived first, so every device ends with the
 * same set and folds it to the same state. That is why a change the fold refuses (a non-admin's,
 * a revoked one, ...) is still kept, and why its author need not be a member NOW (two admins
 * removing each other at once: whichever removal arrives first, the other must still enter).
 * Someone the log never pinned a key for cannot get anything in.
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
import { closureIn, foldGroupLog, type ChangeRefusal, type ChangeVerdict, type GroupView, type StoredChange } from './group-fold';

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
  /** No key pinned for the author by the change's own ancestors verifies the signature. */
  | 'GROUP_CHANGE_SIGNATURE'
  /** Some parents are not in the set yet: keep it, fetch `missing`, apply it again. */
  | 'GROUP_CHANGE_MISSING_PARENTS'
  /** The set already holds GROUP_LIMITS.maxChanges changes. */
  | 'GROUP_CHANGE_LOG_FULL';

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

/**
 * Every key the log pinned for `account` (its adds and the creation), oldest first; only among
 * the ids in `within` when given (a change's ancestors).
 */
export function pinnedKeysOf(changes: ReadonlyMap<string, StoredChange>, account: string, within?: ReadonlySet<string>): string[] {
  const keys: string[] = [];
  for (const s of changes.values()) {
    if (within && !within.has(s.id)) continue;
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

type Entry = { ok: true; stored: StoredChange } | { ok: false; code: GroupChangeRefusal; id?: string; missing?: string[] };

/** The entry conditions of the module comment, against the set `changes`; never throws. */
function enter(groupId: string, changes: ReadonlyMap<string, StoredChange>, signed: unknown): Entry {
  const shape = parseSignedGroupChange(signed);
  const change = shape ? parseGroupChangeText(shape.change) : null;
  if (!shape || !change || change.op.type === 'create') return { ok: false, code: 'GROUP_CHANGE_BAD' };
  if (change.group !== groupId) return { ok: false, code: 'GROUP_CHANGE_WRONG_GROUP' };
  const id = groupChangeId(shape.change);
  if (changes.has(id)) return { ok: false, code: 'GROUP_CHANGE_DUPLICATE', id };
  const missing = change.parents.filter((p) => !changes.has(p));
  if (missing.length) return { ok: false, code: 'GROUP_CHANGE_MISSING_PARENTS', id, missing };
  if (changes.size >= GROUP_LIMITS.maxChanges) return { ok: false, code: 'GROUP_CHANGE_LOG_FULL', id };
  const ancestors = closureIn(changes, change.parents) ?? new Set<string>();
  const signerKey = pinnedKeysOf(changes, change.author, ancestors).find((k) => groupChangeSignatureValid(shape, k));
  if (!signerKey) return { ok: false, code: 'GROUP_CHANGE_SIGNATURE', id };
  return { ok: true, stored: { id, signed: shape, change, signerKey } };
}

/**
 * Adds one signed change (from a peer, or made here with {@link makeGroupChange} and signed) and
 * refolds. Never throws on bad input. On success the change was accepted by the fold; every
 * refusal says why (see {@link GroupChangeRefusal}).
 */
export function applyGroupChange(state: GroupState, signed: unknown): GroupChangeResult {
  const e = enter(state.id, state.changes, signed);
  if (!e.ok) return { ...e, state };
  const changes = new Map(state.changes);
  changes.set(e.stored.id, e.stored);
  const next = build(state.id, state.genesisId, changes);
  const id = e.stored.id;
  const verdict = next.order.find((x) => x.id === id)!;
  return verdict.accepted ? { ok: true, id, state: next } : { ok: false, code: verdict.code!, id, state: next };
}

export interface GroupBatchResult {
  state: GroupState;
  /** Per input change, in input order: accepted, or why not. */
  results: { id?: string; ok: boolean; code?: GroupChangeRefusal }[];
  /** Parent ids still missing (ask a peer for them). */
  missing: string[];
}

/**
 * Applies several changes in any order (a `group-changes` frame, a stored log): children may
 * come before their parents. The set is folded once, at the end.
 */
export function applyGroupChanges(state: GroupState, list: readonly unknown[]): GroupBatchResult {
  const results: GroupBatchResult['results'] = list.map(() => ({ ok: false, code: 'GROUP_CHANGE_MISSING_PARENTS' as const }));
  const changes = new Map(state.changes);
  const entered: number[] = [];
  // Parse once; then try each change when its last parent from the batch has entered (so a log
  // in any order costs one pass, not one pass per generation).
  const parsed = list.map((raw) => parseGroupChangeText(parseSignedGroupChange(raw)?.change));
  const waitingOn = new Map<string, number[]>();
  const queue: number[] = list.map((_, i) => i);
  const tried = new Set<number>();
  while (queue.length) {
    const i = queue.shift()!;
    const e = enter(state.id, changes, list[i]);
    if (e.ok) {
      changes.set(e.stored.id, e.stored);
      results[i] = { id: e.stored.id, ok: true };
      entered.push(i);
      for (const j of waitingOn.get(e.stored.id) ?? []) if (!tried.has(j)) queue.push(j);
      waitingOn.delete(e.stored.id);
      continue;
    }
    results[i] = { id: e.id, ok: false, code: e.code };
    if (e.code === 'GROUP_CHANGE_MISSING_PARENTS') {
      // Wait for the first missing parent; tried again when it enters.
      const first = e.missing![0]!;
      waitingOn.set(first, [...(waitingOn.get(first) ?? []), i]);
    } else tried.add(i);
  }
  const next = entered.length ? build(state.id, state.genesisId, changes) : state;
  const verdicts = new Map(next.order.map((x) => [x.id, x]));
  for (const i of entered) {
    const v = verdicts.get(results[i]!.id!)!;
    if (!v.accepted) results[i] = { id: v.id, ok: false, code: v.code };
  }
  const missing = new Set<string>();
  parsed.forEach((c, i) => {
    if (results[i]!.code !== 'GROUP_CHANGE_MISSING_PARENTS') return;
    for (const p of c?.parents ?? []) if (!changes.has(p)) missing.add(p);
  });
  for (const r of results) if (r.code === 'GROUP_CHANGE_MISSING_PARENTS') missing.delete(r.id ?? '');
  return { state: next, results, missing: [...missing].sort(compareStrings) };
}

/**
 * Builds a state from signed changes in any order (a stored log, or the log sent to a joiner):
 * the first valid `create` in the list is the group. Null without one. For a group already known
 * here, apply what arrives to its state with {@link applyGroupChanges} instead (a second
 * `create` is then refused). A joiner checks that the log pins its own account key:
 * `memberKeyOf(state, me)`.
 */
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

/**
 * Creates a group: `me` (with its account key) and `others` as members, `me` as admin. `id`:
 * newGroupId(). Throws a RangeError for a blank or over-long name, or more than 32 members.
 */
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
