// Read receipts, typing and profiles (shared/messaging/receipts-typing.ts, profile.ts): switched
// off means neither sent nor shown; typing is rate-limited and times out on an injected clock;
// profiles keep the newest and check the avatar's hash.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ready } from '../../shared/crypto/index';
import type { EverydayRecord, RuleContext } from '../../shared/messaging/message-record';
import {
  TYPING_SENDER_IDLE,
  TYPING_TIMING,
  isReadBy,
  isTypingShown,
  readFrameFor,
  receiptPolicy,
  typingInput,
  typingReceived,
  typingStop,
  typingTick,
  type TypingSender,
} from '../../shared/messaging/receipts-typing';
import { acceptProfile, cleanDisplayName, profileFrame, shouldSendProfile } from '../../shared/messaging/profile';
import { EVERYDAY_LIMITS, parseEverydayMsg } from '../../shared/messaging/everyday-messages';

await ready();

const T = 1_700_000_000_000;
const id = (n: number): string => n.toString(16).padStart(32, '0');
const ON = receiptPolicy({ readReceipts: true, typing: true }, true);
const OFF = receiptPolicy({ readReceipts: false, typing: false }, true);

describe('receipt policy', () => {
  test('off means neither sent nor shown; a message request gets neither', () => {
    assert.deepEqual(ON, { sendRead: true, showRead: true, sendTyping: true, showTyping: true });
    assert.deepEqual(OFF, { sendRead: false, showRead: false, sendTyping: false, showTyping: false });
    assert.deepEqual(receiptPolicy({ readReceipts: true, typing: true }, false), OFF);
    assert.deepEqual(receiptPolicy({ readReceipts: true, typing: false }, true), { sendRead: true, showRead: true, sendTyping: false, showTyping: false });
  });
});

describe('read receipts', () => {
  const seen = [
    { id: id(1), ts: T, outgoing: false },
    { id: id(3), ts: T + 5, outgoing: false },
    { id: id(2), ts: T + 9, outgoing: true },
  ];

  test('one frame up to the newest incoming message seen; none when off or nothing incoming', () => {
    assert.deepEqual(readFrameFor(seen, ON), { type: 'read', ids: [], upTo: { id: id(3), ts: T + 5 } });
    assert.ok(parseEverydayMsg(readFrameFor(seen, ON)), 'it is a valid frame');
    assert.equal(readFrameFor(seen, OFF), null);
    assert.equal(readFrameFor([seen[2] as (typeof seen)[number]], ON), null);
  });

  const mine = (n: number, ts: number): EverydayRecord => ({ id: id(n), conv: 'bob', outgoing: true, text: 'x', ts });
  const bob: RuleContext = { self: 'alice', actor: 'bob', conv: 'bob', now: T + 100 };

  test('covers my messages up to the mark, in (time, id) order, and the ids named', () => {
    const frame = { type: 'read' as const, ids: [id(9)], upTo: { id: id(5), ts: T + 5 } };
    assert.equal(isReadBy(mine(1, T), frame, bob, ON), true);
    assert.equal(isReadBy(mine(4, T + 5), frame, bob, ON), true);
    assert.equal(isReadBy(mine(6, T + 5), frame, bob, ON), false, 'same time, later id');
    assert.equal(isReadBy(mine(7, T + 6), frame, bob, ON), false);
    assert.equal(isReadBy(mine(9, T + 50), frame, bob, ON), true, 'named by id');
  });

  test('never applied when off, to their own messages, to another conversation, or from myself', () => {
    const frame = { type: 'read' as const, ids: [id(1)] };
    assert.equal(isReadBy(mine(1, T), frame, bob, OFF), false);
    assert.equal(isReadBy({ ...mine(1, T), outgoing: false }, frame, bob, ON), false);
    assert.equal(isReadBy({ ...mine(1, T), conv: 'carol' }, frame, bob, ON), false);
    assert.equal(isReadBy(mine(1, T), frame, { ...bob, actor: 'alice' }, ON), false);
  });
});

