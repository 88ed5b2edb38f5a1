import { LitElement, css, html, nothing } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { theme } from '../styles/theme';
import { screenLayoutStyles } from '../styles/screen-layout';
import { conversationsContext, serviceContext, type ConversationsState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { StoreController } from '../state/store-controller';
import { formatShortWhen } from '../format/format';
import { plural } from '../l10n/plural';
import { formatCount } from '../format/format';
import type { Snippet } from '../../../shared/search/index';
import { searchMessages, type SearchHit } from './search-messages';
import { catchUpSearchIndex } from './search-backfill';

/** Which message to open: fired by the search results. */
export interface OpenMessageDetail {
  peerName: string;
  conv: string;
  id: string;
}

/** Waiting this long after the last keystroke before searching (typing stays smooth). */
const TYPING_PAUSE_MS = 250;

/**
 * Search across every conversation kept on this device. Results are grouped by conversation,
 * each with its context and the matching words highlighted; choosing one fires
 * `pc-open-message`. Fires `pc-back`.
 */
@customElement('pc-search-screen')
@localized()
export class PcSearchScreen extends LitElement {
  static override styles = [
    theme,
    screenLayoutStyles,
    css`
      :host {
        --pc-screen-width: 720px;
      }
      header {
        flex-wrap: nowrap;
      }
      input[type='search'] {
        flex: 1;
        min-width: 0;
        font: inherit;
        min-height: var(--pc-touch);
        padding: 0 12px;
        border: 1px solid var(--pc-border);
        border-radius: 8px;
        background: var(--pc-bg);
        color: var(--pc-text);
      }
      h3 {
        margin: 4px 0 6px;
        font-size: 0.95rem;
        color: var(--pc-muted);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 6px;
      }
      .hit {
        display: grid;
        gap: 2px;
        width: 100%;
        text-align: left;
        white-space: normal;
        padding: 8px 12px;
        line-height: 1.4;
      }
      .who {
        display: flex;
        justify-content: space-between;
        gap: 8px;
        font-size: 0.85rem;
        color: var(--pc-muted);
      }
      mark {
        background: var(--pc-warn-bg);
        color: var(--pc-warn-text);
        font-weight: 600;
        border-radius: 3px;
      }
      .status {
        color: var(--pc-muted);
        margin: 0;
      }
    `,
  ];

  @consume({ context: serviceContext }) service!: ChatService;
  private readonly convs = new StoreController<ConversationsState>(this, conversationsContext);
  @state() private text = '';
  @state() private hits: SearchHit[] | null = null;
  @state() private busy = false;
  @query('input') private input?: HTMLInputElement;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  override firstUpdated(): void {
    this.input?.focus();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
  }

  private typed(e: Event): void {
    this.text = (e.target as HTMLInputElement).value;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), TYPING_PAUSE_MS);
  }

  private async run(): Promise<void> {
    const db = this.service.database;
    const q = this.text.trim();
    const gen = ++this.generation;
    if (!db || !q) {
      this.hits = null;
      return;
    }
    this.busy = true;
    try {
      await catchUpSearchIndex(db);
      const hits = await searchMessages(db, q);
      if (gen === this.generation) this.hits = hits;
    } catch (err) {
      console.warn('Peerchat: searching the history failed', err);
      if (gen === this.generation) this.hits = [];
    } finally {
      if (gen === this.generation) this.busy = false;
    }
  }

  private open(hit: SearchHit, peerName: string): void {
    const detail: OpenMessageDetail = { peerName, conv: hit.message.conv, id: hit.message.id };
    this.dispatchEvent(new CustomEvent('pc-open-message', { detail, bubbles: true, composed: true }));
  }

  private snippetView(s: Snippet) {
    const parts = [];
    let at = 0;
    for (const [a, b] of s.spans) {
      parts.push(s.text.slice(at, a), html`<mark>${s.text.slice(a, b)}</mark>`);
      at = b;
    }
    parts.push(s.text.slice(at));
    return html`${s.cutStart ? '…' : ''}${parts}${s.cutEnd ? '…' : ''}`;
  }

  private results() {
    if (this.hits === null) return this.busy ? html`<p class="status" role="status">${msg('Searching…')}</p>` : nothing;
    if (this.hits.length === 0) return html`<p class="status" role="status">${msg('No messages found.')}</p>`;
    const names = new Map((this.convs.value?.list ?? []).map((c) => [c.conv, c.peerName] as const));
    const groups = new Map<string, SearchHit[]>();
    for (const h of this.hits) groups.set(h.message.conv, [...(groups.get(h.message.conv) ?? []), h]);
    const now = Date.now();
    const n = this.hits.length;
    const count = formatCount(n);
    return html`<p class="status" role="status">${plural(n, { one: () => msg(str`${count} message found`), other: () => msg(str`${count} messages found`) })}</p>
      ${[...groups].map(([conv, hits]) => {
        const peerName = names.get(conv) ?? hits[0]?.message.from ?? conv;
        return html`<section aria-label=${peerName}>
          <h3>${peerName}</h3>
          <ul>
            ${hits.map(
              (h) => html`<li>
                <button class="hit" data-id=${h.message.id} @click=${() => this.open(h, peerName)}>
                  <span class="who"><span>${h.message.outgoing ? msg('You', { id: 'message-from-me', desc: 'Sender shown over my own messages' }) : h.message.from}</span><time>${formatShortWhen(h.message.ts, now)}</time></span>
                  <span class="text">${this.snippetView(h.snippet)}</span>
                </button>
              </li>`,
            )}
          </ul>
        </section>`;
      })}`;
  }

  override render() {
    return html`<div class="wrap">
      <header>
        <button @click=${() => this.dispatchEvent(new CustomEvent('pc-back', { bubbles: true, composed: true }))}>${msg('Back')}</button>
        <input type="search" aria-label=${msg('Search messages')} placeholder=${msg('Search messages')} .value=${this.text} @input=${(e: Event) => this.typed(e)} @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && void this.run()} />
      </header>
      ${this.results()}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-search-screen': PcSearchScreen;
  }
  interface HTMLElementEventMap {
    'pc-open-message': CustomEvent<OpenMessageDetail>;
  }
}
