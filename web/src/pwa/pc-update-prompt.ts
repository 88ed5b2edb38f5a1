import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { StoreController } from '../state/store-controller';
import { updateContext } from '../state/contexts';
import { applyUpdate, dismissUpdate, type UpdateState } from './pwa-register';

const INSECURE_DISMISSED = 'peerchat.insecure-note-dismissed';

/**
 * Small notices about the app itself, floating over the page: a new version is waiting
 * ("Update available — Reload"), or the page is on plain HTTP so it cannot be installed or work
 * offline. (No "ready to work offline" toast: on a phone it would sit over the message box right
 * after the first visit, for news that needs no action.)
 */
@customElement('pc-update-prompt')
@localized()
export class PcUpdatePrompt extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        position: fixed;
        z-index: 10;
        left: 16px;
        bottom: calc(16px + env(safe-area-inset-bottom));
        width: min(420px, calc(100vw - 32px));
        display: flex;
        flex-direction: column;
        gap: 8px;
        pointer-events: none;
      }
      @media (max-width: 719px) {
        :host {
          left: 8px;
          width: calc(100vw - 16px);
          bottom: calc(8px + env(safe-area-inset-bottom));
        }
      }
      .toast {
        pointer-events: auto;
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: 8px 12px;
        padding: 10px 12px 10px 16px;
        border-radius: var(--pc-radius);
        background: var(--pc-surface);
        border: 1px solid var(--pc-border);
        box-shadow: 0 6px 24px rgb(0 0 0 / 0.18);
        line-height: 1.4;
      }
      .toast.warn {
        background: var(--pc-warn-bg);
        color: var(--pc-warn-text);
      }
      code {
        white-space: nowrap;
      }
      .toast p {
        flex: 1 1 12em;
        margin: 0;
      }
      .actions {
        display: flex;
        gap: 8px;
        margin-left: auto;
      }
    `,
  ];

  private readonly state = new StoreController<UpdateState>(this, updateContext);
  @state() private insecureDismissed = sessionStorage.getItem(INSECURE_DISMISSED) === '1';
  @state() private reloading = false;

  private async reload(): Promise<void> {
    this.reloading = true;
    try {
      await applyUpdate();
    } catch (err) {
      // The button comes back, so the person can try again (or reload by hand).
      console.warn('Peerchat: the new version could not be activated', err);
      this.reloading = false;
    }
  }

  override render() {
    const s = this.state.value;
    if (!s) return nothing;
    const insecure = !window.isSecureContext && !this.insecureDismissed;
    return html`
      ${s.needRefresh
        ? html`<div class="toast" role="alert">
            <p>${msg('Update available — reload to use the new version of Peerchat.')}</p>
            <div class="actions">
              <button @click=${() => dismissUpdate()}>${msg('Later')}</button>
              <button class="primary" ?disabled=${this.reloading} @click=${() => void this.reload()}>${this.reloading ? msg('Reloading…') : msg('Reload')}</button>
            </div>
          </div>`
        : nothing}
      ${insecure
        ? html`<div class="toast warn" role="status">
            <p>${msg(html`This page is not using HTTPS, so Peerchat can't be installed or opened offline here. Whoever runs the server can start it with <code>--https</code>.`)}</p>
            <div class="actions">
              <button
                @click=${() => {
                  sessionStorage.setItem(INSECURE_DISMISSED, '1');
                  this.insecureDismissed = true;
                }}
              >
                ${msg('Dismiss')}
              </button>
            </div>
          </div>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-update-prompt': PcUpdatePrompt;
  }
}
