/**
 * The convergence rule: how a set of signed changes becomes one group state, identically on
 * every device whatever order the changes arrived in. Pure; signatures are checked before a
 * change enters the set (shared/groups/group-state.ts), this module only orders and applies.
 *
 * The changes form a graph: each names as parents the heads its author's log ended in. The
 * state is a fold over a deterministic topological order of that graph:
 *  1. Order: parents before children. Among changes that are ready at the same point (concurrent
 *     ones), the one whose author is most senior in the state folded so far goes first: admins in
 *     the order they became admin (the creator first), then other members in join order; ties
 *     (one author) by change id. Seniority, not ids, decides, so nobody can win a conflict by
 *     grinding ids.
 *  2. Each change is checked against the state at its place in that order (not its author's
 *     view): the author must be a member whose pinned key signed it, and an admin for everything
 *     but `leave`. A change that fails is refused and has no effect (it stays in the set, so the
 *     set stays the same everywhere).
 *  3. Removal wins: a change whose author was removed (or left) by an accepted change that is
 *     concurrent with it (neither is an ancestor of the other) is revoked, even if the order put
 *     it first; the fold then runs again without it. A removed member therefore cannot act by
 *     naming old parents ("backdating"), and two admins removing each other at the same time
 *     end with the more senior one staying (their removal goes first; the other's is refused
 *     because its author is no longer a member).
 *  4. If the last admin leaves, the remaining member who joined first becomes admin.
 */
import { compareStrings, GROUP_LIMITS } from './limits';
import { exitedAccount, type GroupChange, type GroupMember, type SignedGroupChange } from './group-change';

/** A change in a group's set: verified signature, parsed text, its id and the key that signed it. */
export interface StoredChange {
  id: string;
  signed: SignedGroupChange;
  change: GroupChange;
  /** The account key (base64url) its signature verified with. */
  signerKey: string;
}

/** What the group is at one point of the fold. */
export interface GroupView {
  id: string;
  name: string;
  /** In join order (the creation's order first). */
  members: GroupMember[];
  /** Accounts, in the order they became admin (creator first): the seniority order. */
  admins: string[];
}

export type ChangeRefusal =
  /** The author is not a member at the change's place in the order. */
  | 'GROUP_CHANGE_NOT_MEMBER'
  /** An admin-only change by a member who is not an admin there. */
  | 'GROUP_CHANGE_NOT_ADMIN'
  /** Signed by a key other than the one pinned for the author there. */
  | 'GROUP_CHANGE_KEY'
  /** Its author was removed (or left) by a concurrent change: removal wins. */
  | 'GROUP_CHANGE_REVOKED'
  /** Nothing to do: add of a member, remove/promote of a non-member, promote of an admin, remove of oneself. */
  | 'GROUP_CHANGE_NO_EFFECT'
  /** An add beyond GROUP_LIMITS.maxMembers. */
  | 'GROUP_CHANGE_TOO_MANY_MEMBERS';

export interface ChangeVerdict {
  id: string;
  accepted: boolean;
  code?: ChangeRefusal;
}

export interface FoldResult {
  view: GroupView;
  /** Every change of the set, in fold order, with its verdict. */
  order: ChangeVerdict[];
}

export type GroupStep = { ok: true; view: GroupView } | { ok: false; code: ChangeRefusal };

function memberKey(view: GroupView, account: string): string | undefined {
  return view.members.find((m) => m.account === account)?.key;
}

/** Without `account`; if no admin is left, the first remaining member becomes one. */
function withoutMember(view: GroupView, account: string): GroupView {
  const members = view.members.filter((m) => m.account !== account);
  let admins = view.admins.filter((a) => a !== account);
  if (admins.length === 0 && members.length > 0) admins = [members[0]!.account];
  return { ...view, members, admins };
}

/** The view of a creation (no checks beyond the shape, done when it was parsed). */
export function genesisView(c: GroupChange): GroupView {
  if (c.op.type !== 'create') throw new RangeError('not a create');
  return { id: c.group, name: c.op.name, members: c.op.members.map((m) => ({ ...m })), admins: [c.author] };
}

/** One change on one view: the checks of rule 2, then its effect ({@link applyOp}). */
export function stepView(view: GroupView, s: StoredChange): GroupStep {
  const c = s.change;
  const key = memberKey(view, c.author);
  if (key === undefined) return { ok: false, code: 'GROUP_CHANGE_NOT_MEMBER' };
  if (key !== s.signerKey) return { ok: false, code: 'GROUP_CHANGE_KEY' };
  if (c.op.type !== 'leave' && !view.admins.includes(c.author)) return { ok: false, code: 'GROUP_CHANGE_NOT_ADMIN' };
  return applyOp(view, c);
}

/**
 * The effect of a change on a view, without checking its author (used to replay changes the
 * fold already accepted, e.g. for the state at a message's position).
 */
export function applyOp(view: GroupView, c: GroupChange): GroupStep {
  const op = c.op;
  switch (op.type) {
    case 'leave':
      if (memberKey(view, c.author) === undefined) return { ok: false, code: 'GROUP_CHANGE_NO_EFFECT' };
      return { ok: true, view: withoutMember(view, c.author) };
    case 'create':
      return { ok: false, code: 'GROUP_CHANGE_NO_EFFECT' };
    case 'add':
      if (memberKey(view, op.member.account) !== undefined) return { ok: false, code: 'GROUP_CHANGE_NO_EFFECT' };
      if (view.members.length >= GROUP_LIMITS.maxMembers) return { ok: false, code: 'GROUP_CHANGE_TOO_MANY_MEMBERS' };
      return { ok: true, view: { ...view, members: [...view.members, { ...op.member }] } };
    case 'remove':
      if (op.account === c.author || memberKey(view, op.account) === undefined) return { ok: false, code: 'GROUP_CHANGE_NO_EFFECT' };
      return { ok: true, view: withoutMember(view, op.account) };
    case 'promote':
      if (memberKey(view, op.account) === undefined || view.admins.includes(op.account)) return { ok: false, code: 'GROUP_CHANGE_NO_EFFECT' };
      return { ok: true, view: { ...view, admins: [...view.admins, op.account] } };
    case 'rename':
      if (op.name === view.name) return { ok: false, code: 'GROUP_CHANGE_NO_EFFECT' };
      return { ok: true, view: { ...view, name: op.name } };
  }
}

