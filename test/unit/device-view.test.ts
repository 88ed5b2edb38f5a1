import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceViews } from '../../web/src/devices/device-view';
import type { DeviceEntry } from '../../shared/devices/device-list';

const o = { locale: 'en-GB', timeZone: 'UTC' };
const d = (id: string, name: string, addedAt: number): DeviceEntry => ({ id: id.padEnd(22, 'A'), key: 'k'.repeat(43), name, addedAt });
const laptop = d('a', 'Chromium on Linux', Date.UTC(2026, 10, 20, 9));
const phone = d('b', 'Safari on iPhone', Date.UTC(2026, 10, 21, 9));
const tablet = d('c', 'Firefox on Android', Date.UTC(2026, 10, 22, 9));

describe('devices screen rows', () => {
  test('this device first, then by when added; online, last seen and never seen', () => {
    const views = deviceViews([tablet, phone, laptop], tablet.id, new Set([phone.id]), new Map([[laptop.id, Date.UTC(2026, 10, 29, 14, 5)]]), o);
    assert.deepEqual(
      views.map((v) => [v.name, v.seen, v.added, v.thisDevice]),
      [
        ['Firefox on Android', 'This device', 'Added 22 Nov 2026', true],
        ['Chromium on Linux', 'Last seen 29 Nov 2026, 14:05', 'Added 20 Nov 2026', false],
        ['Safari on iPhone', 'Online now', 'Added 21 Nov 2026', false],
      ],
    );
  });
  test('a device never seen from here says so', () => {
    const [, other] = deviceViews([laptop, phone], laptop.id, new Set(), new Map(), o);
    assert.equal(other?.seen, 'Not seen from this device yet');
  });
});
