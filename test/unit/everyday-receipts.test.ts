// Read receipts and typing on the web side (web/src/everyday): which stored messages a `read`
// frame marks (a hostile frame naming another conversation's messages, or messages the contact
// wrote, marks nothing), what an outgoing message's state line says, how a read copy from my
// other device travels, and the typing service's timers on a mocked clock.
import { describe, test, mock, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredMessage } from '../../web/src/db/schema';
import type { RuleContext } from '../../shared/messaging/message-record';
import { receiptPolicy, TYPING_TIMING } from '../../shared/messaging/receipts-typing';
import type { ReadFrame, TypingFrame } from '../../shared/messaging/everyday-messages';
import { isAfter, readUpdates, shownState } from '../../web/src/everyday/receipts-rules';
import { TypingService } from '../../web/src/everyday/typing-service';
import { parsePeerMsg } from '../../shared/peer-protocol';

const T = 1_700_000_000_000;
const id = (n: number): string => n.toString(16).padStart(32, '0');
const ON = receiptPolicy({ readReceipts: true, typing: true }, true);
const OFF = receiptPolicy({ readReceipts: false, typing: false }, true);
const REQUEST = receiptPolicy({ readReceipts: true, typing: true }, false);

function msg(n: number, over: Partial<StoredMessage> = {}): StoredMessage {
  return { id: id(n), conv: 'bob', from: 'alice', outgoing: true, text: `m${n}`, ts: T + n, state: 'delivered', ...over };
}

const fromBob: RuleContext = { self: 'alice', actor: 'bob', conv: 'bob', now: T + 1000 };
const upTo = (n: number): ReadFrame => ({ type: 'read', ids: [], upTo: { id: id(n), ts: T + n } });

describe('a read frame marks my messages of its conversation, up to its mark', () => {
  test('mine up to the mark gain readAt; later ones, waiting ones and read ones do not change', () => {
    const records = [msg(1), msg(2, { state: 'sent' }), msg(3, { state: 'waiting' }), msg(4, { readAt: T }), msg(5), msg(9)];
    const out = readUpdates(records, upTo(5), fromBob, ON);
    assert.deepEqual(
      out.map((m) => [m.id, m.readAt, m.state]),
      [
        [id(1), T + 1000, 'delivered'],
        // Read before its receipt came: still `sent` (the outbox keeps it until the ack).
        [id(2), T + 1000, 'sent'],
        [id(5), T + 1000, 'delivered'],
      ],
    );
  });

  test('hostile: ids of another conversation, messages the contact wrote and quiet lines are never marked', () => {
    const carols = msg(1, { conv: 'carol' });
    const bobsOwn = msg(2, { outgoing: false, from: 'bob', state: 'received' });
    const line = msg(3, { outgoing: false, kind: 'device-added', state: 'received' });
    const frame: ReadFrame = { type: 'read', ids: [id(1), id(2), id(3)], upTo: { id: id(9), ts: T + 9 } };
    assert.deepEqual(readUpdates([carols, bobsOwn, line], frame, fromBob, ON), []);
    // The same frame arriving on carol's session does mark carol's message (it is hers to read).
    assert.equal(readUpdates([carols], frame, { ...fromBob, actor: 'carol', conv: 'carol' }, ON).length, 1);
    // A frame "from myself" (own devices never send one) marks nothing.
    assert.deepEqual(readUpdates([msg(1)], frame, { ...fromBob, actor: 'alice' }, ON), []);
  });

  test('with read receipts off, or from a message request, nothing is applied', () => {
    assert.deepEqual(readUpdates([msg(1)], upTo(5), fromBob, OFF), []);
    assert.deepEqual(readUpdates([msg(1)], upTo(5), fromBob, REQUEST), []);
  });
});

