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

/**
 * What the picker's CSS variables cannot reach, added to its shadow root (the library's documented
 * way): every control at least 44 px (the app's touch-target size), the categories in two rows on
 * a phone (nine 44 px tabs do not fit in one), marked by an underline rather than the sliding
 * indicator (which assumes one row), and the emoji glyphs in the app's text colour so a
 * monochrome fallback glyph keeps its contrast in the dark theme.
 */
const PICKER_STYLE = `
  .search { min-height: 44px; }
  .nav-button { min-height: 44px; min-width: 44px; }
  button.emoji, .nav-emoji { color: var(--pc-text, inherit); }
  @media (max-width: 440px) {
    .nav { grid-template-columns: repeat(5, 1fr) !important; }
    .indicator { display: none; }
    .nav-button[aria-selected='true'] { box-shadow: inset 0 -3px 0 var(--indicator-color); }
  }
`;

/** An emoji picker in Chinese for a `zh*` locale, else in English. */
export function createEmojiPicker(locale: string): Picker {
  const picker = locale.toLowerCase().startsWith('zh')
    ? new Picker({ locale: 'zh', dataSource: zhData, i18n: zhCN })
    : new Picker({ locale: 'en', dataSource: enData });
  const style = document.createElement('style');
  style.textContent = PICKER_STYLE;
  picker.shadowRoot?.append(style);
  return picker;
}

export type { Picker };
