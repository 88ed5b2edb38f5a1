import { LitElement, css, html } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, property } from 'lit/decorators.js';
import { theme } from '../styles/theme';

/** What the composer is doing besides writing a new message. */
export type ComposeContext = { kind: 'reply'; author: string; excerpt: string } | { kind: 'edit' };

/**
 * The bar over the message box while replying ("Replying to alice: …") or editing a message,
 * with a button that stops it (`pc-compose-cancel`; Escape in the box does the same).
 */
@customElement('pc-reply-bar')
@localized()
export class PcReplyBar extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: flex;
        align-items: center;
        gap: 8px;
        margin-bottom: 6px;
        padding: 0 0 0 10px;
        border-left: 3px solid var(--pc-accent);
        background: var(--pc-surface);
        border-radius: 6px;
        font-size: 0.9rem;
      }
      .what {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        overflow-wrap: anywhere;
        /* Two lines at most: a long quote never widens the composer (no nowrap, whose width would). */
        display: -webkit-box;
        -webkit-line-clamp: 2;
        -webkit-box-orient: vertical;
      }
      strong {
        font-weight: 600;
      }
      button {
        padding: 0;
        border: none;
        background: transparent;
        font-size: 1.1rem;
      }
    `,
  ];

  @property({ attribute: false }) context: ComposeContext | null = null;

  override render() {
    const c = this.context;
    if (!c) return html``;
    const who = c.kind === 'reply' ? c.author : '';
    return html`<span class="what" role="status"
        >${c.kind === 'reply'
          ? html`<strong>${msg(str`Replying to ${who}`)}</strong> ${c.excerpt}`
          : html`<strong>${msg('Editing your message')}</strong> ${msg('(Esc to cancel)')}`}</span
      ><button
        aria-label=${c.kind === 'reply' ? msg('Cancel reply') : msg('Cancel editing')}
        title=${c.kind === 'reply' ? msg('Cancel reply') : msg('Cancel editing')}
        @click=${() => this.dispatchEvent(new CustomEvent<void>('pc-compose-cancel', { bubbles: true, composed: true }))}
      >✕</button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-reply-bar': PcReplyBar;
  }
  interface HTMLElementEventMap {
    /** Stop replying or editing. */
    'pc-compose-cancel': CustomEvent<void>;
  }
}
