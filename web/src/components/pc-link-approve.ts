import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, query } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { theme } from '../styles/theme';
import { choiceStyles, dialogStyles } from '../styles/confirm';
import { serviceContext } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { StoreController } from '../state/store-controller';
import { approvingContext } from '../devices/device-contexts';
import type { LinkRequestView } from '../devices/existing-device-linker';
import { describeError } from '../l10n/error-text';
import './pc-link-code';

/**
 * On an approved device: "New device: Firefox on Linux wants to join", the code to compare
 * with the new device's screen, Approve / Reject. A failed check is shown in the same dialog,
 * plainly, with nothing linked. One request at a time; the next shows when this one closes.
 */
@customElement('pc-link-approve')
@localized()
export class PcLinkApprove extends LitElement {
  static override styles = [
    theme,
    choiceStyles,
    dialogStyles,
    css`
      dialog {
        width: min(92vw, 440px);
      }
      .body {
        display: grid;
        gap: 14px;
      }
      h2 {
        margin: 0;
        font-size: 1.2rem;
        overflow-wrap: anywhere;
      }
      p {
        margin: 0;
        line-height: 1.45;
      }
      .error {
        padding: 10px 12px;
        border-radius: 8px;
        background: var(--pc-danger-bg);
        color: var(--pc-danger);
      }
    `,
  ];

  @consume({ context: serviceContext }) service!: ChatService;
  private readonly requests = new StoreController<readonly LinkRequestView[]>(this, approvingContext);
  @query('dialog') private dialog!: HTMLDialogElement;
  private shownRid = '';

  private get current(): LinkRequestView | undefined {
    return this.requests.value?.[0];
  }

  protected override updated(_changed: PropertyValues): void {
    const r = this.current;
    if (r && !this.dialog.open) this.dialog.showModal();
    else if (!r && this.dialog.open) this.dialog.close();
    if (r && r.rid !== this.shownRid) {
      this.shownRid = r.rid;
      // Reject is the safe default under the keyboard.
      this.renderRoot.querySelector<HTMLElement>('button.reject, button.close')?.focus();
    }
  }

  private body(r: LinkRequestView) {
    const name = r.name || msg('A new device');
    if (r.error) {
      return html`<h2 id="link-title">${msg(str`${name} was not added`)}</h2>
        <p class="error" role="alert">${describeError(r.error)}</p>
        <div class="buttons"><button class="close primary" @click=${() => this.service.devices.approving.dismiss(r.rid)}>${msg('Close')}</button></div>`;
    }
    return html`<h2 id="link-title">${msg(str`New device: ${name} wants to join`)}</h2>
      <p>${msg(str`Check that ${name} shows this code:`)}</p>
      <pc-link-code .code=${r.code ?? ''}></pc-link-code>
      <p>${msg('Approve only if the codes are the same and you are adding this device yourself. It will get your messages and can approve other devices.')}</p>
      ${r.approving ? html`<p role="status">${msg(str`Adding ${name}…`)}</p>` : nothing}
      <div class="buttons">
        <button class="reject" ?disabled=${r.approving} @click=${() => this.service.devices.approving.reject(r.rid)}>${msg('Reject')}</button>
        <button class="primary" ?disabled=${r.approving} @click=${() => this.service.devices.approving.approve(r.rid)}>${msg('Approve')}</button>
      </div>`;
  }

  override render() {
    const r = this.current;
    return html`<dialog
      aria-labelledby="link-title"
      @cancel=${(e: Event) => {
        e.preventDefault();
        if (r && !r.approving) {
          if (r.error) this.service.devices.approving.dismiss(r.rid);
          else this.service.devices.approving.reject(r.rid);
        }
      }}
    >
      <div class="body">${r ? this.body(r) : nothing}</div>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-link-approve': PcLinkApprove;
  }
}
