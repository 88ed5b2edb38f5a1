/**
 * The locale the app speaks right now, as a BCP 47 tag, for the `Intl` formatters
 * (web/src/format/format.ts). Kept apart from the localisation runtime so the formatters stay
 * free of DOM and Lit and can be unit-tested in Node. web/src/l10n/locale.ts sets it.
 */
let current = 'en';

export function activeLocale(): string {
  return current;
}

export function setActiveLocale(locale: string): void {
  current = locale;
}
