import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { usernameKey } from '../../../shared/index';
import { theme } from '../styles/theme';
import { StoreController } from '../state/store-controller';
import { securityContext, serviceContext, type SecurityState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';

/**
 * What a person must know about the security of one conversation, under its header:
 * - the contact's identity key changed: a warning, sending waits, "Accept new key" / "Verify";
 * - a secure session could not be set up: the sentence and a "Retry" button.
 * Fires `pc-verify` when the person wants to compare safety numbers first.
 */
@customElement('pc-security-banner')
export class PcSecurityBanner extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      .bar {
        display: grid;
        gap: 8px;
        padding: 10px 16px;
        border-bottom: 1px solid var(--pc-border);
        font-size: 0.92rem;
        line-height: 1.4;
      }
      .bar.warn {
        background: var(--pc-warn-bg);
        color: var(--pc-warn-text);
      }
      .bar.error {
        background: var(--pc-danger-bg);
        color: var(--pc-danger);
      }
      strong {
        display: block;
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
    `,
  ];

  @property() peerName = '';
  @consume({ context: serviceContext }) service!: ChatService;
  private readonly security = new StoreController<SecurityState>(this, securityContext);

  override render() {
    const name = this.peerName;
    const c = this.security.value?.contacts.get(usernameKey(name));
    if (!c) return nothing;
    if (c.pendingKey) {
      return html`<div class="bar warn" role="alert" data-security="key-changed">
        <p>
          <strong>${name}’s security key has changed.</strong>
          This happens when ${name} starts using a new browser or device — or when someone is trying to get in between you. Your messages to
          ${name} wait until you accept the new key. To be sure, compare safety numbers with ${name} first.
        </p>
        <div class="buttons">
          <button class="primary" @click=${() => void this.service.acceptNewKey(name)}>Accept new key</button>
          <button @click=${() => this.dispatchEvent(new CustomEvent('pc-verify', { bubbles: true, composed: true }))}>Compare safety numbers</button>
        </div>
      </div>`;
    }
    if (c.sessionError) {
      return html`<div class="bar error" role="alert" data-security="session-failed">
        <p>
          <strong>Could not set up a secure session with ${name}.</strong>
          The connection could not be verified as really coming from ${name}’s device, so nothing was sent or shown. It may be a network
          problem — or someone interfering with the connection.
        </p>
        <div class="buttons">
          <button @click=${() => this.service.retrySecure(name)}>Retry</button>
        </div>
      </div>`;
    }
    return nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-security-banner': PcSecurityBanner;
  }
}
