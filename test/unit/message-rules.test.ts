// Edit, recall and reactions (shared/messaging/message-rules.ts, reactions.ts): only the author
// edits or recalls, as the session's identity; time windows on an injected clock; recall leaves
// no text behind; a recall that arrives first suppresses the late original.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EVERYDAY_LIMITS, type EditFrame, type RecallFrame } from '../../shared/messaging/everyday-messages';
import type { EverydayRecord, RuleContext } from '../../shared/messaging/message-record';
import {
  admitIncoming,
  applyEdit,
  applyRecall,
  canEditOwn,
  canRecallOwn,
  pruneTombstones,
  TOMBSTONE_LIMITS,
  resolveQuote,
  scrubQuote,
  type RecallTombstone,
} from '../../shared/messaging/message-rules';
import { applyReaction, reactionSummary, toggleReaction } from '../../shared/messaging/reactions';

const ID = '0123456789abcdef0123456789abcdef';
const ID2 = 'fedcba9876543210fedcba9876543210';
const T = 1_700_000_000_000;
const MIN = 60_000;

interface Stored extends EverydayRecord {
  from: string;
  state: string;
  seq?: number;
}

/** A message bob wrote to alice, as stored on alice's device. */
function fromBob(over: Partial<Stored> = {}): Stored {
  return { id: ID, conv: 'bob', from: 'Bob', outgoing: false, text: 'meet at 5', ts: T, state: 'received', seq: 7, ...over };
}
/** Alice's device receiving from bob's session. */
const bobSays = (now: number): RuleContext => ({ self: 'alice', actor: 'bob', conv: 'bob', now });
const edit = (ts: number, text = 'meet at 6'): EditFrame => ({ type: 'edit', id: ID, text, ts });
const recall = (ts: number): RecallFrame => ({ type: 'recall', id: ID, ts });

describe('edit', () => {
  test('the author edits within 15 minutes: new text, marked edited with the edit time, other fields kept', () => {
    const r = applyEdit(fromBob(), edit(T + 14 * MIN), bobSays(T + 14 * MIN));
    assert.ok(r.ok);
    assert.equal(r.record.text, 'meet at 6');
    assert.equal(r.record.editedAt, T + 14 * MIN);
    assert.equal(r.record.seq, 7);
    assert.equal(r.record.ts, T, 'the original time stays');
  });

  test('after the window the edit is refused, even if it arrives within it', () => {
    const r = applyEdit(fromBob(), edit(T + EVERYDAY_LIMITS.editWindowMs + 1), bobSays(T + EVERYDAY_LIMITS.editWindowMs + 1));
    assert.deepEqual(r, { ok: false, reason: 'too-late' });
  });

  test('an edit made in time but delivered late (queued offline) still applies', () => {
    assert.ok(applyEdit(fromBob(), edit(T + 10 * MIN), bobSays(T + 3 * 60 * MIN)).ok);
  });

  test('a contact cannot edit my message, nor a message of another conversation', () => {
    const mine = fromBob({ outgoing: true, from: 'Alice' });
    assert.deepEqual(applyEdit(mine, edit(T + MIN), bobSays(T + MIN)), { ok: false, reason: 'not-author' });
    const carols = fromBob({ conv: 'carol' });
    assert.deepEqual(applyEdit(carols, edit(T + MIN), bobSays(T + MIN)), { ok: false, reason: 'wrong-conversation' });
  });

  test('times before the original or far in the future, stale edits, files and recalled messages are refused', () => {
    assert.deepEqual(applyEdit(fromBob(), edit(T - 1), bobSays(T)), { ok: false, reason: 'bad-time' });
    assert.deepEqual(applyEdit(fromBob(), edit(T + 10 * MIN), bobSays(T)), { ok: false, reason: 'bad-time' });
    assert.deepEqual(applyEdit(fromBob({ editedAt: T + 5 * MIN }), edit(T + 4 * MIN), bobSays(T + 6 * MIN)), { ok: false, reason: 'stale' });
    assert.deepEqual(applyEdit(fromBob({ fileId: ID }), edit(T + MIN), bobSays(T + MIN)), { ok: false, reason: 'not-text' });
    assert.deepEqual(applyEdit(fromBob({ recalledAt: T + MIN, text: '' }), edit(T + 2 * MIN), bobSays(T + 2 * MIN)), { ok: false, reason: 'recalled' });
    assert.deepEqual(applyEdit(undefined, edit(T + MIN), bobSays(T + MIN)), { ok: false, reason: 'unknown' });
  });

  test('canEditOwn follows the same window on my own messages only', () => {
    const mine = fromBob({ outgoing: true });
    assert.equal(canEditOwn(mine, 'alice', T + 15 * MIN), true);
    assert.equal(canEditOwn(mine, 'alice', T + 15 * MIN + 1), false);
    assert.equal(canEditOwn(fromBob(), 'alice', T + MIN), false);
    assert.ok(applyEdit(mine, edit(T + MIN), { self: 'alice', actor: 'alice', conv: 'bob', now: T + MIN }).ok);
  });
});

