// What the app shows for a given English source text in the language a test browser runs in,
// read from the app's own translations (web/src/l10n/generated/, built from web/xliff/): the e2e
// helpers find buttons, fields and rows by accessible name, and those names are translated.
// English runs get the English text unchanged.

import { generateMsgId } from '@lit/localize/internal/id-generation.js';
import { templates } from '../../web/src/l10n/generated/zh-CN';

/** The languages a test browser can run the app in. */
export type UiLocale = 'en' | 'zh-CN';

interface StrTemplate {
  strTag: true;
  strings: readonly string[];
  values: readonly number[];
}

type Translation = string | StrTemplate | { strings: readonly string[]; values: readonly unknown[] };

function isStr(t: Translation): t is StrTemplate {
  return typeof t !== 'string' && 'strTag' in t;
}

function lookup(locale: UiLocale, id: string): Translation | undefined {
  if (locale === 'en') return undefined;
  return (templates as Record<string, Translation>)[id];
}

function render(locale: UiLocale, id: string, strings: readonly string[], values: readonly string[]): string {
  const t = lookup(locale, id);
  if (t === undefined) {
    if (locale !== 'en') throw new Error(`no ${locale} translation for ${JSON.stringify(strings.join('${…}'))} (${id})`);
    return strings.reduce((out, s, i) => out + s + (i < values.length ? values[i] : ''), '');
  }
  if (typeof t === 'string') return t;
  if (isStr(t)) return t.strings.reduce((out, s, i) => out + s + (i < t.values.length ? values[t.values[i] as number] : ''), '');
  throw new Error(`${id} is markup (html\`\`); tests read it as text instead`);
}

export interface UiText {
  readonly locale: UiLocale;
  /** The shown text of a message without an explicit id, as a tagged template: t`Message request from ${peer}`. */
  (strings: TemplateStringsArray, ...values: string[]): string;
  /** The shown text of a message with an explicit id (`msg('Cancel', { id: 'file-cancel' })`). */
  id(id: string, english: string): string;
}

/** Texts for a browser running the app in `locale`. */
export function uiText(locale: UiLocale = 'en'): UiText {
  const t = ((strings: TemplateStringsArray, ...values: string[]) =>
    render(locale, generateMsgId(values.length ? [...strings] : (strings[0] ?? ''), false), [...strings], values)) as UiText;
  Object.defineProperty(t, 'locale', { value: locale });
  t.id = (id, english) => render(locale, id, [english], []);
  return t;
}
