import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { LIMITS } from '../../../shared/index';
import { theme } from '../styles/theme';

export interface SendDetail {
  text: string;
}

/**
 * The message box. Enter sends, Shift+Enter adds a line. Fires `pc-send` with the text;
 * the box clears only when the parent confirms by calling `clear()`, so nothing typed is lost.
 */
@customElement('pc-composer')
export class PcComposer extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
        border-top: 1px solid var(--pc-border);
        background: var(--pc-bg);
        padding: 8px 12px calc(8px + env(safe-area-inset-bottom));
      }
      form {
        display: flex;
        gap: 8px;
        align-items: flex-end;
      }
      textarea {
        flex: 1;
        font: inherit;
        resize: none;
        min-height: var(--pc-touch);
        max-height: 40vh;
        padding: 10px 12px;
        border-radius: 10px;
        border: 1px solid var(--pc-border);
        background: var(--pc-bg);
        color: var(--pc-text);
        line-height: 1.35;
        field-sizing: content;
      }
      .meta {
        font-size: 0.8rem;
        color: var(--pc-muted);
        margin-top: 4px;
      }
      .meta.error {
        color: var(--pc-danger);
      }
    `,
  ];

  @property({ type: Boolean }) disabled = false;
  /** An error from the last send, shown under the box. */
  @property() error: string | null = null;
  @state() private length = 0;
  @query('textarea') private box!: HTMLTextAreaElement;

  override focus(): void {
    this.box?.focus();
  }

  /** Empties the box after the parent stored the message. */
  clear(): void {
    this.box.value = '';
    this.length = 0;
  }

  /** Puts text in the box, e.g. content shared to the app. */
  setText(text: string): void {
    this.box.value = text;
    this.length = text.length;
  }

  private send(): void {
    const text = this.box.value;
    if (!text.trim() || this.disabled || text.length > LIMITS.maxChatChars) return;
    this.dispatchEvent(new CustomEvent<SendDetail>('pc-send', { detail: { text }, bubbles: true, composed: true }));
  }

  override render() {
    const over = this.length > LIMITS.maxChatChars;
    const near = this.length > LIMITS.maxChatChars * 0.9;
    return html`
      <form
        @submit=${(e: Event) => {
          e.preventDefault();
          this.send();
        }}
      >
        <label class="visually-hidden" for="message">Message</label>
        <textarea
          id="message"
          rows="1"
          placeholder="Write a message"
          aria-describedby="composer-meta"
          @input=${() => (this.length = this.box.value.length)}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              this.send();
            }
          }}
        ></textarea>
        <button type="submit" class="primary" ?disabled=${this.disabled || over || this.length === 0}>Send</button>
      </form>
      <div id="composer-meta" class="meta ${over || this.error ? 'error' : ''}" role=${this.error ? 'alert' : nothing}>
        ${this.error ?? (near ? `${this.length.toLocaleString()} / ${LIMITS.maxChatChars.toLocaleString()} characters` : nothing)}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-composer': PcComposer;
  }
}
