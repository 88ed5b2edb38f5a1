import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, property } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { screenLayoutStyles } from '../styles/screen-layout';
import { settingsStyles } from './settings-styles';
import { StoreController } from '../state/store-controller';
import { settingsContext } from './settings-context';
import { changeSettings } from './settings-store';
import { THEME_CHOICES, type DeviceSettings, type ThemeChoice } from './settings-model';
import '../l10n/pc-language-picker';
import './pc-settings-profile';
import './pc-settings-notifications';
import './pc-settings-storage';
import '../export/pc-export-panel';
import '../backup/pc-backup-panel';
import { switchRow } from './switch-row';

/**
 * Settings: profile, notifications, privacy (read receipts, typing), appearance, language, storage and
 * devices. Every choice applies at once and is kept on this device. Fires `pc-back`, and
 * `pc-open-devices` for the Devices screen.
 */
@customElement('pc-settings-screen')
@localized()
export class PcSettingsScreen extends LitElement {
  static override styles = [
    theme,
    settingsStyles,
    screenLayoutStyles,
    css`
      fieldset {
        min-inline-size: 0;
        border: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
      legend {
        padding: 0;
        margin-bottom: 8px;
      }
      .choice {
        display: inline-flex;
        align-items: center;
        gap: 8px;
        min-height: var(--pc-touch);
        padding: 0 14px;
        border: 1px solid var(--pc-border);
        border-radius: 8px;
        background: var(--pc-bg);
        cursor: pointer;
      }
      .choice:has(input:checked) {
        border-color: var(--pc-accent);
        box-shadow: inset 0 0 0 1px var(--pc-accent);
      }
      .choice input {
        margin: 0;
        accent-color: var(--pc-accent);
      }
    `,
  ];

  /** Whether the Devices screen exists for this account (approved on this device). */
  @property({ type: Boolean }) devicesAvailable = false;

  private readonly settings = new StoreController<DeviceSettings>(this, settingsContext);

  private fire(name: 'pc-back' | 'pc-open-devices'): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }

  private themeName(t: ThemeChoice): string {
    switch (t) {
      case 'system':
        return msg('Same as the system', { desc: 'Theme choice: follow the light/dark setting of the system' });
      case 'light':
        return msg('Light', { desc: 'Theme choice' });
      case 'dark':
        return msg('Dark', { desc: 'Theme choice' });
    }
  }

  private privacy(s: DeviceSettings) {
    return html`<section aria-labelledby="privacy-title">
      <h3 id="privacy-title">${msg('Privacy')}</h3>
      ${switchRow({
        id: 'receipts',
        label: msg('Read receipts'),
        hint: msg('Off: contacts do not see when you read their messages, and you do not see when they read yours.'),
        checked: s.readReceipts,
        onChange: (on) => changeSettings({ readReceipts: on }),
      })}
      ${switchRow({
        id: 'typing',
        label: msg('Typing indicator'),
        hint: msg('Off: contacts do not see when you are typing, and you do not see when they are.'),
        checked: s.typingIndicators,
        onChange: (on) => changeSettings({ typingIndicators: on }),
      })}
    </section>`;
  }

  private appearance(s: DeviceSettings) {
    return html`<section aria-labelledby="appearance-title">
      <h3 id="appearance-title">${msg('Appearance')}</h3>
      <fieldset>
        <legend>${msg('Theme')}</legend>
        ${THEME_CHOICES.map(
          (t) => html`<label class="choice"
            ><input type="radio" name="theme" value=${t} .checked=${s.theme === t} @change=${() => changeSettings({ theme: t })} />${this.themeName(t)}</label
          >`,
        )}
      </fieldset>
      <pc-language-picker></pc-language-picker>
    </section>`;
  }

  override render() {
    const s = this.settings.value;
    if (!s) return nothing;
    return html`<div class="wrap">
      <header>
        <button @click=${() => this.fire('pc-back')}>${msg('Back')}</button>
        <h2>${msg('Settings')}</h2>
      </header>
      <pc-settings-profile></pc-settings-profile>
      <pc-settings-notifications></pc-settings-notifications>
      ${this.privacy(s)} ${this.appearance(s)}
      <section aria-labelledby="storage-title">
        <h3 id="storage-title">${msg('Storage and backup')}</h3>
        <pc-settings-storage></pc-settings-storage>
        <pc-export-panel></pc-export-panel>
        <pc-backup-panel></pc-backup-panel>
      </section>
      ${this.devicesAvailable
        ? html`<section aria-labelledby="devices-title">
            <h3 id="devices-title">${msg('Devices')}</h3>
            <p class="muted">${msg('The browsers and devices that are your account.')}</p>
            <div class="buttons"><button @click=${() => this.fire('pc-open-devices')}>${msg('Your devices')}</button></div>
          </section>`
        : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-settings-screen': PcSettingsScreen;
  }
  interface HTMLElementEventMap {
    'pc-open-devices': CustomEvent<void>;
  }
}
