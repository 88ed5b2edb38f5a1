import { LitElement, css, html, nothing } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { usernameKey } from '../../../shared/index';
import { errorCodeOf, type AppErrorCode } from '../../../shared/errors';
import { theme } from '../styles/theme';
import { StoreController } from '../state/store-controller';
import { serviceContext } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { describeError } from '../l10n/error-text';
import { requestsContext, type RequestsState } from './requests-state';

/**
 * The bar on a message request's conversation (someone who is not a contact wrote): Accept,
 * Delete, Block; on a blocked account's conversation: Unblock, Delete. Says that nothing about
 * this device reaches them before Accept, and that blocking is local (the server is not told).
 * Draws nothing for a contact.
 */
@customElement('pc-request-bar')
@localized()
export class PcRequestBar extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      section {
        display: grid;
        gap: 8px;
        padding: 12px 16px;
        border-bottom: 1px solid var(--pc-border);
        background: var(--pc-warn-bg);
        color: var(--pc-warn-text);
        font-size: 0.92rem;
        line-height: 1.4;
      }
      h3 {
        margin: 0;
        font-size: 1rem;
      }
      p {
        margin: 0;
      }
      .buttons {
        display: flex;
        gap: 8px;
        flex-wrap: wrap;
      }
      .error {
        color: var(--pc-danger);
        font-weight: 600;
      }
    `,
  ];

  @property() peerName = '';
  @consume({ context: serviceContext }) service!: ChatService;
  private readonly requests = new StoreController<RequestsState>(this, requestsContext);
  @state() private error: AppErrorCode | null = null;
  @state() private busy = false;

  private async act(action: 'accept' | 'delete' | 'block' | 'unblock'): Promise<void> {
    this.busy = true;
    try {
      await this.service.requests[action](this.peerName);
      this.error = null;
    } catch (err) {
      console.warn(`Peerchat: the request could not be updated (${action})`, errorCodeOf(err));
      this.error = 'REQUEST_ACTION_FAILED';
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const conv = usernameKey(this.peerName);
    const s = this.requests.value;
    const blocked = s?.blocked.has(conv) ?? false;
    const request = s?.requests.has(conv) ?? false;
    if (!blocked && !request) return nothing;
    const name = this.peerName;
    const error = this.error ? html`<p class="error" role="alert">${describeError(this.error)}</p>` : nothing;
    if (blocked) {
      return html`<section aria-labelledby="req-title" data-request="blocked">
        <h3 id="req-title">${msg(str`You blocked ${name}`)}</h3>
        <p>${msg(str`This device refuses ${name}’s messages and connections. Peerchat’s server is not told.`)}</p>
        <div class="buttons">
          <button ?disabled=${this.busy} @click=${() => void this.act('unblock')}>${msg('Unblock')}</button>
          <button ?disabled=${this.busy} @click=${() => void this.act('delete')}>${msg('Delete', { id: 'request-delete' })}</button>
        </div>
        ${error}
      </section>`;
    }
    return html`<section aria-labelledby="req-title" data-request="pending">
      <h3 id="req-title">${msg(str`Message request from ${name}`)}</h3>
      <p>
        ${msg(
          str`${name} is not in your contacts. Until you accept, ${name} cannot connect to this device or see whether you read this, and only text is shown. Block refuses ${name} on this device only: Peerchat’s server is not told.`,
        )}
      </p>
      <div class="buttons">
        <button class="primary" ?disabled=${this.busy} @click=${() => void this.act('accept')}>${msg('Accept', { id: 'request-accept', desc: 'Button: accept a message request' })}</button>
        <button ?disabled=${this.busy} @click=${() => void this.act('delete')}>${msg('Delete', { id: 'request-delete' })}</button>
        <button ?disabled=${this.busy} @click=${() => void this.act('block')}>${msg('Block')}</button>
      </div>
      ${error}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-request-bar': PcRequestBar;
  }
}
