// The everyday control messages (shared/messaging/everyday-messages.ts): they parse through the
// one peer-frame parser, round-trip, and every cap and malformed shape is refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EVERYDAY_LIMITS,
  REACTION_EMOJI,
  excerptOf,
  makeReplyRef,
  parseEverydayMsg,
  type EverydayMsg,
} from '../../shared/messaging/everyday-messages';
import { decodePeerMsg, encodePeerMsg, parsePeerMsg, type PeerMsg } from '../../shared/peer-protocol';
import { LIMITS } from '../../shared/limits';

const ID = '0123456789abcdef0123456789abcdef';
const ID2 = 'fedcba9876543210fedcba9876543210';
const T = 1_700_000_000_000;
const parse = (x: unknown): PeerMsg | null => parsePeerMsg(JSON.stringify(x));

describe('everyday messages: round trips through the peer-frame parser', () => {
  const frames: EverydayMsg[] = [
    { type: 'read', ids: [ID, ID2] },
    { type: 'read', ids: [], upTo: { id: ID, ts: T } },
    { type: 'typing', on: true },
    { type: 'typing', on: false },
    { type: 'react', id: ID, emoji: '👍', on: true, ts: T },
    { type: 'react', id: ID, emoji: '❤️', on: false, ts: T },
    { type: 'edit', id: ID, text: 'fixed typo', ts: T },
    { type: 'recall', id: ID, ts: T },
    { type: 'profile', name: 'Alice 爱丽丝', ts: T },
    { type: 'profile', name: '', ts: T, avatar: { mime: 'image/webp', data: 'AAAA', hash: 'ab'.repeat(32) } },
  ];
  for (const f of frames) {
    test(`${f.type} ${JSON.stringify(f).slice(0, 60)}`, () => {
      assert.deepEqual(decodePeerMsg(encodePeerMsg(f)), f);
      assert.deepEqual(parseEverydayMsg(f), f);
    });
  }

  test('a chat frame may carry a reply reference; old chat frames still parse', () => {
    const plain = { type: 'chat', id: ID, text: 'hi', ts: T };
    assert.deepEqual(parse(plain), plain);
    const reply = { ...plain, reply: { id: ID2, author: 'bob', excerpt: 'what time?' } };
    assert.deepEqual(parse(reply), reply);
  });
});

describe('everyday messages: refusals', () => {
  const bad: [string, unknown][] = [
    ['read naming nothing', { type: 'read', ids: [] }],
    ['read with a bad id', { type: 'read', ids: ['xyz'] }],
    ['read with too many ids', { type: 'read', ids: Array.from({ length: EVERYDAY_LIMITS.maxReadIds + 1 }, () => ID) }],
    ['read with a sender field', { type: 'read', ids: [ID], from: 'mallory' }],
    ['typing without on', { type: 'typing' }],
    ['react with an emoji outside the set', { type: 'react', id: ID, emoji: '💩', on: true, ts: T }],
    ['react with a whole sentence', { type: 'react', id: ID, emoji: '👍 lol', on: true, ts: T }],
    ['react naming the reactor', { type: 'react', id: ID, emoji: '👍', on: true, ts: T, by: 'alice' }],
    ['edit with empty text', { type: 'edit', id: ID, text: '', ts: T }],
    ['edit over the text cap', { type: 'edit', id: ID, text: 'x'.repeat(LIMITS.maxChatChars + 1), ts: T }],
    ['edit naming its author', { type: 'edit', id: ID, text: 'x', ts: T, author: 'alice' }],
    ['recall with a negative time', { type: 'recall', id: ID, ts: -1 }],
    ['recall with a fractional time', { type: 'recall', id: ID, ts: 1.5 }],
    ['profile name over the cap', { type: 'profile', name: 'n'.repeat(EVERYDAY_LIMITS.maxDisplayNameChars + 1), ts: T }],
    ['profile avatar over the cap', { type: 'profile', name: 'a', ts: T, avatar: { mime: 'image/webp', data: 'A'.repeat(70_000), hash: 'ab'.repeat(32) } }],
    ['profile avatar of another type', { type: 'profile', name: 'a', ts: T, avatar: { mime: 'image/svg+xml', data: 'AAAA', hash: 'ab'.repeat(32) } }],
    ['profile avatar not base64url', { type: 'profile', name: 'a', ts: T, avatar: { mime: 'image/png', data: 'AA+/', hash: 'ab'.repeat(32) } }],
    ['reply excerpt over the cap', { type: 'chat', id: ID, text: 'hi', ts: T, reply: { id: ID2, author: 'bob', excerpt: 'e'.repeat(EVERYDAY_LIMITS.maxQuoteChars + 1) } }],
    ['reply author over the cap', { type: 'chat', id: ID, text: 'hi', ts: T, reply: { id: ID2, author: 'b'.repeat(EVERYDAY_LIMITS.maxDisplayNameChars + 1), excerpt: '' } }],
    ['reply with an extra field', { type: 'chat', id: ID, text: 'hi', ts: T, reply: { id: ID2, author: 'bob', excerpt: '', html: '<b>' } }],
  ];
  for (const [name, frame] of bad) {
    test(name, () => {
      assert.equal(parse(frame), null);
    });
  }

  test('prototype-pollution keys and non-JSON are refused', () => {
    assert.equal(parseEverydayMsg('{"type":"typing","on":true,"__proto__":{"x":1}}'), null);
    assert.equal(parseEverydayMsg('{"type":"typing",'), null);
    assert.equal(parseEverydayMsg({ type: 'chat', id: ID, text: 'x', ts: T }), null, 'not an everyday type');
  });

  test('the reaction set is small and fixed', () => {
    assert.ok(REACTION_EMOJI.length >= 4 && REACTION_EMOJI.length <= 8);
    for (const e of REACTION_EMOJI) assert.ok(parseEverydayMsg({ type: 'react', id: ID, emoji: e, on: true, ts: T }), e);
  });
});

describe('reply references', () => {
  test('the excerpt is short, on one line, and never splits a surrogate pair', () => {
    const ref = makeReplyRef({ id: ID, text: 'line one\n\nline two' }, 'bob');
    assert.deepEqual(ref, { id: ID, author: 'bob', excerpt: 'line one line two' });
    const long = '😀'.repeat(200);
    const cut = excerptOf(long);
    assert.ok(cut.length <= EVERYDAY_LIMITS.maxQuoteChars);
    assert.ok(cut.endsWith('…'));
    assert.doesNotThrow(() => encodeURIComponent(cut), 'no lone surrogate');
    assert.ok(parse({ type: 'chat', id: ID2, text: 'ok', ts: T, reply: makeReplyRef({ id: ID, text: long }, 'bob') }));
  });
});
