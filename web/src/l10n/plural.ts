import { activeLocale } from './active-locale';

/** The forms a count-dependent sentence can take; `one` falls back to `other` where a language has no such form. */
export interface PluralForms {
  one?: () => string;
  other: () => string;
}

const rules = new Map<string, Intl.PluralRules>();

/**
 * The form of a sentence for a count, chosen by the app language's plural rules
 * (Intl.PluralRules): English "1 device" / "2 devices"; Chinese has one form, so both variants
 * are translated alike. Each form is its own `msg()` so translators see whole sentences.
 */
export function plural(count: number, forms: PluralForms): string {
  const locale = activeLocale();
  let r = rules.get(locale);
  if (!r) {
    r = new Intl.PluralRules(locale);
    rules.set(locale, r);
  }
  const form = r.select(count);
  return (form === 'one' && forms.one ? forms.one : forms.other)();
}
