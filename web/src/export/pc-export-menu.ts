import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { theme } from '../styles/theme';
import { serviceContext, sessionContext, type SessionState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { StoreController } from '../state/store-controller';
import type { ExportFormat } from './export-conversation';
import { runExport } from './run-export';

const EXPORT_ICON = html`<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M12 15V3"/><path d="M7 8l5-5 5 5"/><path d="M5 12v7a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-7"/></svg>`;

/**
 * "Export conversation" in a conversation's header: a button that shows the three formats
 * (HTML, Markdown, JSON); the export itself is web/src/export/export-conversation.ts, as in
 * Settings.
 */
@customElement('pc-export-menu')
@localized()
export class PcExportMenu extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        position: relative;
        display: inline-block;
      }
      .toggle {
        display: inline-flex;
        align-items: center;
        justify-content: center;
        padding: 0 10px;
      }
      svg {
        width: 20px;
        height: 20px;
      }
      .menu {
        position: absolute;
        right: 0;
        top: calc(100% + 6px);
        z-index: 5;
        display: grid;
        gap: 6px;
        min-width: 210px;
        padding: 10px;
        border: 1px solid var(--pc-border);
        border-radius: var(--pc-radius);
        background: var(--pc-bg);
        box-shadow: 0 6px 20px rgb(0 0 0 / 0.18);
      }
      .menu p {
        margin: 0 0 2px;
        font-weight: 600;
      }
      .menu button {
        text-align: left;
      }
      .note {
        font-size: 0.85rem;
        color: var(--pc-muted);
      }
      .note.error {
        color: var(--pc-danger);
      }
    `,
  ];

  /** The conversation (usernameKey, or a group's key). */
  @property() conv = '';
  /** Its name as shown (the contact's username, or the group's name). */
  @property() peerName = '';
  @consume({ context: serviceContext }) service!: ChatService;
  private readonly session = new StoreController<SessionState>(this, sessionContext);
  @state() private open = false;
  @state() private busy = false;
  @state() private outcome: 'done' | 'failed' | null = null;
  @query('.toggle') private toggleButton?: HTMLButtonElement;

  /** A press anywhere else closes the menu (as menus do). */
  private readonly outside = (e: PointerEvent): void => {
    if (this.open && !e.composedPath().includes(this)) this.open = false;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('pointerdown', this.outside);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('pointerdown', this.outside);
  }

  private close(): void {
    this.open = false;
    this.toggleButton?.focus();
  }

  private async run(format: ExportFormat): Promise<void> {
    const db = this.service.database;
    if (!db || !this.conv) return;
    this.busy = true;
    this.outcome = null;
    this.outcome = await runExport(db, this.conv, this.peerName, this.session.value?.username ?? '', format);
    this.busy = false;
  }

  override render() {
    const label = msg('Export conversation');
    return html`<button
        class="toggle"
        aria-label=${label}
        title=${label}
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="export-menu"
        @click=${() => ((this.open = !this.open), (this.outcome = null))}
      >
        ${EXPORT_ICON}
      </button>
      ${this.open
        ? html`<div
            class="menu"
            id="export-menu"
            role="group"
            aria-labelledby="export-menu-title"
            @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.close()}
          >
            <p id="export-menu-title">${msg('Export as')}</p>
            <button ?disabled=${this.busy} @click=${() => void this.run('html')}>${msg('Web page (HTML)')}</button>
            <button ?disabled=${this.busy} @click=${() => void this.run('markdown')}>${msg('Text (Markdown)')}</button>
            <button ?disabled=${this.busy} @click=${() => void this.run('json')}>${msg('Data (JSON)')}</button>
            ${this.outcome === 'done' ? html`<span class="note" role="status">${msg('Exported.')}</span>` : nothing}
            ${this.outcome === 'failed'
              ? html`<span class="note error" role="alert">${msg('The export could not be written. Check the space on this device and try again.')}</span>`
              : nothing}
          </div>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-export-menu': PcExportMenu;
  }
}
