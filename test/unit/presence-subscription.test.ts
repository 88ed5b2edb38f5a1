import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LIMITS } from '../../shared/limits';
import { INITIAL_PRESENCE_SUBSCRIPTION, presenceSubscriptionList, stepPresenceSubscription } from '../../shared/presence-subscription';

const none = { has: () => false };

describe('presenceSubscriptionList', () => {
  test('the open conversation first, then the list newest first, then requests; no self, no blocked, no repeats', () => {
    const list = presenceSubscriptionList({
      me: 'me',
      active: 'Zed',
      conversations: [
        { conv: 'old', lastTs: 1 },
        { conv: 'new', lastTs: 9 },
        { conv: 'me', lastTs: 5 },
        { conv: 'zed', lastTs: 3 },
        { conv: 'bad', lastTs: 8 },
      ],
      requests: ['stranger', 'new'],
      blocked: new Set(['bad']),
    });
    assert.deepEqual(list, ['zed', 'new', 'old', 'stranger']);
  });

  test('group conversations are no names; members of my groups are followed after the rest', () => {
    const list = presenceSubscriptionList({
      me: 'me',
      active: 'group:0a1b2c',
      conversations: [
        { conv: 'group:0a1b2c', lastTs: 9 },
        { conv: 'bob', lastTs: 5 },
      ],
      requests: [],
      blocked: new Set(['mallory']),
      groupPeers: ['me', 'carol', 'bob', 'mallory', 'dave'],
    });
    assert.deepEqual(list, ['bob', 'carol', 'dave']);
  });

  test('capped at the server limit, keeping the newest', () => {
    const conversations = Array.from({ length: LIMITS.maxPresenceSubscriptions + 50 }, (_, i) => ({ conv: `user${i}`, lastTs: i }));
    const list = presenceSubscriptionList({ me: null, active: 'user0', conversations, requests: [], blocked: none });
    assert.equal(list.length, LIMITS.maxPresenceSubscriptions);
    assert.equal(list[0], 'user0');
    assert.equal(list[1], `user${LIMITS.maxPresenceSubscriptions + 49}`);
  });
});

describe('stepPresenceSubscription', () => {
  test('open mode (or a server that does not say): never sends', () => {
    let r = stepPresenceSubscription(INITIAL_PRESENCE_SUBSCRIPTION, { type: 'welcome', mode: undefined, list: ['a'] });
    assert.equal(r.send, null);
    r = stepPresenceSubscription(r.state, { type: 'welcome', mode: 'open', list: ['a'] });
    assert.equal(r.send, null);
    r = stepPresenceSubscription(r.state, { type: 'changed', list: ['a', 'b'] });
    assert.equal(r.send, null);
  });

  test('contacts mode: sends after every welcome (even the same or an empty list), and on changes only', () => {
    let r = stepPresenceSubscription(INITIAL_PRESENCE_SUBSCRIPTION, { type: 'welcome', mode: 'contacts', list: [] });
    assert.deepEqual(r.send, []);
    r = stepPresenceSubscription(r.state, { type: 'changed', list: [] });
    assert.equal(r.send, null);
    r = stepPresenceSubscription(r.state, { type: 'changed', list: ['a'] });
    assert.deepEqual(r.send, ['a']);
    r = stepPresenceSubscription(r.state, { type: 'changed', list: ['a'] });
    assert.equal(r.send, null, 'unchanged');
    r = stepPresenceSubscription(r.state, { type: 'welcome', mode: 'contacts', list: ['a'] });
    assert.deepEqual(r.send, ['a'], 'a reconnect: the server forgot it');
    r = stepPresenceSubscription(r.state, { type: 'logged-out' });
    assert.equal(r.send, null);
    r = stepPresenceSubscription(r.state, { type: 'changed', list: ['b'] });
    assert.equal(r.send, null, 'logged out: open until the next welcome says otherwise');
  });
});
