import { LitElement, css, html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { localized, msg } from '@lit/localize';
import { checkUsername } from '../../../shared/account-rules';
import { theme } from '../styles/theme';
import { describeError } from '../l10n/error-text';
import type { OpenConversationDetail } from './pc-contact-list';

/**
 * "Write to someone" by exact username: the way to reach a person the list does not show (on a
 * server that tells each client only about the people it already knows, nobody new is ever
 * listed as online). Checks the name with the server's own username rule and fires
 * `pc-open-conversation`; opening a conversation is writing to them, as from a contact row.
 */
@customElement('pc-start-conversation')
@localized()
export class PcStartConversation extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
        padding: 8px 16px 0;
      }
      label {
        display: block;
        margin-bottom: 4px;
        font-size: 0.85rem;
        color: var(--pc-muted);
      }
      form {
        display: flex;
        gap: 8px;
      }
      input {
        flex: 1;
        min-width: 0;
        min-height: 44px;
      }
      button {
        min-height: 44px;
      }
      .error {
        margin: 4px 0 0;
        color: var(--pc-danger);
        font-size: 0.85rem;
      }
    `,
  ];

  @state() private error: string | null = null;
  @query('input') private input!: HTMLInputElement;

  private submit(e: Event): void {
    e.preventDefault();
    const name = this.input.value.trim();
    if (!name) return;
    const bad = checkUsername(name);
    if (bad) {
      this.error = describeError(bad);
      return;
    }
    this.error = null;
    this.input.value = '';
    this.dispatchEvent(new CustomEvent<OpenConversationDetail>('pc-open-conversation', { detail: { peerName: name }, bubbles: true, composed: true }));
  }

  override render() {
    return html`
      <label for="start-name">${msg('Username to write to')}</label>
      <form @submit=${(e: Event) => this.submit(e)} aria-label=${msg('Write to someone')}>
        <input
          id="start-name"
          type="text"
          name="username"
          autocomplete="off"
          autocapitalize="off"
          spellcheck="false"
          aria-invalid=${this.error ? 'true' : 'false'}
          aria-describedby="start-error"
          @input=${() => (this.error = null)}
        />
        <button type="submit">${msg('Write')}</button>
      </form>
      ${this.error ? html`<p class="error" id="start-error" role="alert">${this.error}</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-start-conversation': PcStartConversation;
  }
}
