import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERROR_CODES } from '../../shared/errors';
import { LIMITS, PROTOCOL_VERSION } from '../../shared/limits';
import { errorFrame, parseClientMsg, parseIceServers, parseServerMsg } from '../../shared/signal-protocol';

const TOKEN = 'T'.repeat(43);
const KEY = 'K'.repeat(42) + '_';
const CID = 'abcDEF-_12';
const OFFER = { type: 'offer', sdp: 'v=0\r\n' };
const CANDIDATE = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host', sdpMLineIndex: 0, sdpMid: '0' } };
const v = PROTOCOL_VERSION;

/** Both the raw JSON string path and the already-parsed-object path must agree. */
function parseBoth(frame: unknown): unknown {
  const fromString = parseClientMsg(JSON.stringify(frame));
  const fromObject = parseClientMsg(frame);
  assert.deepEqual(fromString, fromObject);
  return fromString;
}

describe('parseClientMsg: valid frames of every type', () => {
  const valid: Record<string, unknown> = {
    register: { type: 'register', v, username: 'alice', password: 'hunter2hunter2' },
    registerWithKey: { type: 'register', v, username: 'alice', password: 'hunter2hunter2', identityKey: KEY },
    login: { type: 'login', v, username: 'Alice', password: 'x' },
    loginWithKey: { type: 'login', v, username: 'Alice', password: 'x', identityKey: KEY },
    resume: { type: 'resume', v, token: TOKEN },
    resumeWithKey: { type: 'resume', v, token: TOKEN, identityKey: KEY },
    logout: { type: 'logout' },
    signalOffer: { type: 'signal', to: 'bob', cid: CID, data: OFFER },
    signalAnswer: { type: 'signal', to: 'bob', cid: CID, data: { type: 'answer', sdp: 'v=0' } },
    signalCandidate: { type: 'signal', to: 'bob', cid: CID, data: CANDIDATE },
    signalCandidateNulls: {
      type: 'signal',
      to: 'bob',
      cid: CID,
      data: { type: 'candidate', candidate: { candidate: '', sdpMLineIndex: null, sdpMid: null, usernameFragment: null } },
    },
    signalRenegotiate: { type: 'signal', to: 'bob', cid: CID, data: { type: 'renegotiate', renegotiate: true } },
    lookup: { type: 'lookup', username: 'bob' },
  };
  for (const [name, frame] of Object.entries(valid)) {
    test(name, () => {
      assert.deepEqual(parseBoth(frame), frame);
    });
  }
});

describe('parseClientMsg: invalid frames give null', () => {
  const big = 'x'.repeat(LIMITS.maxSignalBytes + 1);
  const invalid: Record<string, unknown> = {
    'unknown type': { type: 'hello', v },
    'no type': { v, username: 'a', password: 'b' },
    'type not a string': { type: 1 },
    'wrong version': { type: 'login', v: v + 1, username: 'alice', password: 'x' },
    'version as string': { type: 'login', v: String(v), username: 'alice', password: 'x' },
    'missing version': { type: 'login', username: 'alice', password: 'x' },
    'missing password': { type: 'login', v, username: 'alice' },
    'username a number': { type: 'login', v, username: 42, password: 'x' },
    'empty username': { type: 'login', v, username: '', password: 'x' },
    'username too long': { type: 'register', v, username: 'a'.repeat(LIMITS.usernameMax + 1), password: 'x' },
    'password too long for the wire': { type: 'login', v, username: 'alice', password: 'p'.repeat(LIMITS.passwordMax * 4 + 1) },
    'short token': { type: 'resume', v, token: 'abc' },
    'token with bad chars': { type: 'resume', v, token: '+'.repeat(43) },
    'bad identity key': { type: 'login', v, username: 'alice', password: 'x', identityKey: 'k'.repeat(44) },
    'signal without cid': { type: 'signal', to: 'bob', data: OFFER },
    'cid too short': { type: 'signal', to: 'bob', cid: 'abc', data: OFFER },
    'cid with spaces': { type: 'signal', to: 'bob', cid: 'abc def ghi', data: OFFER },
    'signal data missing': { type: 'signal', to: 'bob', cid: CID },
    'signal data unknown type': { type: 'signal', to: 'bob', cid: CID, data: { type: 'pranswer', sdp: 'x' } },
    'sdp too long': { type: 'signal', to: 'bob', cid: CID, data: { type: 'offer', sdp: big } },
    'sdp not a string': { type: 'signal', to: 'bob', cid: CID, data: { type: 'offer', sdp: 1 } },
    'candidate line too long': { type: 'signal', to: 'bob', cid: CID, data: { type: 'candidate', candidate: { candidate: 'c'.repeat(1025) } } },
    'negative mline index': { type: 'signal', to: 'bob', cid: CID, data: { type: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: -1 } } },
    'renegotiate false': { type: 'signal', to: 'bob', cid: CID, data: { type: 'renegotiate', renegotiate: false } },
    'lookup without name': { type: 'lookup' },
    'an array': [{ type: 'logout' }],
    null: null,
    'a number': 42,
    'a string value': 'logout',
  };
  for (const [name, frame] of Object.entries(invalid)) {
    test(name, () => {
      assert.equal(parseClientMsg(JSON.stringify(frame)), null);
      assert.equal(parseClientMsg(frame), null);
    });
  }

  test('garbage and non-JSON text', () => {
    for (const raw of ['', '{', '{"type":"logout"', 'logout', '\u0000\u0001', '{"type":"logout"}}', 'undefined', 'NaN']) {
      assert.equal(parseClientMsg(raw), null, JSON.stringify(raw));
    }
  });

  test('binary input (Buffer, ArrayBuffer, Uint8Array) is not a frame', () => {
    const bytes = Buffer.from(JSON.stringify({ type: 'logout' }));
    assert.equal(parseClientMsg(bytes), null);
    assert.equal(parseClientMsg(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)), null);
    assert.equal(parseClientMsg(new Uint8Array(bytes)), null);
  });

  test('frames over maxFrameBytes are refused before JSON parsing, counting UTF-8 bytes', () => {
    const pad = (n: number, ch: string) => JSON.stringify({ type: 'lookup', username: 'bob', pad: ch.repeat(n) });
    const base = pad(0, 'x').length;
    assert.ok(parseClientMsg(pad(LIMITS.maxFrameBytes - base, 'x')), 'exactly at the limit is fine');
    assert.equal(parseClientMsg(pad(LIMITS.maxFrameBytes - base + 1, 'x')), null);
    // 'é' is 2 bytes in UTF-8: half as many characters already hit the limit.
    assert.equal(parseClientMsg(pad(Math.ceil((LIMITS.maxFrameBytes - base) / 2) + 1, 'é')), null);
  });

  test('__proto__, constructor and prototype keys anywhere make the frame invalid', () => {
    const frames = [
      '{"type":"logout","__proto__":{"polluted":true}}',
      '{"type":"lookup","username":"bob","constructor":{"prototype":{"polluted":true}}}',
      '{"type":"signal","to":"bob","cid":"abcdefgh","data":{"type":"offer","sdp":"x","__proto__":{"polluted":1}}}',
      '{"type":"login","v":1,"username":"a","password":"b","prototype":1}',
    ];
    for (const f of frames) assert.equal(parseClientMsg(f), null, f);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('unknown keys, including a spoofed `from`, are stripped from the output', () => {
    const msg = parseClientMsg(JSON.stringify({ type: 'signal', from: 'mallory', to: 'bob', cid: CID, data: { ...OFFER, from: 'x', extra: 1 }, admin: true }));
    assert.deepEqual(msg, { type: 'signal', to: 'bob', cid: CID, data: OFFER });
    assert.ok(msg && !('from' in msg));
    const login = parseClientMsg({ type: 'login', v, username: 'a', password: 'b', isAdmin: true });
    assert.deepEqual(login, { type: 'login', v, username: 'a', password: 'b' });
  });
});

