import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { restoreOffer, setRestoreOffer } from './restore-offer-flag';

/**
 * "Restore from a backup" on the login screen. A backup belongs to an account and is restored
 * into that account's history on this browser, so the person logs in first; this says so and
 * has the restore dialog open by itself right after the login (pc-restore-offer).
 */
@customElement('pc-login-restore')
@localized()
export class PcLoginRestore extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: grid;
        gap: 8px;
      }
      button {
        justify-self: start;
      }
      p {
        margin: 0;
        padding: 10px 12px;
        border-radius: 8px;
        background: var(--pc-surface);
        line-height: 1.45;
      }
    `,
  ];

  @state() private asked = restoreOffer() === 'open';

  private toggle(): void {
    this.asked = !this.asked;
    setRestoreOffer(this.asked ? 'open' : null);
  }

  override render() {
    return html`<button type="button" aria-expanded=${this.asked ? 'true' : 'false'} aria-controls="restore-how" @click=${() => this.toggle()}>${msg('Restore from a backup')}</button>
      ${this.asked
        ? html`<p id="restore-how" role="status">${msg('A backup is restored into your account: log in above first (on a new browser, link it to your account or start over with a new key). Right after that, Peerchat asks for the backup file and its passphrase.')}</p>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-login-restore': PcLoginRestore;
  }
}