describe('typing', () => {
  test('on at the first keystroke, at most once per resend interval, off after idle or on send', () => {
    let s: TypingSender = TYPING_SENDER_IDLE;
    const sent: string[] = [];
    const step = (r: { state: TypingSender; send: { on: boolean } | null }): void => {
      s = r.state;
      if (r.send) sent.push(r.send.on ? 'on' : 'off');
    };
    step(typingInput(s, T, false, ON));
    for (let t = T + 100; t < T + TYPING_TIMING.resendMs; t += 100) step(typingInput(s, t, false, ON));
    assert.deepEqual(sent, ['on'], 'rate-limited');
    step(typingInput(s, T + TYPING_TIMING.resendMs, false, ON));
    assert.deepEqual(sent, ['on', 'on'], 'refreshed');
    step(typingTick(s, T + TYPING_TIMING.resendMs + TYPING_TIMING.idleMs - 1));
    assert.equal(sent.length, 2);
    step(typingTick(s, T + TYPING_TIMING.resendMs + TYPING_TIMING.idleMs));
    assert.deepEqual(sent, ['on', 'on', 'off']);
    step(typingInput(s, T + 20_000, false, ON));
    step(typingStop(s));
    step(typingStop(s));
    assert.deepEqual(sent, ['on', 'on', 'off', 'on', 'off'], 'one off per on');
    step(typingInput(s, T + 30_000, false, ON));
    step(typingInput(s, T + 30_100, true, ON));
    assert.deepEqual(sent.slice(-2), ['on', 'off'], 'clearing the draft stops');
  });

  test('nothing is sent when typing is off', () => {
    const r = typingInput(TYPING_SENDER_IDLE, T, false, OFF);
    assert.equal(r.send, null);
  });

  test('shown until off or the timeout; never when off', () => {
    const seen = typingReceived({ type: 'typing', on: true }, T, ON);
    assert.equal(isTypingShown(seen, T + TYPING_TIMING.showMs - 1, ON), true);
    assert.equal(isTypingShown(seen, T + TYPING_TIMING.showMs, ON), false);
    assert.equal(isTypingShown(typingReceived({ type: 'typing', on: false }, T, ON), T, ON), false);
    assert.equal(isTypingShown(typingReceived({ type: 'typing', on: true }, T, OFF), T, OFF), false);
  });
});

describe('profile', () => {
  const avatar = new Uint8Array(2000).map((_, i) => i % 251);

  test('a profile frame round-trips with its avatar checked', () => {
    const frame = profileFrame({ name: '  Alice\u202e  Smith ', ts: T, avatar: { mime: 'image/webp', bytes: avatar, hash: '' } });
    assert.ok(frame);
    assert.equal(frame.name, 'Alice Smith', 'controls and bidi overrides dropped, spaces collapsed');
    const parsed = parseEverydayMsg(JSON.stringify(frame));
    assert.ok(parsed && parsed.type === 'profile');
    const stored = acceptProfile(undefined, parsed);
    assert.ok(stored);
    assert.deepEqual(stored.avatar?.bytes, avatar);
    assert.equal(stored.avatar?.hash, frame.avatar?.hash);
  });

  test('an avatar whose bytes do not match its hash, or an older profile, is ignored', () => {
    const frame = profileFrame({ name: 'Alice', ts: T, avatar: { mime: 'image/png', bytes: avatar, hash: '' } });
    assert.ok(frame?.avatar);
    const other = profileFrame({ name: 'Alice', ts: T, avatar: { mime: 'image/png', bytes: avatar.slice(1), hash: '' } });
    assert.equal(acceptProfile(undefined, { ...frame, avatar: { ...frame.avatar, hash: other?.avatar?.hash ?? '' } }), null);
    const stored = acceptProfile(undefined, frame);
    assert.ok(stored);
    assert.equal(acceptProfile(stored, { ...frame, name: 'Old' }), null, 'same version');
    assert.equal(acceptProfile(stored, { ...frame, name: 'New', ts: T + 1 })?.name, 'New');
  });

  test('caps: an avatar over the cap is not sent; names are cut', () => {
    assert.equal(profileFrame({ name: 'a', ts: T, avatar: { mime: 'image/jpeg', bytes: new Uint8Array(EVERYDAY_LIMITS.maxAvatarBytes + 1), hash: '' } }), null);
    assert.equal(cleanDisplayName('x'.repeat(500)).length, EVERYDAY_LIMITS.maxDisplayNameChars);
    assert.equal(shouldSendProfile({ name: 'a', ts: T }, undefined), true);
    assert.equal(shouldSendProfile({ name: 'a', ts: T }, T), false);
    assert.equal(shouldSendProfile({ name: 'a', ts: T + 1 }, T), true);
  });
});
