// What the conversation's live region says (web/src/a11y/announce.ts): news only, at quarters.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { milestoneIsNews, newIncoming, transferMilestone } from '../../web/src/a11y/announce';

describe('transfer milestones', () => {
  test('start, each quarter, done; nothing for unknown progress or the ends the card says itself', () => {
    assert.equal(transferMilestone('running', 0, true), 'start');
    assert.equal(transferMilestone('running', 0.249, true), 'start');
    assert.equal(transferMilestone('running', 0.25, true), 25);
    assert.equal(transferMilestone('running', 0.6, true), 50);
    assert.equal(transferMilestone('running', 0.99, true), 75);
    assert.equal(transferMilestone('running', 1, true), 75);
    assert.equal(transferMilestone('done', 1, true), 'done');
    assert.equal(transferMilestone('running', 0.5, false), null);
    for (const s of ['offered', 'failed', 'cancelled', 'declined']) assert.equal(transferMilestone(s, 0.5, true), null);
  });

  test('every percent of a transfer says at most five things', () => {
    let prev: ReturnType<typeof transferMilestone> | undefined = transferMilestone('offered', 0, true);
    const said: unknown[] = [];
    for (let pct = 0; pct <= 100; pct++) {
      const next = transferMilestone('running', pct / 100, true);
      if (milestoneIsNews(prev, next)) said.push(next);
      prev = next;
    }
    const done = transferMilestone('done', 1, true);
    if (milestoneIsNews(prev, done)) said.push(done);
    assert.deepEqual(said, ['start', 25, 50, 75, 'done']);
  });

  test('first sight is not news (a card drawn as the conversation opens)', () => {
    assert.equal(milestoneIsNews(undefined, 'done'), false);
    assert.equal(milestoneIsNews(50, 50), false);
    assert.equal(milestoneIsNews(50, null), false);
  });
});

describe('new incoming message', () => {
  const m = (id: string, outgoing = false, kind?: string) => ({ id, outgoing, kind });

  test('nothing when the conversation first renders its history', () => {
    assert.equal(newIncoming(null, [m('a'), m('b')]), null);
  });

  test('the newest incoming message, once', () => {
    const list = [m('a'), m('b', true), m('c')];
    assert.equal(newIncoming(new Set(['a', 'b']), list)?.id, 'c');
    assert.equal(newIncoming(new Set(['a', 'b', 'c']), list), null);
  });

  test('not my own messages, system lines, or older messages loaded above', () => {
    assert.equal(newIncoming(new Set(['a']), [m('a'), m('b', true)]), null);
    assert.equal(newIncoming(new Set(['a']), [m('a'), m('n', false, 'device-added')]), null);
    assert.equal(newIncoming(new Set(['c']), [m('old1'), m('old2'), m('c')]), null);
  });
});
