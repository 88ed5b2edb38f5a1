import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAck, applySent, copyKey, planReceived, planSend, sendable, type FanoutTarget } from '../../shared/devices/fanout';

const base = { me: 'alice', myDevice: 'A1', myDevices: ['A1', 'A2', 'A3'] };

describe('fan-out: sending', () => {
  test('a message to a contact goes to each of its devices and as a mirror to each of my other devices', () => {
    const plan = planSend({ ...base, conv: 'bob', contactDevices: ['B2', 'B1'] });
    assert.deepEqual(plan, [
      { conv: 'bob', device: 'B1', role: 'recipient' },
      { conv: 'bob', device: 'B2', role: 'recipient' },
      { conv: 'alice', device: 'A2', role: 'mirror' },
      { conv: 'alice', device: 'A3', role: 'mirror' },
    ]);
  });

  test('a contact without a known list gets one copy (to whichever device the server reaches), as before devices', () => {
    assert.deepEqual(planSend({ me: 'alice', myDevice: 'A1', myDevices: [], conv: 'bob', contactDevices: null }), [
      { conv: 'bob', device: null, role: 'recipient' },
    ]);
  });

  test('single-device accounts: exactly one copy, no mirrors', () => {
    assert.deepEqual(planSend({ me: 'alice', myDevice: 'A1', myDevices: ['A1'], conv: 'bob', contactDevices: ['B1'] }), [
      { conv: 'bob', device: 'B1', role: 'recipient' },
    ]);
  });

  test('"Your devices": every other device of mine is a recipient, never this one', () => {
    assert.deepEqual(planSend({ ...base, conv: 'alice', contactDevices: null }), [
      { conv: 'alice', device: 'A2', role: 'recipient' },
      { conv: 'alice', device: 'A3', role: 'recipient' },
    ]);
  });

  test('duplicate ids in a list give one copy each', () => {
    assert.equal(planSend({ ...base, myDevices: ['A1', 'A2', 'A2'], conv: 'bob', contactDevices: ['B1', 'B1'] }).length, 2);
  });
});

describe('fan-out: received messages', () => {
  test('a message from a contact is mirrored to my other devices', () => {
    assert.deepEqual(planReceived(base, { conv: 'bob', device: 'B1' }), [
      { conv: 'alice', device: 'A2', role: 'mirror' },
      { conv: 'alice', device: 'A3', role: 'mirror' },
    ]);
  });

  test('a copy from one of my own devices is not mirrored again', () => {
    assert.deepEqual(planReceived(base, { conv: 'alice', device: 'A2' }), []);
  });
});

describe('fan-out: delivery', () => {
  const b1: FanoutTarget = { conv: 'bob', device: 'B1', role: 'recipient' };
  const b2: FanoutTarget = { conv: 'bob', device: 'B2', role: 'recipient' };
  const mirror: FanoutTarget = { conv: 'alice', device: 'A2', role: 'mirror' };

  test('Delivered when any device of the contact acked; the details name each', () => {
    const first = applyAck({ state: 'sent', deliveredTo: [] }, b2);
    assert.deepEqual(first, { state: 'delivered', deliveredTo: ['B2'] });
    assert.deepEqual(applyAck(first!, b1), { state: 'delivered', deliveredTo: ['B2', 'B1'] });
    assert.equal(applyAck(first!, b2), null, 'a repeated ack changes nothing');
  });

  test('a mirror ack is not a delivery', () => {
    assert.equal(applyAck({ state: 'sent', deliveredTo: [] }, mirror), null);
  });

  test('Sent once a recipient copy left; a mirror copy leaving is not Sent', () => {
    assert.deepEqual(applySent({ state: 'waiting', deliveredTo: [] }, b1), { state: 'sent', deliveredTo: [] });
    assert.equal(applySent({ state: 'waiting', deliveredTo: [] }, mirror), null);
    assert.equal(applySent({ state: 'delivered', deliveredTo: ['B1'] }, b2), null);
  });

  test('copies leave only over ready links; outbox keys are per (message, device)', () => {
    const ready = new Set(['bob/B2', 'alice/A2']);
    assert.deepEqual(sendable([b1, b2, mirror], (c, d) => ready.has(`${c}/${d}`)), [b2, mirror]);
    assert.notEqual(copyKey('m1', b1), copyKey('m1', b2));
    assert.equal(copyKey('m1', { conv: 'bob', device: null }), 'm1/bob/');
  });
});
