import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { theme } from '../styles/theme';
import { settingsStyles } from '../settings/settings-styles';
import { conversationsContext, serviceContext, sessionContext, type ConversationsState, type SessionState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { StoreController } from '../state/store-controller';
import type { ExportFormat } from './export-conversation';
import { runExport } from './run-export';

/** Export one conversation as Markdown, HTML or JSON (part of the Storage and backup section). */
@customElement('pc-export-panel')
@localized()
export class PcExportPanel extends LitElement {
  static override styles = [
    theme,
    settingsStyles,
    css`
      :host {
        display: block;
      }
      select {
        font: inherit;
        color: var(--pc-text);
        background: var(--pc-bg);
        border: 1px solid var(--pc-border);
        border-radius: 8px;
        min-height: var(--pc-touch);
        padding: 0 8px;
        max-width: 100%;
      }
      label {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 6px;
      }
    `,
  ];

  @consume({ context: serviceContext }) service!: ChatService;
  private readonly convs = new StoreController<ConversationsState>(this, conversationsContext);
  private readonly session = new StoreController<SessionState>(this, sessionContext);
  @state() private chosen = '';
  @state() private busy = false;
  @state() private outcome: 'done' | 'failed' | null = null;

  private async run(format: ExportFormat): Promise<void> {
    const list = this.convs.value?.list ?? [];
    const c = list.find((x) => x.conv === this.chosen) ?? list[0];
    const db = this.service.database;
    if (!c || !db) return;
    this.busy = true;
    this.outcome = null;
    this.outcome = await runExport(db, c.conv, c.peerName, this.session.value?.username ?? '', format);
    this.busy = false;
  }

  override render() {
    const list = this.convs.value?.list ?? [];
    if (list.length === 0) return html`<p class="muted">${msg('Conversations you have can be exported here.')}</p>`;
    return html`<div class="part">
      <label
        >${msg('Export a conversation')}
        <select @change=${(e: Event) => (this.chosen = (e.target as HTMLSelectElement).value)}>
          ${list.map((c) => html`<option value=${c.conv} ?selected=${c.conv === this.chosen}>${c.peerName}</option>`)}
        </select>
      </label>
      <div class="buttons" role="group" aria-label=${msg('Export as')}>
        <button ?disabled=${this.busy} @click=${() => void this.run('html')}>${msg('Web page (HTML)')}</button>
        <button ?disabled=${this.busy} @click=${() => void this.run('markdown')}>${msg('Text (Markdown)')}</button>
        <button ?disabled=${this.busy} @click=${() => void this.run('json')}>${msg('Data (JSON)')}</button>
      </div>
      ${this.outcome === 'done' ? html`<p class="ok" role="status">${msg('Exported.')}</p>` : nothing}
      ${this.outcome === 'failed' ? html`<p class="error" role="alert">${msg('The export could not be written. Check the space on this device and try again.')}</p>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-export-panel': PcExportPanel;
  }
}