describe('the state line of an outgoing message', () => {
  test('Read once read, while receipts are shown; Delivered (its delivery state) otherwise', () => {
    assert.equal(shownState(msg(1, { readAt: T }), true), 'read');
    assert.equal(shownState(msg(1, { readAt: T }), false), 'delivered');
    assert.equal(shownState(msg(1), true), 'delivered');
    assert.equal(shownState(msg(1, { state: 'waiting', readAt: T }), true), 'waiting');
    assert.equal(shownState(msg(1, { outgoing: false, state: 'received', readAt: T }), true), 'received');
  });

  test('history order: time, then id', () => {
    assert.equal(isAfter({ id: id(1), ts: T + 1 }, null), true);
    assert.equal(isAfter({ id: id(1), ts: T + 1 }, { id: id(9), ts: T }), true);
    assert.equal(isAfter({ id: id(2), ts: T }, { id: id(1), ts: T }), true);
    assert.equal(isAfter({ id: id(1), ts: T }, { id: id(1), ts: T }), false);
    assert.equal(isAfter({ id: id(9), ts: T }, { id: id(1), ts: T + 1 }), false);
  });

  test('a read copy between my devices is a valid sync frame', () => {
    const frame = { type: 'sync-msg', conv: 'bob', msg: { id: id(1), from: 'alice', outgoing: true, text: 'hi', ts: T }, state: 'read' };
    assert.equal(parsePeerMsg(JSON.stringify(frame))?.type, 'sync-msg');
  });
});

describe('typing service', () => {
  let sent: Array<[string, TypingFrame]>;
  let policy = ON;
  let svc: TypingService;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: T });
    sent = [];
    policy = ON;
    svc = new TypingService({ policy: () => policy, send: (conv, frame) => (sent.push([conv, frame]), true) });
  });
  afterEach(() => {
    svc.reset();
    mock.timers.reset();
  });

  test('keystrokes send `on` at most once per resend interval, `off` when idle', () => {
    svc.input('bob', false);
    mock.timers.tick(500);
    svc.input('bob', false);
    assert.deepEqual(sent, [['bob', { type: 'typing', on: true }]]);
    mock.timers.tick(TYPING_TIMING.resendMs);
    svc.input('bob', false);
    assert.equal(sent.length, 2);
    // No keystroke for idleMs: the ticker sends `off`, once.
    mock.timers.tick(TYPING_TIMING.idleMs + 1000);
    assert.deepEqual(sent.at(-1), ['bob', { type: 'typing', on: false }]);
    assert.equal(sent.length, 3);
    mock.timers.tick(10_000);
    assert.equal(sent.length, 3);
  });

  test('a sent message, a cleared box or leaving sends `off`; nothing when off was already sent', () => {
    svc.input('bob', false);
    svc.stop('bob');
    svc.stop('bob');
    svc.input('bob', false);
    svc.input('bob', true);
    assert.deepEqual(
      sent.map(([, f]) => f.on),
      [true, false, true, false],
    );
  });

  test('with typing off nothing is sent, and turning it off stops what stands', () => {
    svc.input('bob', false);
    policy = OFF;
    svc.settingsChanged();
    svc.input('bob', false);
    assert.deepEqual(
      sent.map(([, f]) => f.on),
      [true, false],
    );
  });

  test('the contact typing is shown, and goes after showMs, on `off`, or when their message arrives', () => {
    svc.onFrame('bob', { type: 'typing', on: true });
    assert.deepEqual([...svc.shown.get()], ['bob']);
    mock.timers.tick(TYPING_TIMING.showMs);
    assert.deepEqual([...svc.shown.get()], []);
    svc.onFrame('bob', { type: 'typing', on: true });
    svc.onFrame('bob', { type: 'typing', on: false });
    assert.deepEqual([...svc.shown.get()], []);
    svc.onFrame('bob', { type: 'typing', on: true });
    svc.contactDone('bob');
    assert.deepEqual([...svc.shown.get()], []);
  });

  test('with typing off (or from a request) it is never shown', () => {
    policy = OFF;
    svc.onFrame('bob', { type: 'typing', on: true });
    assert.deepEqual([...svc.shown.get()], []);
    policy = REQUEST;
    svc.onFrame('bob', { type: 'typing', on: true });
    assert.deepEqual([...svc.shown.get()], []);
    policy = ON;
    svc.onFrame('bob', { type: 'typing', on: true });
    policy = OFF;
    svc.settingsChanged();
    assert.deepEqual([...svc.shown.get()], []);
  });
});
