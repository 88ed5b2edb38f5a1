import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { StoreController } from '../state/store-controller';
import { installContext } from '../state/contexts';
import { promptInstall, type InstallState } from './install-prompt';

/** "Install" in the top bar while the browser offers installation; absent otherwise. */
@customElement('pc-install-button')
@localized()
export class PcInstallButton extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: contents;
      }
      button {
        display: inline-flex;
        align-items: center;
        gap: 6px;
        white-space: nowrap;
      }
      svg {
        width: 18px;
        height: 18px;
        flex: none;
      }
      /* Phones: the top bar has room for icons only, as its other buttons show there (the
         accessible name and the tooltip stay "Install app"). */
      @media (max-width: 479px) {
        button {
          padding: 0 10px;
          min-width: 44px;
          justify-content: center;
        }
        .text {
          display: none;
        }
      }
    `,
  ];

  private readonly state = new StoreController<InstallState>(this, installContext);

  override render() {
    if (!this.state.value?.canInstall) return nothing;
    return html`<button aria-label=${msg('Install app')} title=${msg('Install Peerchat as an app on this device')} @click=${() => void promptInstall()}>
      <svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
        <path d="M12 3v12m0 0-4-4m4 4 4-4M5 21h14" />
      </svg>
      <span class="text">${msg('Install')}<span class="long">${msg(' app', { desc: 'Follows “Install” on wide screens: “Install app”' })}</span></span>
    </button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-install-button': PcInstallButton;
  }
}
