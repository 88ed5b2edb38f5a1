import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dayKey,
  fileNameStamp,
  formatBytes,
  formatCount,
  formatDayHeading,
  formatDuration,
  formatPercent,
  formatShortWhen,
  formatSpeed,
  formatTime,
} from '../../web/src/format/format';

const en = { locale: 'en', timeZone: 'UTC' };
const zh = { locale: 'zh-CN', timeZone: 'UTC' };
const de = { locale: 'de', timeZone: 'UTC' };

describe('sizes and speeds: binary units, locale digits', () => {
  test('bytes, KiB, MiB, GiB, TiB with one decimal below 10', () => {
    assert.equal(formatBytes(0, en), '0 B');
    assert.equal(formatBytes(1023, en), '1,023 B');
    assert.equal(formatBytes(1024, en), '1 KiB');
    assert.equal(formatBytes(1536, en), '1.5 KiB');
    assert.equal(formatBytes(50 * 1024 * 1024, en), '50 MiB');
    assert.equal(formatBytes(2.25 * 1024 ** 3, en), '2.3 GiB');
    assert.equal(formatBytes(3 * 1024 ** 4, en), '3 TiB');
    assert.equal(formatBytes(5 * 1024 ** 5, en), '5,120 TiB');
  });

  test('the decimal separator is the locale’s', () => {
    assert.equal(formatBytes(1536, de), '1,5 KiB');
    assert.equal(formatBytes(1536, zh), '1.5 KiB');
  });

  test('speeds use the same units', () => {
    assert.equal(formatSpeed(6.5 * 1024 * 1024, en), '6.5 MiB/s');
    assert.equal(formatSpeed(6.5 * 1024 * 1024, de), '6,5 MiB/s');
  });
});

describe('percentages and counts', () => {
  test('rounded down, never 100 before the end, the locale’s sign', () => {
    assert.equal(formatPercent(0.426, en), '42%');
    assert.equal(formatPercent(0.999, en), '99%');
    assert.equal(formatPercent(1, en), '100%');
    assert.equal(formatPercent(0.426, zh), '42%');
    assert.equal(formatPercent(0.426, de), '42\u00a0%');
  });

  test('counts are grouped', () => {
    assert.equal(formatCount(4000, en), '4,000');
    assert.equal(formatCount(4000, de), '4.000');
  });
});

describe('durations', () => {
  test('seconds below a minute, minutes and seconds below an hour, then hours and minutes', () => {
    assert.equal(formatDuration(0.2, en), '1 sec');
    assert.equal(formatDuration(5, en), '5 sec');
    assert.equal(formatDuration(60, en), '1 min');
    assert.equal(formatDuration(200, en), '3 min 20 sec');
    assert.equal(formatDuration(3900, en), '1 hr 5 min');
    assert.equal(formatDuration(7200, en), '2 hr');
  });

  test('in Chinese', () => {
    assert.equal(formatDuration(5, zh), '5秒');
    assert.equal(formatDuration(200, zh), '3分钟20秒');
    assert.equal(formatDuration(3900, zh), '1小时5分钟');
  });
});

describe('times and dates', () => {
  const now = Date.UTC(2026, 10, 23, 20, 0);
  const earlierToday = Date.UTC(2026, 10, 23, 14, 5);
  const yesterday = Date.UTC(2026, 10, 22, 23, 59);
  const longAgo = Date.UTC(2026, 10, 2, 4, 5, 9);

  test('time of day as the locale writes it', () => {
    assert.equal(formatTime(earlierToday, en), '02:05 PM');
    assert.equal(formatTime(earlierToday, zh), '14:05');
  });

  test('day headings: today and yesterday in words, else the full date', () => {
    assert.equal(formatDayHeading(earlierToday, now, en), 'Today');
    assert.equal(formatDayHeading(yesterday, now, en), 'Yesterday');
    assert.equal(formatDayHeading(longAgo, now, en), 'Monday, November 2, 2026');
    assert.equal(formatDayHeading(earlierToday, now, zh), '今天');
    assert.equal(formatDayHeading(yesterday, now, zh), '昨天');
    assert.equal(formatDayHeading(longAgo, now, zh), '2026年11月2日星期一');
  });

  test('days follow the time zone', () => {
    // 23:30 UTC on the 22nd is already the 23rd in Shanghai (UTC+8).
    const lateUtc = Date.UTC(2026, 10, 22, 23, 30);
    assert.equal(dayKey(lateUtc, en), '2026-11-22');
    assert.equal(dayKey(lateUtc, { locale: 'en', timeZone: 'Asia/Shanghai' }), '2026-11-23');
    const shanghai = { locale: 'en', timeZone: 'Asia/Shanghai' };
    // 10:00 UTC on the 23rd is 18:00 in Shanghai: the same day there, the next day in UTC.
    const noonish = Date.UTC(2026, 10, 23, 10, 0);
    assert.equal(formatDayHeading(lateUtc, noonish, shanghai), 'Today');
    assert.equal(formatDayHeading(lateUtc, noonish, en), 'Yesterday');
  });

  test('contact list: the time today, the day before', () => {
    assert.equal(formatShortWhen(earlierToday, now, en), '02:05 PM');
    assert.equal(formatShortWhen(longAgo, now, en), 'Nov 2');
    assert.equal(formatShortWhen(longAgo, now, zh), '11月2日');
    assert.equal(formatShortWhen(0, now, en), '');
  });

  test('file-name stamps are the same in every locale', () => {
    assert.equal(fileNameStamp(longAgo, en), '2026-11-02-04-05-09');
    assert.equal(fileNameStamp(longAgo, zh), '2026-11-02-04-05-09');
    assert.equal(fileNameStamp(Date.UTC(2026, 0, 1, 0, 0, 0), { locale: 'ar-EG', timeZone: 'UTC' }), '2026-01-01-00-00-00');
  });
});
