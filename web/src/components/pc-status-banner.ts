import { LitElement, css, html, nothing } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { sentenceSpace } from '../l10n/join-parts';
import { theme } from '../styles/theme';
import { StoreController } from '../state/store-controller';
import { sessionContext, type SessionState } from '../state/contexts';
import { describeError } from '../l10n/error-text';
import { formatDuration } from '../format/format';

/**
 * Tells the person when the server is out of reach and when it retries. Open conversations
 * keep working meanwhile: they are direct between browsers.
 */
function retryingIn(secs: number): string {
  const wait = formatDuration(secs);
  return msg(str`Retrying in ${wait}.`);
}

@customElement('pc-status-banner')
@localized()
export class PcStatusBanner extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      .bar {
        display: flex;
        align-items: center;
        gap: 12px;
        flex-wrap: wrap;
        padding: 6px 16px;
        background: var(--pc-warn-bg);
        color: var(--pc-warn-text);
        font-size: 0.9rem;
      }
      .bar.error {
        background: var(--pc-danger-bg);
        color: var(--pc-danger);
      }
      .bar span {
        flex: 1;
        min-width: 12em;
      }
    `,
  ];

  private readonly session = new StoreController<SessionState>(this, sessionContext);
  @state() private now = Date.now();
  private ticker: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.ticker = setInterval(() => (this.now = Date.now()), 1000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
  }

  override render() {
    const s = this.session.value;
    if (!s) return nothing;
    const parts = [];
    if (s.connection === 'reconnecting') {
      const secs = Math.max(0, Math.ceil((s.nextRetryAt - this.now) / 1000));
      parts.push(html`<div class="bar" role="status" data-code="SERVER_UNREACHABLE">
        <span>${describeError('SERVER_UNREACHABLE')}${sentenceSpace()}${secs > 0 ? retryingIn(secs) : msg('Retrying…')}</span>
        <button @click=${() => this.dispatchEvent(new CustomEvent<void>('pc-retry', { bubbles: true, composed: true }))}>${msg('Retry now')}</button>
      </div>`);
    } else if (s.connection === 'connecting') {
      parts.push(html`<div class="bar" role="status"><span>${msg('Connecting to the server…')}</span></div>`);
    }
    if (s.localError) parts.push(html`<div class="bar error" role="alert"><span>${describeError(s.localError)}</span></div>`);
    return parts;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-status-banner': PcStatusBanner;
  }
  interface HTMLElementEventMap {
    'pc-retry': CustomEvent<void>;
  }
}
