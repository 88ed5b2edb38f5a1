import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, query, state } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { scrollingDialogStyles } from '../styles/confirm';
import { StoreController } from '../state/store-controller';
import { conversationsContext, type ConversationsState } from '../state/contexts';
import { restoreOffer, setRestoreOffer } from './restore-offer-flag';
import './pc-restore-form';

/**
 * Right after logging in on a browser that holds no history for the account: a banner "New on
 * this browser? Restore your history from a backup file" that opens the restore dialog (opened
 * at once when the person asked for it on the login screen). Gone once dismissed, once the
 * device has conversations, and for a newly registered account (restore-offer-flag.ts).
 */
@customElement('pc-restore-offer')
@localized()
export class PcRestoreOffer extends LitElement {
  static override styles = [
    theme,
    scrollingDialogStyles,
    css`
      :host {
        display: block;
      }
      .banner {
        margin: 12px 8px 0;
        padding: 12px 14px;
        border-radius: var(--pc-radius);
        background: var(--pc-warn-bg);
        color: var(--pc-warn-text);
        display: grid;
        gap: 10px;
      }
      .banner p {
        margin: 0;
        line-height: 1.45;
      }
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
      dialog {
        width: min(92vw, 480px);
      }
      .body {
        gap: 12px;
      }
      .body p {
        margin: 0;
        line-height: 1.45;
      }
      .close {
        display: flex;
        justify-content: flex-end;
        padding: 10px 20px;
        border-top: 1px solid var(--pc-border);
      }
    `,
  ];

  private readonly convs = new StoreController<ConversationsState>(this, conversationsContext);
  @state() private offer = restoreOffer();
  @state() private open = false;
  @query('dialog') private dialog?: HTMLDialogElement;
  @query('.banner button.primary') private opener?: HTMLButtonElement;

  /** The device holds no conversations yet (known once the list is loaded). */
  private empty(): boolean {
    const c = this.convs.value;
    return !!c?.loaded && c.list.length === 0;
  }

  protected override willUpdate(): void {
    // Something arrived (a restore elsewhere, catch-up from another device, a message): no offer.
    if (this.offer && !this.open && this.convs.value?.loaded && !this.empty()) this.dismiss();
    // Asked for on the login screen: the dialog opens by itself (until closed once).
    if (this.offer === 'open' && this.empty() && !this.open) this.open = true;
  }

  protected override updated(_changed: PropertyValues<this>): void {
    if (this.open && this.isConnected && this.dialog && !this.dialog.open) this.dialog.showModal();
    if (!this.open && this.dialog?.open) this.dialog.close();
  }

  private dismiss(): void {
    this.offer = null;
    setRestoreOffer(null);
  }

  private close(): void {
    this.open = false;
    this.offer = 'offer';
    setRestoreOffer('offer');
    this.opener?.focus();
  }

  override render() {
    if (!this.offer || !this.empty()) return nothing;
    return html`<div class="banner" role="region" aria-label=${msg('Restore from a backup')}>
        <p>${msg('New on this browser? Restore your history from a backup file.')}</p>
        <div class="buttons">
          <button class="primary" aria-haspopup="dialog" @click=${() => (this.open = true)}>${msg('Restore from a backup')}</button>
          <button @click=${() => this.dismiss()}>${msg('Not now')}</button>
        </div>
      </div>
      <dialog
        aria-labelledby="restore-title"
        @cancel=${(e: Event) => {
          e.preventDefault();
          this.close();
        }}
      >
        <div class="body">
          <h2 id="restore-title">${msg('Restore from a backup')}</h2>
          <p>${msg('Choose the backup file Peerchat saved and type its passphrase. Your conversations, contacts and verified marks come back on this browser.')}</p>
          ${this.open ? html`<pc-restore-form></pc-restore-form>` : nothing}
        </div>
        <div class="close"><button @click=${() => this.close()}>${msg('Close')}</button></div>
      </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-restore-offer': PcRestoreOffer;
  }
}