/** Seniority of an account in a view: smaller goes first (rule 1). */
function rank(view: GroupView, account: string): number {
  const a = view.admins.indexOf(account);
  if (a >= 0) return a;
  const m = view.members.findIndex((x) => x.account === account);
  return m >= 0 ? GROUP_LIMITS.maxMembers + m : 4 * GROUP_LIMITS.maxMembers;
}

/** The ids at or before `cut` (the cut's ids and all their ancestors); null if one is not in `changes`. */
export function closureIn(changes: ReadonlyMap<string, StoredChange>, cut: readonly string[]): Set<string> | null {
  const out = new Set<string>();
  const stack = [...cut];
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    const s = changes.get(id);
    if (!s) return null;
    out.add(id);
    stack.push(...s.change.parents);
  }
  return out;
}

/** Every ancestor id of every change (parents, their parents, ...), known ones only. */
export function ancestorSets(changes: ReadonlyMap<string, StoredChange>): Map<string, Set<string>> {
  const memo = new Map<string, Set<string>>();
  const visit = (start: string): Set<string> => {
    // Iterative post-order, so a long chain cannot overflow the stack.
    const stack: string[] = [start];
    while (stack.length) {
      const id = stack[stack.length - 1]!;
      if (memo.has(id)) {
        stack.pop();
        continue;
      }
      const parents = changes.get(id)?.change.parents ?? [];
      const pending = parents.filter((p) => changes.has(p) && !memo.has(p));
      if (pending.length) {
        stack.push(...pending);
        continue;
      }
      const set = new Set<string>();
      for (const p of parents) {
        if (!changes.has(p)) continue;
        set.add(p);
        for (const x of memo.get(p)!) set.add(x);
      }
      memo.set(id, set);
      stack.pop();
    }
    return memo.get(start)!;
  };
  for (const id of changes.keys()) visit(id);
  return memo;
}

function foldOnce(changes: ReadonlyMap<string, StoredChange>, genesis: StoredChange, revoked: ReadonlySet<string>): FoldResult {
  let view = genesisView(genesis.change);
  const order: ChangeVerdict[] = [{ id: genesis.id, accepted: true }];
  const waiting = new Map<string, number>();
  const children = new Map<string, string[]>();
  const ready: string[] = [];
  for (const [id, s] of changes) {
    if (id === genesis.id) continue;
    const parents = s.change.parents.filter((p) => changes.has(p));
    waiting.set(id, parents.length);
    for (const p of parents) children.set(p, [...(children.get(p) ?? []), id]);
  }
  const release = (id: string) => {
    for (const ch of children.get(id) ?? []) {
      const left = waiting.get(ch)! - 1;
      waiting.set(ch, left);
      if (left === 0) ready.push(ch);
    }
  };
  release(genesis.id);
  while (ready.length) {
    let best = 0;
    for (let i = 1; i < ready.length; i++) {
      const a = changes.get(ready[i]!)!;
      const b = changes.get(ready[best]!)!;
      const d = rank(view, a.change.author) - rank(view, b.change.author);
      if (d < 0 || (d === 0 && compareStrings(a.id, b.id) < 0)) best = i;
    }
    const id = ready.splice(best, 1)[0]!;
    const s = changes.get(id)!;
    if (revoked.has(id)) order.push({ id, accepted: false, code: 'GROUP_CHANGE_REVOKED' });
    else {
      const step = stepView(view, s);
      if (step.ok) {
        view = step.view;
        order.push({ id, accepted: true });
      } else order.push({ id, accepted: false, code: step.code });
    }
    release(id);
  }
  return { view, order };
}

/**
 * The state of a change set: the fold of rules 1-4. `changes` must hold `genesisId` (the
 * group's `create`); a change whose ancestors are not all in the set never becomes ready and is
 * left out of `order` (group-state.ts keeps such changes out of the set in the first place).
 */
export function foldGroupLog(changes: ReadonlyMap<string, StoredChange>, genesisId: string): FoldResult {
  const genesis = changes.get(genesisId);
  if (!genesis) throw new RangeError('fold: genesis missing');
  const ancestors = ancestorSets(changes);
  const revoked = new Set<string>();
  for (;;) {
    const result = foldOnce(changes, genesis, revoked);
    const accepted = result.order.filter((x) => x.accepted).map((x) => changes.get(x.id)!);
    const exits = accepted.filter((s) => exitedAccount(s.change) !== null);
    let grew = false;
    for (const s of accepted) {
      if (s.id === genesis.id) continue;
      const concurrentExit = exits.some(
        (e) =>
          e.id !== s.id &&
          exitedAccount(e.change) === s.change.author &&
          !ancestors.get(e.id)!.has(s.id) &&
          !ancestors.get(s.id)!.has(e.id),
      );
      if (concurrentExit) {
        revoked.add(s.id);
        grew = true;
      }
    }
    if (!grew) return result;
  }
}
