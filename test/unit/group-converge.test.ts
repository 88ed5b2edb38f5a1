// Convergence fuzz for group state (shared/groups/group-fold.ts): several members change the
// group on their own devices while exchanging changes only now and then; afterwards every
// device, and fresh devices fed the same changes in random orders, fold to the same state.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../../shared/crypto/index';
import type { GroupOp, SignedGroupChange } from '../../shared/groups/group-change';
import { applyGroupChange, applyGroupChanges, createGroup, exportGroupLog, isGroupAdmin, isGroupMember, type GroupState } from '../../shared/groups/group-state';
import { prng } from './support/prng';
import { GROUP_ID, T0, change, memberOf, person, type Person } from './support/group-fixtures';

await ready();

const people = [0, 1, 2, 3, 4, 5].map(person);

function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A change `p` may make on its own view of the group (an honest client), or null. */
function randomOp(s: GroupState, p: Person, rand: () => number): GroupOp | null {
  if (!isGroupMember(s, p.account)) return null;
  const others = people.filter((x) => x !== p);
  const target = others[Math.floor(rand() * others.length)]!;
  const r = rand();
  if (!isGroupAdmin(s, p.account)) return r < 0.1 ? { type: 'leave', last: [] } : null;
  if (r < 0.25) return isGroupMember(s, target.account) ? null : { type: 'add', member: memberOf(target) };
  if (r < 0.45) return isGroupMember(s, target.account) ? { type: 'remove', account: target.account, last: [] } : null;
  if (r < 0.65) return isGroupMember(s, target.account) && !isGroupAdmin(s, target.account) ? { type: 'promote', account: target.account } : null;
  if (r < 0.95) return { type: 'rename', name: `name ${Math.floor(rand() * 1000)}` };
  return { type: 'leave', last: [] };
}

function run(seed: number): void {
  const rand = prng(seed);
  let base = createGroup({ id: GROUP_ID, name: 'G', me: 'alice', accountKey: people[0]!.key, others: people.slice(1, 4).map(memberOf), ts: T0 }).state;
  base = applyGroupChange(base, change(base, people[0]!, { type: 'promote', account: 'bob' })).state;
  base = applyGroupChange(base, change(base, people[0]!, { type: 'promote', account: 'carol' })).state;
  const devices = new Map(people.map((p) => [p.account, base]));
  const all: SignedGroupChange[] = [...exportGroupLog(base)];
  for (let step = 0; step < 30; step++) {
    const p = people[Math.floor(rand() * people.length)]!;
    if (rand() < 0.6) {
      const s = devices.get(p.account)!;
      const op = randomOp(s, p, rand);
      if (!op) continue;
      const signed = change(s, p, op, T0 + step);
      all.push(signed);
      devices.set(p.account, applyGroupChange(s, signed).state);
    } else {
      // p hands everything it holds to another device.
      const q = people[Math.floor(rand() * people.length)]!;
      devices.set(q.account, applyGroupChanges(devices.get(q.account)!, exportGroupLog(devices.get(p.account)!)).state);
    }
  }
  // Everyone gets everything, in its own random order.
  const finals = people.map((p) => applyGroupChanges(devices.get(p.account)!, shuffle(all, rand)).state);
  const fresh = [0, 1, 2].map(() => applyGroupChanges(base, shuffle(all, rand)).state);
  const oneByOne = shuffle(all, rand).reduce((s, c) => applyGroupChanges(s, [c]).state, base);
  for (const s of [...finals, ...fresh]) {
    assert.deepEqual(s.view, finals[0]!.view, `seed ${seed}`);
    assert.deepEqual(s.heads, finals[0]!.heads, `seed ${seed}`);
  }
  // One at a time, children may wait for parents that come later: give the rest once more.
  assert.deepEqual(applyGroupChanges(oneByOne, all).state.view, finals[0]!.view, `seed ${seed}`);
}

describe('group state: convergence under random concurrent changes', () => {
  test('40 random histories: every device and every arrival order folds to one state', () => {
    for (let seed = 1; seed <= 40; seed++) run(seed);
  });
});
