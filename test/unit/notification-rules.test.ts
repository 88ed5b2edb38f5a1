import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notificationBody, shouldNotify, titleWithUnread } from '../../web/src/notify/notification-rules';

const base = { outgoing: false, pageHidden: true, enabled: true, permission: 'granted' as const, alreadyNotified: false };

test('notify: a new incoming message on a hidden page, with the setting on and permission granted', () => {
  assert.equal(shouldNotify(base), true);
  assert.equal(shouldNotify({ ...base, pageHidden: false }), false);
  assert.equal(shouldNotify({ ...base, enabled: false }), false);
  assert.equal(shouldNotify({ ...base, permission: 'default' }), false);
  assert.equal(shouldNotify({ ...base, outgoing: true }), false);
  assert.equal(shouldNotify({ ...base, kind: 'device-added' }), false);
  assert.equal(shouldNotify({ ...base, alreadyNotified: true }), false);
  assert.equal(shouldNotify({ ...base, changed: true }), false, 'an edit, recall or reaction of an older message is not news');
});

test('notify: the body is the text on one line, cut short; hidden previews say only that something came', () => {
  const words = { newMessage: 'New message', newFile: 'Sent you a file' };
  assert.equal(notificationBody('hello\n  there', false, false, words), 'hello there');
  assert.equal(notificationBody('x'.repeat(300), false, false, words).length, 140);
  assert.equal(notificationBody('secret plans', false, true, words), 'New message');
  assert.equal(notificationBody('photo.jpg', true, false, words), 'Sent you a file');
});

test('notify: unread total in the title', () => {
  assert.equal(titleWithUnread('Peerchat', 0), 'Peerchat');
  assert.equal(titleWithUnread('Peerchat', 3), '(3) Peerchat');
  assert.equal(titleWithUnread('Peerchat', 150), '(99+) Peerchat');
});
