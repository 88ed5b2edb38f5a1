// The pure parts of the web group service: what the screens get of a group (web/src/groups/
// group-view.ts) and which links to open on demand within the cap (group-links.ts). Files to a
// group: test/unit/group-file.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../../shared/crypto/index';
import { applyGroupChange, createGroup, type GroupState } from '../../shared/groups/group-state';
import { groupView, standingOf } from '../../web/src/groups/group-view';
import { GroupLinks, IDLE_AFTER_MS } from '../../web/src/groups/group-links';
import { Store } from '../../web/src/state/store';
import type { PresenceState } from '../../web/src/state/contexts';
import type { PeerLink } from '../../web/src/net/peer-link';
import { GROUP_ID, T0, change, memberOf, person } from './support/group-fixtures';

await ready();

const [alice, bob, carol, dave] = [person(0), person(1), person(2), person(3)];

function base(): GroupState {
  return createGroup({ id: GROUP_ID, name: 'Climbing', me: 'alice', accountKey: alice.key, others: [memberOf(bob), memberOf(carol), memberOf(dave)], ts: T0 }).state;
}

function apply(s: GroupState, signed: Parameters<typeof applyGroupChange>[1]): GroupState {
  const r = applyGroupChange(s, signed);
  assert.equal(r.ok, true, r.ok ? '' : r.code);
  return r.state;
}

describe('group view for the screens', () => {
  test('admins first, then members in join order; lines for every accepted change', () => {
    let s = base();
    s = apply(s, change(s, alice, { type: 'promote', account: 'carol' }));
    s = apply(s, change(s, alice, { type: 'rename', name: 'Bouldering' }, T0 + 2000));
    const v = groupView(s, 'bob');
    assert.equal(v.name, 'Bouldering');
    assert.equal(v.conv, `group:${GROUP_ID}`);
    assert.deepEqual(v.members.map((m) => [m.key, m.admin]), [['alice', true], ['carol', true], ['bob', false], ['dave', false]]);
    assert.deepEqual(v.me, { kind: 'member', admin: false });
    assert.deepEqual(v.lines?.map((l) => [l.kind, l.by, l.who ?? l.name]), [['created', 'alice', 'Climbing'], ['promoted', 'alice', 'carol'], ['renamed', 'alice', 'Bouldering']]);
  });

  test('a removed member sees who removed them; one who left sees that', () => {
    let s = base();
    s = apply(s, change(s, alice, { type: 'remove', account: 'dave', last: [] }));
    s = apply(s, change(s, carol, { type: 'leave', last: [] }, T0 + 2000));
    assert.deepEqual(standingOf(s, 'dave'), { kind: 'removed', by: 'alice' });
    assert.deepEqual(standingOf(s, 'carol'), { kind: 'left' });
    assert.deepEqual(standingOf(s, 'alice'), { kind: 'member', admin: true });
    assert.deepEqual(groupView(s, 'dave').members.map((m) => m.key), ['alice', 'bob']);
    assert.deepEqual(groupView(s, 'alice').lines?.slice(1).map((l) => [l.kind, l.by, l.who]), [['removed', 'alice', 'dave'], ['left', 'carol', undefined]]);
  });
});

function fakeLink(key: string): PeerLink & { destroyed: boolean } {
  const l = { key, state: 'ready', destroyed: false, destroy() { l.destroyed = true; l.state = 'closed'; } };
  return l as unknown as PeerLink & { destroyed: boolean };
}

describe('group links on demand', () => {
  function setup(me = 'bob', cap = 2) {
    const presence = new Store<PresenceState>({ online: new Map(), devices: new Map() });
    const dialled: string[] = [];
    const clock = { now: 0 };
    const links = new GroupLinks({ me: () => me, peers: () => new Set(['alice', 'carol', 'dave']), presence: () => presence, dial: (c) => void dialled.push(c) }, cap, () => clock.now);
    return { presence, dialled, links, clock };
  }
  const online = (...names: string[]): PresenceState => ({ online: new Map(names.map((n) => [n, n])), devices: new Map(names.map((n) => [n, [`${n}-dev`]])) });

  test('a member coming online is dialled only by the side whose name sorts first', () => {
    const { presence, dialled, links } = setup('bob');
    links.start();
    presence.set(online('alice', 'carol', 'erin'));
    assert.deepEqual(dialled, ['carol'], 'not alice (she dials), not erin (no shared group)');
    presence.set(online('alice', 'carol', 'erin'));
    assert.deepEqual(dialled, ['carol'], 'once per coming online');
  });

  test('wanting an offline member dials nobody; past the cap the least recently active idle link closes', () => {
    const { presence, dialled, links, clock } = setup('zed', 2);
    links.want('alice');
    assert.deepEqual(dialled, []);
    presence.set(online('alice', 'carol', 'dave'));
    const a = fakeLink('alice/alice-dev');
    const c = fakeLink('carol/carol-dev');
    links.seen(a);
    clock.now = 1;
    links.seen(c);
    clock.now = 1 + IDLE_AFTER_MS;
    links.want('dave');
    assert.deepEqual(dialled, ['dave']);
    assert.equal(a.destroyed, true, 'the least recently active idle link closed');
    assert.equal(c.destroyed, false);
  });

  test('a link in use is not closed to make room', () => {
    const { presence, links, clock } = setup('zed', 2);
    presence.set(online('alice', 'carol', 'dave'));
    const a = fakeLink('alice/alice-dev');
    const c = fakeLink('carol/carol-dev');
    links.seen(a);
    links.seen(c);
    clock.now = IDLE_AFTER_MS - 1;
    links.want('dave');
    assert.equal(a.destroyed || c.destroyed, false);
  });
});
