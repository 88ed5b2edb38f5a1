import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { theme } from '../styles/theme';
import { serviceContext } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { StoreController } from '../state/store-controller';
import { ownDevicesContext } from '../devices/device-contexts';
import type { OwnDevicesState } from '../devices/own-devices';
import { describeError } from '../l10n/error-text';

/**
 * Shown while this device holds the account key and the server showed another key (or a list
 * that does not verify with it): nothing changed here. Linking this device again under the
 * server's key is only ever the person's own choice, after a warning, and still needs the codes
 * confirmed on both screens.
 */
@customElement('pc-link-key-refused')
@localized()
export class PcLinkKeyRefused extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      .box {
        display: grid;
        gap: 10px;
        margin: 8px 12px;
        padding: 10px 12px;
        border-radius: 10px;
        background: var(--pc-danger-bg);
        color: var(--pc-danger);
      }
      p {
        margin: 0;
        line-height: 1.45;
      }
      .buttons {
        display: flex;
        gap: 10px;
        flex-wrap: wrap;
      }
    `,
  ];

  @consume({ context: serviceContext }) service!: ChatService;
  private readonly own = new StoreController<OwnDevicesState>(this, ownDevicesContext);
  /** The "link again" warning is open. */
  @state() private confirming = false;

  private async linkAgain(): Promise<void> {
    try {
      await this.service.devices.linkAgain();
    } catch (err) {
      console.error('Peerchat: could not start linking this device again', err);
    }
  }

  override render() {
    const refused = this.own.value?.refused;
    if (!refused) return nothing;
    return html`<div class="box" role="alert">
      <p>${describeError(refused)}</p>
      ${this.confirming
        ? html`<p>
              ${msg(
                'Only if you reset your account key yourself on another device: this device forgets the key it holds and waits to be approved by a device with the new key. If you did not, log out instead.',
              )}
            </p>
            <div class="buttons">
              <button @click=${() => (this.confirming = false)}>${msg('Cancel', { id: 'relink-cancel', desc: 'Button: keep the key this device holds' })}</button>
              <button class="primary" @click=${() => void this.linkAgain()}>${msg('Forget this key and link again')}</button>
            </div>`
        : html`<div class="buttons">
            <button @click=${() => (this.confirming = true)}>${msg('I reset the key on another device…')}</button>
          </div>`}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-link-key-refused': PcLinkKeyRefused;
  }
}
