import { LitElement, css, html, nothing } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { theme } from '../styles/theme';
import { screenLayoutStyles } from '../styles/screen-layout';
import { choiceStyles } from '../styles/confirm';
import { serviceContext, sessionContext, type SessionState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { StoreController } from '../state/store-controller';
import { ownDevicesContext } from '../devices/device-contexts';
import type { OwnDevicesState } from '../devices/own-devices';
import { deviceViews } from '../devices/device-view';
import '../l10n/pc-language-picker';
import { describeError } from '../l10n/error-text';
import type { DeviceRenameDetail, DeviceUnlinkDetail } from './pc-devices-item';
import './pc-devices-item';
import './pc-confirm-dialog';

/**
 * "Your devices": every device of the account (name, added, online or last seen, this device),
 * Rename, and Unlink with a confirmation. Changes are published as a new list signed with the
 * account key; the screen redraws when the server pushes it back. Fires `pc-back`.
 */
@customElement('pc-devices-screen')
@localized()
export class PcDevicesScreen extends LitElement {
  static override styles = [
    theme,
    choiceStyles,
    screenLayoutStyles,
    css`
      /* The language control sits at the end of the header, on its own line when it does not fit. */
      header pc-language-picker {
        margin-left: auto;
      }
      p {
        margin: 0;
        line-height: 1.45;
      }
      .note {
        padding: 10px 12px;
        border-radius: 8px;
        background: var(--pc-warn-bg);
        color: var(--pc-warn-text);
      }
      .error {
        padding: 10px 12px;
        border-radius: 8px;
        background: var(--pc-danger-bg);
        color: var(--pc-danger);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 10px;
      }
      .muted {
        color: var(--pc-muted);
      }
      button.link {
        justify-self: start;
      }
    `,
  ];

  @consume({ context: serviceContext }) service!: ChatService;
  private readonly own = new StoreController<OwnDevicesState>(this, ownDevicesContext);
  private readonly session = new StoreController<SessionState>(this, sessionContext);
  @state() private unlinking: DeviceUnlinkDetail | null = null;
  /** The reset warning is open. */
  @state() private confirmingReset = false;
  @state() private resetting = false;

  private async resetKey(): Promise<void> {
    this.resetting = true;
    try {
      await this.service.devices.startOver();
    } catch (err) {
      console.error('Peerchat: resetting the account key failed', err);
    } finally {
      this.resetting = false;
      this.confirmingReset = false;
    }
  }

  /**
   * The remedy for a stolen device that still holds the account key: a new key, which only the
   * devices the person still holds get (every other session ends; contacts see a key change).
   */
  private resetPart(editable: boolean) {
    if (!editable) return nothing;
    if (!this.confirmingReset) {
      return html`<button class="link" @click=${() => (this.confirmingReset = true)}>${msg('Reset the account key…')}</button>`;
    }
    return html`<div class="warning" role="group" aria-label=${msg('Reset the account key')}>
      <p>
        ${msg(
          'Do this if a device of yours was lost or stolen. Your account gets a new key held only by this device: every other device is logged out, says the server shows a different key, and joins again only when you choose "link again" there and approve it here; everyone you talk to sees a warning that your security key changed.',
        )}
      </p>
      <div class="buttons">
        <button @click=${() => (this.confirmingReset = false)} ?disabled=${this.resetting}>${msg('Cancel', { id: 'reset-cancel', desc: 'Button: do not reset the account key' })}</button>
        <button class="danger" @click=${() => void this.resetKey()} ?disabled=${this.resetting}>${msg('Reset the key')}</button>
      </div>
    </div>`;
  }

  private back(): void {
    this.dispatchEvent(new CustomEvent('pc-back', { bubbles: true, composed: true }));
  }

  private rename(e: CustomEvent<DeviceRenameDetail>): void {
    this.service.devices.own.rename(e.detail.id, e.detail.name);
  }

  private confirmUnlink(): void {
    const target = this.unlinking;
    this.unlinking = null;
    if (target) this.service.devices.own.unlink(target.id);
  }

  override render() {
    const s = this.own.value;
    const online = this.session.value?.connection === 'online';
    const views = s?.list ? deviceViews(s.list.devices, s.thisDevice, s.online, s.lastSeen) : [];
    const editable = online && s?.status === 'approved' && !!s.list;
    const name = this.unlinking?.name ?? '';
    return html`<div class="wrap">
      <header>
        <button @click=${() => this.back()}>${msg('Back')}</button>
        <h2 id="devices-title">${msg('Your devices')}</h2>
        <pc-language-picker></pc-language-picker>
      </header>
      <p>${msg('These browsers and devices are your account. Each one gets your messages, and any of them can approve a new one.')}</p>
      <p class="note">${msg('If you lose every device, your account gets a new key and your contacts will see a warning.')}</p>
      ${s?.error ? html`<p class="error" role="alert">${describeError(s.error)}</p>` : nothing}
      ${views.length
        ? html`<ul aria-labelledby="devices-title" @pc-device-rename=${(e: CustomEvent<DeviceRenameDetail>) => this.rename(e)}
            @pc-device-unlink=${(e: CustomEvent<DeviceUnlinkDetail>) => (this.unlinking = e.detail)}>
            ${views.map((d) => html`<li><pc-devices-item .device=${d} ?editable=${editable}></pc-devices-item></li>`)}
          </ul>`
        : html`<p class="muted" role="status">${msg('The list of your devices appears once the server has answered.')}</p>`}
      ${online ? nothing : html`<p class="muted">${msg('Changes can be made while you are connected.')}</p>`}
      ${this.resetPart(editable)}
      <pc-confirm-dialog
        .heading=${name ? msg(str`Unlink ${name}?`) : ''}
        .body=${name ? msg(str`${name} is logged out at once and gets nothing new: your contacts and your other devices stop sending to it. What it already shows stays on it.`) : ''}
        .action=${msg('Unlink', { id: 'unlink-device' })}
        @pc-close=${() => (this.unlinking = null)}
        @pc-confirm=${() => this.confirmUnlink()}
      ></pc-confirm-dialog>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-devices-screen': PcDevicesScreen;
  }
}