describe('recall (delete for everyone)', () => {
  test('the author recalls within 24 hours: the record to write has no text, quote, edit or reactions', () => {
    const rec = fromBob({ reply: { id: ID2, author: 'Alice', excerpt: 'when?' }, editedAt: T + MIN, reactions: { alice: { emoji: '👍', ts: T } } });
    const r = applyRecall(rec, recall(T + 23 * 60 * MIN), bobSays(T + 23 * 60 * MIN));
    assert.ok(r.ok && 'record' in r);
    assert.equal(r.record.text, '');
    assert.equal(r.record.recalledAt, T + 23 * 60 * MIN);
    assert.equal(r.record.reply, undefined);
    assert.equal(r.record.editedAt, undefined);
    assert.equal(r.record.reactions, undefined);
    assert.ok(!JSON.stringify(r.record).includes('meet at 5'), 'the text is gone from what is stored');
    assert.ok(!JSON.stringify(r.record).includes('when?'), 'the quote is gone too');
    assert.equal(r.record.seq, 7);
  });

  test('after 24 hours, or by someone else, it is refused', () => {
    assert.deepEqual(applyRecall(fromBob(), recall(T + EVERYDAY_LIMITS.recallWindowMs + 1), bobSays(T + EVERYDAY_LIMITS.recallWindowMs + 1)), {
      ok: false,
      reason: 'too-late',
    });
    const mine = fromBob({ outgoing: true });
    assert.deepEqual(applyRecall(mine, recall(T + MIN), bobSays(T + MIN)), { ok: false, reason: 'not-author' });
    assert.deepEqual(applyRecall(fromBob({ conv: 'carol' }), recall(T + MIN), bobSays(T + MIN)), { ok: false, reason: 'wrong-conversation' });
  });

  test('my own recall uses the same rule; a repeated recall is harmless', () => {
    const mine = fromBob({ outgoing: true });
    assert.equal(canRecallOwn(mine, 'alice', T + 24 * 60 * MIN), true);
    assert.equal(canRecallOwn(mine, 'alice', T + 24 * 60 * MIN + 1), false);
    const first = applyRecall(fromBob(), recall(T + MIN), bobSays(T + MIN));
    assert.ok(first.ok && 'record' in first);
    const again = applyRecall(first.record, recall(T + MIN), bobSays(T + 2 * MIN));
    assert.ok(again.ok && 'record' in again);
    assert.deepEqual(again.record, first.record);
  });

  test('a recall of an unknown message is remembered; the late original is stored recalled', () => {
    const r = applyRecall<Stored>(undefined, recall(T + MIN), bobSays(T + MIN));
    assert.ok(r.ok && 'tombstone' in r);
    const tomb: RecallTombstone = r.tombstone;
    assert.deepEqual(tomb, { id: ID, conv: 'bob', author: 'bob', recalledAt: T + MIN });
    const stored = admitIncoming(fromBob(), tomb, 'alice');
    assert.equal(stored.text, '');
    assert.equal(stored.recalledAt, T + MIN);
  });

  test('a tombstone from someone else, another conversation or outside the window suppresses nothing', () => {
    const tomb: RecallTombstone = { id: ID, conv: 'bob', author: 'bob', recalledAt: T + MIN };
    assert.equal(admitIncoming(fromBob({ conv: 'carol' }), { ...tomb, conv: 'carol', author: 'mallory' }, 'alice').text, 'meet at 5');
    assert.equal(admitIncoming(fromBob(), { ...tomb, conv: 'carol' }, 'alice').text, 'meet at 5');
    assert.equal(admitIncoming(fromBob({ outgoing: true }), tomb, 'alice').text, 'meet at 5', 'bob cannot pre-recall my message');
    assert.equal(admitIncoming(fromBob(), { ...tomb, recalledAt: T + EVERYDAY_LIMITS.recallWindowMs + 1 }, 'alice').text, 'meet at 5');
    assert.equal(admitIncoming(fromBob(), undefined, 'alice').text, 'meet at 5');
  });

  test('tombstones are capped per conversation and expire', () => {
    const many: RecallTombstone[] = Array.from({ length: TOMBSTONE_LIMITS.maxPerConversation + 5 }, (_, i) => ({
      id: i.toString(16).padStart(32, '0'),
      conv: 'bob',
      author: 'bob',
      recalledAt: T + i,
    }));
    const kept = pruneTombstones(many, T + 10_000);
    assert.equal(kept.length, TOMBSTONE_LIMITS.maxPerConversation);
    assert.equal(kept[0]?.recalledAt, T + TOMBSTONE_LIMITS.maxPerConversation + 4, 'newest first');
    assert.deepEqual(pruneTombstones(many.slice(0, 1), T + TOMBSTONE_LIMITS.keepMs + 1), []);
  });

  test('replies quoting a recalled message lose the excerpt and show it deleted', () => {
    const reply = fromBob({ id: ID2, outgoing: true, text: 'ok', reply: { id: ID, author: 'Bob', excerpt: 'meet at 5' } });
    const scrubbed = scrubQuote(reply, ID);
    assert.ok(scrubbed);
    assert.equal(scrubbed.reply?.excerpt, '');
    assert.equal(scrubQuote(scrubbed, ID), null, 'nothing more to do');
    assert.equal(scrubQuote(reply, ID2), null, 'quotes something else');
    assert.deepEqual(resolveQuote(scrubbed as Stored & { reply: NonNullable<Stored['reply']> }, undefined, () => 'Bob'), { state: 'deleted', id: ID });
  });

  test('a quote shows this device’s own copy (not the sender’s excerpt), unless recalled or of another conversation', () => {
    const reply = { conv: 'bob', reply: { id: ID, author: 'Bob', excerpt: 'something I never said' } };
    assert.deepEqual(resolveQuote(reply, fromBob(), (r) => r.from), { state: 'shown', id: ID, author: 'Bob', excerpt: 'meet at 5', local: true });
    assert.deepEqual(resolveQuote(reply, fromBob({ recalledAt: T, text: '' }), () => 'Bob'), { state: 'deleted', id: ID });
    assert.equal((resolveQuote(reply, fromBob({ conv: 'carol' }), () => 'Carol') as { local: boolean }).local, false);
  });
});

