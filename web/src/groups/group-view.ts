/**
 * What the screens draw of a group (groups-contract.ts), computed from its folded state (pure).
 */
import type { GroupState } from '../../../shared/groups/group-state';
import { changeLines, selfStatus } from '../../../shared/groups/group-position';
import { groupConv, type GroupLine, type GroupStanding, type GroupView } from './groups-contract';

/** Where `me` (usernameKey) stands in the group. */
export function standingOf(state: GroupState, me: string): GroupStanding {
  const s = selfStatus(state, me);
  if (s.status === 'member') return { kind: 'member', admin: state.view.admins.includes(me) };
  if (s.status === 'removed') return { kind: 'removed', by: s.by };
  // Never named by an accepted change: nothing here is for this account.
  return { kind: 'left' };
}

/** The lines of the group's accepted changes, in the order every device folds them. */
export function groupLines(state: GroupState): GroupLine[] {
  return changeLines(state).map((l): GroupLine => {
    const base = { id: l.id, ts: l.ts, by: l.author };
    switch (l.op.type) {
      case 'create':
        return { ...base, kind: 'created', name: l.op.name };
      case 'add':
        return { ...base, kind: 'added', who: l.op.member.account };
      case 'remove':
        return { ...base, kind: 'removed', who: l.op.account };
      case 'promote':
        return { ...base, kind: 'promoted', who: l.op.account };
      case 'rename':
        return { ...base, kind: 'renamed', name: l.op.name };
      case 'leave':
        return { ...base, kind: 'left' };
    }
  });
}

/** The screens' view of a group: admins first (in seniority), then members in join order. */
export function groupView(state: GroupState, me: string): GroupView {
  const admins = state.view.admins;
  const members = [...state.view.members]
    .sort((a, b) => {
      const ra = admins.indexOf(a.account);
      const rb = admins.indexOf(b.account);
      if (ra >= 0 || rb >= 0) return (ra < 0 ? Infinity : ra) - (rb < 0 ? Infinity : rb);
      return 0; // Stable: join order.
    })
    .map((m) => ({ username: m.account, key: m.account, admin: admins.includes(m.account) }));
  return { id: state.id, conv: groupConv(state.id), name: state.view.name, members, me: standingOf(state, me), lines: groupLines(state) };
}
