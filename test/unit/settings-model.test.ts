import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, parseSettings, serializeSettings } from '../../web/src/settings/settings-model';

test('settings: nothing stored gives the defaults (receipts and typing on, notifications off)', () => {
  assert.deepEqual(parseSettings(null), DEFAULT_SETTINGS);
  assert.equal(DEFAULT_SETTINGS.readReceipts, true);
  assert.equal(DEFAULT_SETTINGS.typingIndicators, true);
  assert.equal(DEFAULT_SETTINGS.notifications, false);
  assert.equal(DEFAULT_SETTINGS.theme, 'system');
});

test('settings: a stored choice survives the round trip', () => {
  const s = { ...DEFAULT_SETTINGS, theme: 'dark' as const, readReceipts: false, hidePreviews: true };
  assert.deepEqual(parseSettings(serializeSettings(s)), s);
});

test('settings: damaged or wrongly typed entries fall back field by field', () => {
  assert.deepEqual(parseSettings('{not json'), DEFAULT_SETTINGS);
  assert.deepEqual(parseSettings('[1,2]'), DEFAULT_SETTINGS);
  assert.deepEqual(parseSettings('"dark"'), DEFAULT_SETTINGS);
  const s = parseSettings(JSON.stringify({ theme: 'purple', typingIndicators: 'no', sound: true }));
  assert.equal(s.theme, 'system');
  assert.equal(s.typingIndicators, true);
  assert.equal(s.sound, true);
});