describe('parseServerMsg', () => {
  test('accepts every server frame shape', () => {
    const frames = [
      { type: 'welcome', v, username: 'alice', token: TOKEN, expiresAt: 1, iceServers: [{ urls: ['stun:a', 'turn:b'], username: 'u', credential: 'c' }] },
      { type: 'presence', online: ['alice', 'bob'] },
      { type: 'presence-update', username: 'bob', online: false },
      { type: 'signal', from: 'bob', cid: CID, data: CANDIDATE },
      { type: 'identity', username: 'bob', identityKey: KEY },
      { type: 'identity', username: 'bob', identityKey: null },
      { type: 'logged-out' },
      { type: 'error', code: 'PEER_OFFLINE', ref: 'signal', to: 'bob', cid: CID },
    ];
    for (const f of frames) assert.deepEqual(parseServerMsg(JSON.stringify(f)), f);
  });

  test('every error code is accepted, an unknown one is not', () => {
    for (const code of ERROR_CODES) assert.ok(parseServerMsg(errorFrame(code, { ref: 'login' })), code);
    assert.equal(parseServerMsg({ type: 'error', code: 'NOPE' }), null);
  });

  test('a relayed signal must name its sender; a welcome must carry a valid token', () => {
    assert.equal(parseServerMsg({ type: 'signal', cid: CID, data: OFFER }), null);
    assert.equal(parseServerMsg({ type: 'welcome', v, username: 'a', token: 'short', expiresAt: 1, iceServers: [] }), null);
    assert.equal(parseServerMsg({ type: 'welcome', v, username: 'a', token: TOKEN, expiresAt: 1, iceServers: Array(17).fill({ urls: 'stun:x' }) }), null);
  });
});

describe('parseIceServers and errorFrame', () => {
  test('parseIceServers accepts the config shape and throws a sentence otherwise', () => {
    assert.deepEqual(parseIceServers([{ urls: 'stun:s:3478' }]), [{ urls: 'stun:s:3478' }]);
    assert.deepEqual(parseIceServers([]), []);
    assert.throws(() => parseIceServers({ urls: 'x' }), /ICE servers must be a JSON array/);
    assert.throws(() => parseIceServers([{ url: 'x' }]), /ICE servers/);
  });

  test('errorFrame builds a valid error frame', () => {
    assert.deepEqual(errorFrame('BAD_MESSAGE'), { type: 'error', code: 'BAD_MESSAGE' });
    assert.deepEqual(errorFrame('PEER_OFFLINE', { ref: 'signal', to: 'bob', cid: CID }), { type: 'error', code: 'PEER_OFFLINE', ref: 'signal', to: 'bob', cid: CID });
  });
});
