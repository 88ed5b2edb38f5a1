/**
 * Which of the app's languages to speak, from what the person chose on this device or else
 * from the browser's languages. Pure: no DOM, unit-tested in Node.
 */

/** The languages the app is written in: English (the source) and Simplified Chinese. */
export const APP_LOCALES = ['en', 'zh-CN'] as const;
export type AppLocale = (typeof APP_LOCALES)[number];

export function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (APP_LOCALES as readonly string[]).includes(value);
}

/**
 * The app language for one browser language tag, or null when the app does not speak it.
 * Chinese written in simplified characters (zh, zh-CN, zh-Hans, zh-SG, zh-Hans-HK, …) is zh-CN;
 * Chinese in traditional characters (zh-TW, zh-HK, zh-Hant…) is not, as simplified text is not
 * what those readers chose.
 */
function appLocaleFor(tag: string): AppLocale | null {
  const parts = tag.toLowerCase().split(/[-_]/);
  if (parts[0] === 'en') return 'en';
  if (parts[0] !== 'zh') return null;
  if (parts.includes('hant')) return null;
  if (parts.includes('hans')) return 'zh-CN';
  const region = parts[1];
  if (region === 'tw' || region === 'hk' || region === 'mo') return null;
  return 'zh-CN';
}

/**
 * The locale numbers and dates are formatted in, for an app language: the person's own variant
 * of it when the browser names one ("en-GB" writes 14:05 and 23 Nov 2026, "zh-SG" its own
 * way), else the app language itself.
 */
export function formatLocaleFor(app: AppLocale, browserLanguages: readonly string[]): string {
  return browserLanguages.find((tag) => appLocaleFor(tag) === app) ?? app;
}

/**
 * The language to start in: the one saved on this device if it is still one of ours, else the
 * first of the browser's languages (navigator.languages, in the person's order) that the app
 * speaks, else English.
 */
export function pickLocale(saved: string | null, browserLanguages: readonly string[]): AppLocale {
  if (isAppLocale(saved)) return saved;
  for (const tag of browserLanguages) {
    const locale = appLocaleFor(tag);
    if (locale) return locale;
  }
  return 'en';
}
