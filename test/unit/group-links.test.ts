// The cap on open peer connections (shared/groups/link-cap.ts): idle links close first, least
// recently active first; needed and busy links are never closed to make room.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LINK_CAP, planLinks, type OpenLink } from '../../shared/groups/link-cap';

const link = (key: string, lastActivity: number, busy = false): OpenLink => ({ key, lastActivity, busy });

describe('link cap planner', () => {
  test('under the cap: open what is needed, close nothing', () => {
    assert.deepEqual(planLinks([link('a', 1)], ['a', 'b'], 3), { close: [], open: ['b'], wait: [] });
  });

  test('at the cap: the least recently active idle link closes to make room', () => {
    const open = [link('a', 30), link('b', 10), link('c', 20)];
    assert.deepEqual(planLinks(open, ['a', 'd', 'e'], 3), { close: ['b', 'c'], open: ['d', 'e'], wait: [] });
  });

  test('needed and busy links stay; what does not fit waits', () => {
    const open = [link('a', 1), link('b', 2, true)];
    assert.deepEqual(planLinks(open, ['a', 'c'], 2), { close: [], open: [], wait: ['c'] });
  });

  test('over the cap (lowered): idle ones close down to it', () => {
    const open = Array.from({ length: DEFAULT_LINK_CAP + 3 }, (_, i) => link(`l${i}`, i));
    const plan = planLinks(open, [], DEFAULT_LINK_CAP);
    assert.deepEqual(plan.close, ['l0', 'l1', 'l2']);
    assert.equal(DEFAULT_LINK_CAP, 24);
  });

  test('a 32-member group: never more than the cap open', () => {
    const open = Array.from({ length: 24 }, (_, i) => link(`m${i}`, i));
    const needed = Array.from({ length: 31 }, (_, i) => `m${i}`);
    const plan = planLinks(open, needed);
    assert.equal(open.length - plan.close.length + plan.open.length, 24);
    assert.equal(plan.wait.length, 7);
  });
});
