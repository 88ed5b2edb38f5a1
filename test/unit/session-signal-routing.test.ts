// Where a relayed signal goes (shared/session/signal-routing.ts), glare rule included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routeSignal, type LinkSummary } from '../../shared/session/signal-routing';

const ours: LinkSummary = { cid: 'c1', initiator: true, connecting: true };

test('a signal of the current attempt goes to its link, offer or not', () => {
  assert.equal(routeSignal(ours, { cid: 'c1', isOffer: false }, 'alice', 'bob'), 'to-link');
  assert.equal(routeSignal(ours, { cid: 'c1', isOffer: true }, 'alice', 'bob'), 'to-link');
});

test('trickle of another attempt is dropped', () => {
  assert.equal(routeSignal(ours, { cid: 'c2', isOffer: false }, 'alice', 'bob'), 'drop');
  assert.equal(routeSignal(undefined, { cid: 'c2', isOffer: false }, 'alice', 'bob'), 'drop');
});

test('glare: the smaller username key keeps its offer, the other answers', () => {
  assert.equal(routeSignal(ours, { cid: 'c2', isOffer: true }, 'alice', 'bob'), 'drop');
  assert.equal(routeSignal(ours, { cid: 'c2', isOffer: true }, 'bob', 'alice'), 'answer');
});

test('a new offer is answered when we are not dialling ourselves', () => {
  assert.equal(routeSignal(undefined, { cid: 'c2', isOffer: true }, 'alice', 'bob'), 'answer');
  assert.equal(routeSignal({ ...ours, connecting: false }, { cid: 'c2', isOffer: true }, 'alice', 'bob'), 'answer', 'the peer reloaded');
  assert.equal(routeSignal({ ...ours, initiator: false }, { cid: 'c2', isOffer: true }, 'alice', 'bob'), 'answer');
});
