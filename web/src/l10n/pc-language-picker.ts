import { LitElement, css, html } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { StoreController } from '../state/store-controller';
import { chooseLocale, localeState, type LocaleState } from './locale';
import { APP_LOCALES, isAppLocale, type AppLocale } from './pick-locale';

/** Each language named in itself, so a person finds theirs whatever the app speaks now. */
const LANGUAGE_NAMES: Record<AppLocale, { name: string; lang: string }> = {
  en: { name: 'English', lang: 'en' },
  'zh-CN': { name: '简体中文', lang: 'zh-CN' },
};

/**
 * The language control: a labelled select that switches the app's language at once (no reload)
 * and keeps the choice on this device. Shown on the login screen and the devices screen.
 */
@customElement('pc-language-picker')
@localized()
export class PcLanguagePicker extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: inline-block;
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 8px;
        color: var(--pc-muted);
        font-size: 0.9rem;
      }
      select {
        font: inherit;
        color: var(--pc-text);
        background: var(--pc-bg);
        border: 1px solid var(--pc-border);
        border-radius: 8px;
        min-height: var(--pc-touch);
        padding: 0 8px;
      }
    `,
  ];

  private readonly locale = new StoreController<LocaleState>(this, localeState);

  private pick(e: Event): void {
    const value = (e.target as HTMLSelectElement).value;
    if (isAppLocale(value)) void chooseLocale(value);
  }

  override render() {
    const current = this.locale.value?.locale ?? 'en';
    return html`<label>
      <span>${msg('Language')}</span>
      <select data-testid="language" @change=${(e: Event) => this.pick(e)}>
        ${APP_LOCALES.map((l) => html`<option value=${l} lang=${LANGUAGE_NAMES[l].lang} ?selected=${l === current}>${LANGUAGE_NAMES[l].name}</option>`)}
      </select>
    </label>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-language-picker': PcLanguagePicker;
  }
}
