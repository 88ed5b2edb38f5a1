import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { sentenceSpace } from '../l10n/join-parts';
import { theme } from '../styles/theme';
import { choiceStyles } from '../styles/confirm';
import { serviceContext } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { StoreController } from '../state/store-controller';
import { joiningContext } from '../devices/device-contexts';
import type { NewDeviceLinkView } from '../devices/new-device-linker';
import { describeError } from '../l10n/error-text';
import './pc-link-code';

/**
 * The screen of a browser that logged into an existing account without its key: it must be
 * approved from one of the account's devices. Shows the code once a device answered, what went
 * wrong (refused, check failed, expired), and the way out when every device is lost: start over
 * with a new key (contacts see a key change), after a clear warning.
 */
@customElement('pc-link-pending')
@localized()
export class PcLinkPending extends LitElement {
  static override styles = [
    theme,
    choiceStyles,
    css`
      :host {
        display: block;
        overflow-y: auto;
        background: var(--pc-bg);
      }
      .wrap {
        width: min(100%, 520px);
        margin: 0 auto;
        padding: 24px 16px;
        display: grid;
        gap: 16px;
      }
      h2 {
        margin: 0;
        font-size: 1.4rem;
      }
      p {
        margin: 0;
        line-height: 1.45;
      }
      .muted {
        color: var(--pc-muted);
      }
      .error {
        padding: 10px 12px;
        border-radius: 8px;
        background: var(--pc-danger-bg);
        color: var(--pc-danger);
      }
      hr {
        border: none;
        border-top: 1px solid var(--pc-border);
        margin: 4px 0;
        width: 100%;
      }
      button.link {
        justify-self: start;
        white-space: normal;
        text-align: left;
        padding: 8px 12px;
      }
    `,
  ];

  @property() username = '';
  @consume({ context: serviceContext }) service!: ChatService;
  private readonly joining = new StoreController<NewDeviceLinkView>(this, joiningContext);
  /** The start-over warning is open. */
  @state() private confirming = false;
  @state() private startingOver = false;

  private async startOver(): Promise<void> {
    this.startingOver = true;
    try {
      await this.service.devices.startOver();
    } catch (err) {
      console.error('Peerchat: starting over with a new key failed', err);
      this.startingOver = false;
    }
  }

  private status() {
    const v = this.joining.value;
    if (this.startingOver) return html`<p role="status">${msg('Setting up your new key…')}</p>`;
    switch (v?.phase) {
      case 'code':
        return html`<p>${msg('One of your devices answered. Does it show this same code?')}</p>
          <pc-link-code .code=${v.code ?? ''}></pc-link-code>
          <p>${msg('Only if both screens show the same code: choose “The codes match” here, then approve this device there.')}</p>
          <div class="buttons">
            <button class="primary" @click=${() => this.service.devices.confirmCode(true)}>${msg('The codes match')}</button>
            <button @click=${() => this.service.devices.confirmCode(false)}>${msg('They differ')}</button>
          </div>`;
      case 'confirmed':
        return html`<pc-link-code .code=${v.code ?? ''}></pc-link-code>
          <p role="status">${msg('Now approve this device on your other device.')}</p>`;
      case 'granted':
        return html`<p role="status">${msg('Approved. Setting up this device…')}</p>`;
      case 'denied':
      case 'failed':
        return html`<p class="error" role="alert">${v.error ? describeError(v.error) : ''}</p>
          <div class="buttons"><button class="primary" @click=${() => this.service.devices.askAgain()}>${msg('Try again')}</button></div>`;
      case 'waiting':
        return html`<p role="status" class="muted">${msg('Waiting for one of your devices to answer…')}</p>
          <div class="buttons"><button @click=${() => this.service.devices.askAgain()}>${msg('Send the request again')}</button></div>`;
      default:
        // Not linking: this device holds a new account key and waits for the server to take it.
        return html`<p role="status">${msg('Setting up your new key…')}</p>`;
    }
  }

  private startOverPart() {
    if (!this.confirming) {
      return html`<button class="link" @click=${() => (this.confirming = true)}>${msg('I lost all my devices: start over with a new key')}</button>`;
    }
    return html`<div class="warning" role="group" aria-label=${msg('Start over with a new key')}>
      <p>
        <strong>${msg('Your account gets a new key.')}</strong>${sentenceSpace()}${msg(
          'Everyone you talk to will see a warning that your security key changed, and must accept it before your messages reach them.',
        )}
      </p>
      <p>${msg('Any device of yours still signed in is logged out. What is stored on lost devices does not come back.')}</p>
      <div class="buttons">
        <button @click=${() => (this.confirming = false)} ?disabled=${this.startingOver}>${msg('Cancel', { id: 'start-over-cancel', desc: 'Button: keep waiting for approval' })}</button>
        <button class="danger" @click=${() => void this.startOver()} ?disabled=${this.startingOver}>${msg('Start over with a new key')}</button>
      </div>
    </div>`;
  }

  override render() {
    return html`<div class="wrap">
      <h2>${msg('Approve this device from one of your devices')}</h2>
      <p>
        ${msg(
          html`Open Peerchat on a phone or computer where you are already signed in as <strong>${this.username}</strong>. It asks whether this device may join; compare the codes on both screens, and confirm on both.`,
        )}
      </p>
      ${this.status()}
      <hr />
      ${this.startOverPart()}
      ${this.startingOver ? nothing : html`<button class="link" @click=${() => this.service.logout()}>${msg('Log out')}</button>`}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-link-pending': PcLinkPending;
  }
}
