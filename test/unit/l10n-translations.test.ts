// Every message the app shows has its Simplified Chinese translation: the messages are extracted
// from web/src the way `npm run l10n:extract` does (lit-localize's own program analysis), read
// against web/xliff/zh-CN.xlf, and against the generated module the app loads
// (web/src/l10n/generated/zh-CN.ts, `npm run l10n:build`).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readConfigFileAndWriteSchema } from '@lit/localize-tools/lib/config.js';
import { RuntimeLitLocalizer } from '@lit/localize-tools/lib/modes/runtime.js';
import type { Message } from '@lit/localize-tools/lib/messages.js';
import type { RuntimeOutputConfig } from '@lit/localize-tools/lib/types/modes.js';
import type { Config } from '@lit/localize-tools/lib/types/config.js';
import type { Locale } from '@lit/localize-tools/lib/types/locale.js';
import { templates } from '../../web/src/l10n/generated/zh-CN';

/** English texts that read the same in Chinese (symbols, units, brand names); none so far. */
const SAME_IN_CHINESE: ReadonlySet<string> = new Set([]);

const config = readConfigFileAndWriteSchema(path.resolve('lit-localize.json')) as Config & { output: RuntimeOutputConfig };
const localizer = new RuntimeLitLocalizer(config);
const extracted = localizer.extractSourceMessages();
const source = extracted.messages;
const zh = new Map((localizer.readTranslationsSync().translations.get('zh-CN' as Locale) ?? []).map((m) => [m.name, m]));

/** A message's text with its placeholders (markup, `${…}`) as "{0}", "{1}"…, in order. */
function text(m: Message): string {
  let i = 0;
  return m.contents.map((c) => (typeof c === 'string' ? c : `{${i++}}`)).join('');
}

/** The `{name}`-style slots error-text.ts fills (kept as text in the message). */
function slots(s: string): string[] {
  return [...s.matchAll(/\{([a-z]\w*)\}/g)].map((m) => m[1] ?? '').sort();
}

describe('Simplified Chinese translations', () => {
  test('the messages of web/src are extracted without errors', () => {
    assert.deepEqual(
      extracted.errors.map((d) => String(d.messageText)),
      [],
    );
    assert.ok(source.length > 200, `only ${source.length} messages found`);
  });

  test('every message has a zh-CN translation', () => {
    const missing = source.filter((m) => !zh.has(m.name)).map((m) => `${m.name}: ${text(m)}`);
    assert.deepEqual(missing, [], 'run `npm run l10n:extract`, translate the new units in web/xliff/zh-CN.xlf, then `npm run l10n:build`');
  });

  test('no translation is empty or left in English', () => {
    const bad: string[] = [];
    for (const m of source) {
      const t = zh.get(m.name);
      if (!t) continue;
      const english = text(m);
      const chinese = text(t);
      if (!chinese.replace(/\{\d+\}/g, '').trim() && english.replace(/\{\d+\}/g, '').trim()) bad.push(`${m.name}: empty`);
      else if (chinese === english && !SAME_IN_CHINESE.has(english)) bad.push(`${m.name}: still English: ${english}`);
    }
    assert.deepEqual(bad, []);
  });

  test('translations keep every placeholder and every {name} slot', () => {
    assert.deepEqual(localizer.validateTranslations().errors, []);
    const bad = source.filter((m) => zh.has(m.name) && slots(text(m)).join() !== slots(text(zh.get(m.name) as Message)).join()).map((m) => m.name);
    assert.deepEqual(bad, []);
  });

  test('the generated module the app loads is current with the translations', () => {
    const generated = templates as Record<string, unknown>;
    const stale: string[] = [];
    for (const m of source) {
      const t = zh.get(m.name);
      const g = generated[m.name];
      if (g === undefined) stale.push(`${m.name}: not generated`);
      else if (t && typeof g === 'string' && t.contents.every((c) => typeof c === 'string') && g !== text(t)) stale.push(`${m.name}: differs`);
    }
    assert.deepEqual(stale, [], 'run `npm run l10n:build`');
  });
});
