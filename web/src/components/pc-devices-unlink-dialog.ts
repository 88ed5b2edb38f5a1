import { LitElement, css, html, type PropertyValues } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, property, query } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { choiceStyles, dialogStyles } from '../styles/confirm';

/**
 * "Unlink Firefox on Linux?": a modal confirmation. Fires `pc-confirm` (Unlink) or `pc-close`
 * (Cancel, Esc); the parent hides it.
 */
@customElement('pc-devices-unlink-dialog')
@localized()
export class PcDevicesUnlinkDialog extends LitElement {
  static override styles = [
    theme,
    choiceStyles,
    dialogStyles,
    css`
      dialog {
        width: min(92vw, 420px);
      }
      h2 {
        margin: 0 0 10px;
        font-size: 1.15rem;
        overflow-wrap: anywhere;
      }
      p {
        margin: 0 0 14px;
        line-height: 1.45;
      }
    `,
  ];

  /** The device's name, or '' when the dialog is closed. */
  @property() deviceName = '';
  @query('dialog') private dialog!: HTMLDialogElement;

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('deviceName')) return;
    if (this.deviceName && !this.dialog.open) {
      this.dialog.showModal();
      this.renderRoot.querySelector<HTMLElement>('button.cancel')?.focus();
    } else if (!this.deviceName && this.dialog.open) {
      this.dialog.close();
    }
  }

  private fire(type: 'pc-confirm' | 'pc-close'): void {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  }

  override render() {
    return html`<dialog
      aria-labelledby="unlink-title"
      @cancel=${(e: Event) => {
        e.preventDefault();
        this.fire('pc-close');
      }}
    >
      <h2 id="unlink-title">${msg(str`Unlink ${this.deviceName}?`)}</h2>
      <p>
        ${msg(
          str`${this.deviceName} is logged out at once and gets nothing new: your contacts and your other devices stop sending to it. What it already shows stays on it.`,
        )}
      </p>
      <div class="buttons">
        <button class="cancel" @click=${() => this.fire('pc-close')}>${msg('Cancel', { id: 'unlink-cancel', desc: 'Button: keep the device linked' })}</button>
        <button class="danger" @click=${() => this.fire('pc-confirm')}>${msg('Unlink', { id: 'unlink-device' })}</button>
      </div>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-devices-unlink-dialog': PcDevicesUnlinkDialog;
  }
  interface HTMLElementEventMap {
    /** The person confirmed the dialog's action. */
    'pc-confirm': CustomEvent<void>;
  }
}
