import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import { theme } from '../styles/theme';
import { choiceStyles, dialogStyles } from '../styles/confirm';

/**
 * An action to confirm ("Unlink Firefox on Linux?", "Remove carol?", "Leave Weekend hike?"): a
 * modal with Cancel (focused first, so Enter does no harm) and the action, marked destructive.
 * Fires `pc-confirm` or `pc-close` (Cancel, Esc); the parent hides it by clearing `heading`.
 */
@customElement('pc-confirm-dialog')
@localized()
export class PcConfirmDialog extends LitElement {
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
        overflow-wrap: anywhere;
      }
    `,
  ];

  /** The question, or '' when the dialog is closed. */
  @property() heading = '';
  @property() body = '';
  /** The destructive button's label. */
  @property() action = '';
  @query('dialog') private dialog!: HTMLDialogElement;

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('heading')) return;
    if (this.heading && !this.dialog.open) {
      this.dialog.showModal();
      this.renderRoot.querySelector<HTMLElement>('button.cancel')?.focus();
    } else if (!this.heading && this.dialog.open) {
      this.dialog.close();
    }
  }

  private fire(type: 'pc-confirm' | 'pc-close'): void {
    this.dispatchEvent(new CustomEvent<void>(type, { bubbles: true, composed: true }));
  }

  override render() {
    return html`<dialog
      aria-labelledby="confirm-title"
      @cancel=${(e: Event) => {
        e.preventDefault();
        this.fire('pc-close');
      }}
    >
      <h2 id="confirm-title">${this.heading}</h2>
      <p>${this.body}</p>
      <div class="buttons">
        <button class="cancel" @click=${() => this.fire('pc-close')}>${msg('Cancel')}</button>
        <button class="danger" @click=${() => this.fire('pc-confirm')}>${this.action}</button>
      </div>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-confirm-dialog': PcConfirmDialog;
  }
  interface HTMLElementEventMap {
    /** The person confirmed the dialog's action. */
    'pc-confirm': CustomEvent<void>;
  }
}