describe('reactions', () => {
  test('a contact reacts as itself; one reaction per person; counts and who', () => {
    let rec = fromBob();
    const a = applyReaction(rec, { type: 'react', id: ID, emoji: '👍', on: true, ts: T + 1 }, bobSays(T + 1));
    assert.ok(a.ok);
    rec = a.record;
    const mine = toggleReaction(rec, '👍', 'alice', T + 2);
    assert.deepEqual(mine, { type: 'react', id: ID, emoji: '👍', on: true, ts: T + 2 });
    const b = applyReaction(rec, mine, { self: 'alice', actor: 'alice', conv: 'bob', now: T + 2 });
    assert.ok(b.ok);
    rec = b.record;
    assert.deepEqual(reactionSummary(rec, 'alice'), [{ emoji: '👍', count: 2, reactors: ['alice', 'bob'], mine: true }]);
    const c = applyReaction(rec, { type: 'react', id: ID, emoji: '😂', on: true, ts: T + 3 }, bobSays(T + 3));
    assert.ok(c.ok);
    assert.deepEqual(
      reactionSummary(c.record, 'alice').map((x) => [x.emoji, x.count]),
      [
        ['👍', 1],
        ['😂', 1],
      ],
      'bob’s new reaction replaced his old one',
    );
  });

  test('pressing my reaction again clears it; clearing leaves no empty map', () => {
    const rec = fromBob({ reactions: { alice: { emoji: '❤️', ts: T } } });
    const frame = toggleReaction(rec, '❤️', 'alice', T + 5);
    assert.equal(frame.on, false);
    const r = applyReaction(rec, frame, { self: 'alice', actor: 'alice', conv: 'bob', now: T + 5 });
    assert.ok(r.ok);
    assert.equal(r.record.reactions, undefined);
    assert.deepEqual(reactionSummary(r.record, 'alice'), []);
  });

  test('nobody reacts for someone else, outside the conversation, to a recalled message, or with an old frame', () => {
    const rec = fromBob({ reactions: { bob: { emoji: '👍', ts: T + 10 } } });
    assert.deepEqual(applyReaction(rec, { type: 'react', id: ID, emoji: '😢', on: true, ts: T + 5 }, bobSays(T + 20)), { ok: false, reason: 'stale' });
    const mallory: RuleContext = { self: 'alice', actor: 'mallory', conv: 'mallory', now: T };
    assert.deepEqual(applyReaction(rec, { type: 'react', id: ID, emoji: '😢', on: true, ts: T }, mallory), { ok: false, reason: 'wrong-conversation' });
    assert.deepEqual(applyReaction(fromBob({ recalledAt: T, text: '' }), { type: 'react', id: ID, emoji: '😢', on: true, ts: T + 1 }, bobSays(T + 1)), {
      ok: false,
      reason: 'recalled',
    });
    // Clearing an emoji bob no longer has changes nothing (his current one stays).
    const r = applyReaction(rec, { type: 'react', id: ID, emoji: '😢', on: false, ts: T + 11 }, bobSays(T + 11));
    assert.ok(r.ok);
    assert.deepEqual(r.record.reactions, { bob: { emoji: '👍', ts: T + 10 } });
  });
});
