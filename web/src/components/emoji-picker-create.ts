/**
 * Builds the emoji picker (emoji-picker-element) for the app's language, with its emoji data
 * served from this app's own origin: each data file is a hashed asset of the build
 * (`?url`), precached by the service worker (web/vite.config.ts), so the picker works offline and
 * never asks a CDN (the library's default data source) for anything. The library keeps the
 * data in IndexedDB after the first load.
 *
 * Loaded with a dynamic import when the emoji button is first used, so the first page load does
 * not pay for the picker (pc-emoji-button.ts).
 */
import { Picker } from 'emoji-picker-element';
import zhCN from 'emoji-picker-element/i18n/zh_CN.js';
import enData from 'emoji-picker-element-data/en/emojibase/data.json?url';
import zhData from 'emoji-picker-element-data/zh/cldr/data.json?url';

/** An emoji picker in Chinese for a `zh*` locale, else in English. */
export function createEmojiPicker(locale: string): Picker {
  return locale.toLowerCase().startsWith('zh')
    ? new Picker({ locale: 'zh', dataSource: zhData, i18n: zhCN })
    : new Picker({ locale: 'en', dataSource: enData });
}

export type { Picker };
