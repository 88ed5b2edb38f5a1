import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { usernameKey } from '../../../shared/index';
import { sentenceSpace } from '../l10n/join-parts';
import { theme } from '../styles/theme';
import { StoreController } from '../state/store-controller';
import { securityContext, serviceContext, type SecurityState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { describeError, explainError } from '../l10n/error-text';

/**
 * What a person must know about the security of one conversation, under its header:
 * - the contact's identity key changed: a warning, sending waits, "Accept new key" / "Verify";
 * - a secure session could not be set up: the sentence and a "Retry" button.
 * Fires `pc-verify` when the person wants to compare safety numbers first. The sentences are
 * those of the error codes (web/src/l10n/error-text.ts).
 */
@customElement('pc-security-banner')
@localized()
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
    const params = { name };
    if (c.pendingKey) {
      return html`<div class="bar warn" role="alert" data-security="key-changed" data-code="PEER_KEY_CHANGED">
        <p>
          <strong>${describeError('PEER_KEY_CHANGED', params)}</strong>${sentenceSpace()}${explainError('PEER_KEY_CHANGED', params)}
        </p>
        <div class="buttons">
          <button class="primary" @click=${() => this.service.acceptNewKey(name).catch((err: unknown) => console.warn('Peerchat: the new key could not be accepted', err))}>${msg('Accept new key')}</button>
          <button @click=${() => this.dispatchEvent(new CustomEvent<void>('pc-verify', { bubbles: true, composed: true }))}>${msg('Compare safety numbers')}</button>
        </div>
      </div>`;
    }
    if (c.sessionError) {
      return html`<div class="bar error" role="alert" data-security="session-failed" data-code=${c.sessionError}>
        <p>
          <strong>${describeError(c.sessionError, params)}</strong>${sentenceSpace()}${explainError(c.sessionError, params)}
        </p>
        <div class="buttons">
          <button @click=${() => this.service.retrySecure(name)}>${msg('Retry')}</button>
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
  interface HTMLElementEventMap {
    'pc-verify': CustomEvent<void>;
  }
}
