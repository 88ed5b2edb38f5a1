import { LitElement, css, html, nothing } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { settingsStyles } from './settings-styles';
import { StoreController } from '../state/store-controller';
import { askPersistentStorage, refreshStorageInfo, storageInfo, type StorageInfo } from './storage-info';
import { formatBytes } from '../format/format';

/**
 * The Storage part of Settings: space used and free on this device, and the request to keep
 * this site's data when the browser runs short of space (history lives only on devices).
 */
@customElement('pc-settings-storage')
@localized()
export class PcSettingsStorage extends LitElement {
  static override styles = [theme, settingsStyles, css`:host { display: block; }`];

  private readonly info = new StoreController<StorageInfo>(this, storageInfo);

  override connectedCallback(): void {
    super.connectedCallback();
    void refreshStorageInfo();
  }

  private figures(s: StorageInfo) {
    if (s.usage === null || s.quota === null) return html`<p class="muted">${msg('This browser does not say how much space is used.')}</p>`;
    const used = formatBytes(s.usage);
    const free = formatBytes(Math.max(0, s.quota - s.usage));
    return html`<p data-testid="storage-figures">${msg(str`${used} used, ${free} free on this device`)}</p>`;
  }

  override render() {
    const s = this.info.value;
    if (!s) return nothing;
    return html`<div class="part">
      ${this.figures(s)}
      ${s.persisted
        ? html`<p class="ok">${msg('The browser keeps Peerchat’s data even when space runs low.')}</p>`
        : html`<p class="muted">${msg('Your history is kept only on your devices. The browser may clear it when space runs low unless you ask it to keep it.')}</p>
            <div class="buttons"><button @click=${() => void askPersistentStorage()}>${msg('Keep my data on this device')}</button></div>
            ${s.refused ? html`<p class="muted" role="status">${msg('The browser did not agree. Installing Peerchat or using it often can change its answer; a backup keeps your history safe either way.')}</p>` : nothing}`}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-settings-storage': PcSettingsStorage;
  }
}
