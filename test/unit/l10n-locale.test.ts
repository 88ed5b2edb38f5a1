import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLocaleFor, pickLocale } from '../../web/src/l10n/pick-locale';
import { setActiveLocale } from '../../web/src/l10n/active-locale';
import { plural } from '../../web/src/l10n/plural';
import { formatBytes, formatDate, formatDayHeading, formatDuration, formatPercent, formatShortWhen, formatTime } from '../../web/src/format/format';

describe('which language the app starts in', () => {
  test('Chinese in simplified characters, in any spelling, is zh-CN', () => {
    for (const tag of ['zh', 'zh-CN', 'zh-cn', 'zh-Hans', 'zh-Hans-CN', 'zh-SG', 'zh_CN', 'zh-Hans-HK']) assert.equal(pickLocale(null, [tag]), 'zh-CN', tag);
  });

  test('traditional Chinese, other languages and no languages get English', () => {
    for (const tags of [['zh-TW'], ['zh-HK'], ['zh-Hant'], ['zh-Hant-CN'], ['fr-FR'], ['de'], []]) assert.equal(pickLocale(null, tags), 'en', tags.join());
  });

  test('the first language the app speaks wins, in the order the person set', () => {
    assert.equal(pickLocale(null, ['fr', 'zh-CN', 'en']), 'zh-CN');
    assert.equal(pickLocale(null, ['en-GB', 'zh-CN']), 'en');
    assert.equal(pickLocale(null, ['ja', 'en-US', 'zh']), 'en');
  });

  test('a choice kept on the device beats the browser; an unknown one is ignored', () => {
    assert.equal(pickLocale('en', ['zh-CN']), 'en');
    assert.equal(pickLocale('zh-CN', ['en-US']), 'zh-CN');
    assert.equal(pickLocale('xx', ['zh-CN']), 'zh-CN');
  });
});

describe('the locale numbers and dates are written in', () => {
  test('the browser’s own variant of the app language, else the app language', () => {
    assert.equal(formatLocaleFor('en', ['en-GB', 'en-US']), 'en-GB');
    assert.equal(formatLocaleFor('en', ['de-DE', 'en-AU']), 'en-AU');
    assert.equal(formatLocaleFor('en', ['de-DE']), 'en');
    assert.equal(formatLocaleFor('en', ['zh-CN']), 'en');
    assert.equal(formatLocaleFor('zh-CN', ['zh-SG', 'en']), 'zh-SG');
    assert.equal(formatLocaleFor('zh-CN', ['zh-TW', 'en-US']), 'zh-CN');
    assert.equal(formatLocaleFor('zh-CN', ['en-US']), 'zh-CN');
  });
});

describe('numbers and dates follow the app language', () => {
  afterEach(() => setActiveLocale('en'));
  const ts = Date.UTC(2026, 10, 23, 14, 5);
  const o = { timeZone: 'UTC' };

  test('without an explicit locale, the formatters use the language the app speaks', () => {
    setActiveLocale('en');
    assert.equal(formatDate(ts, o), 'Nov 23, 2026');
    assert.equal(formatDuration(200), '3 min 20 sec');
    assert.equal(formatDayHeading(ts, ts, o), 'Today');
    setActiveLocale('zh-CN');
    assert.equal(formatDate(ts, o), '2026年11月23日');
    assert.equal(formatTime(ts, o), '14:05');
    assert.equal(formatDuration(200), '3分钟20秒');
    assert.equal(formatDayHeading(ts, ts, o), '今天');
    assert.equal(formatShortWhen(ts, ts + 3 * 86_400_000, o), '11月23日');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatPercent(0.42), '42%');
  });

  test('plural forms come from the language: English has one and other, Chinese only other', () => {
    const forms = { one: () => 'one', other: () => 'other' };
    setActiveLocale('en');
    assert.deepEqual([1, 2, 0].map((n) => plural(n, forms)), ['one', 'other', 'other']);
    setActiveLocale('zh-CN');
    assert.deepEqual([1, 2, 0].map((n) => plural(n, forms)), ['other', 'other', 'other']);
  });
});
