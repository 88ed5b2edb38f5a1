/**
 * The app's language at run time (@lit/localize in runtime mode): set up once, switched without
 * a reload. Components that call `msg()` are marked `@localized()` and render again when it
 * changes. The choice is kept on this device (localStorage); without one, the browser's
 * languages decide (see pick-locale.ts). `<html lang>` follows, so screen readers and fonts pick
 * the right language.
 */
import { configureLocalization } from '@lit/localize';
import { sourceLocale, targetLocales } from './generated/locale-codes';
import { setActiveLocale } from './active-locale';
import { formatLocaleFor, pickLocale, type AppLocale } from './pick-locale';
import { Store } from '../state/store';

const STORAGE_KEY = 'peerchat.locale';

const { getLocale, setLocale } = configureLocalization({
  sourceLocale,
  targetLocales,
  // One small module per language; bundled in, so switching works offline in the installed app.
  loadLocale: () => import('./generated/zh-CN'),
});

/** The language the app speaks now, and whether it is ready (false until the first load ends). */
export interface LocaleState {
  locale: AppLocale;
  ready: boolean;
}

function savedLocale(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage blocked (private mode, site data off): the browser's languages decide each time.
    return null;
  }
}

const browserLanguages: readonly string[] = navigator.languages ?? [navigator.language];
const initial = pickLocale(savedLocale(), browserLanguages);
export const localeState = new Store<LocaleState>({ locale: initial, ready: false });

async function apply(locale: AppLocale): Promise<void> {
  try {
    await setLocale(locale);
  } catch (err) {
    console.warn('Peerchat: the language could not be loaded; staying in', getLocale(), err);
  }
  const now = getLocale() as AppLocale;
  setActiveLocale(formatLocaleFor(now, browserLanguages));
  document.documentElement.lang = now;
  localeState.set({ locale: now, ready: true });
}

/** Started once at load: the app waits for it (pc-app renders nothing until `ready`). */
export const localeReady: Promise<void> = apply(initial);

/** Switch the language now and keep the choice on this device. */
export async function chooseLocale(locale: AppLocale): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch (err) {
    console.warn('Peerchat: the language choice could not be kept on this device', err);
  }
  await apply(locale);
}
