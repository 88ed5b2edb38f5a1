import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, property, state } from 'lit/decorators.js';
import { REACTION_EMOJI, type ReactionEmoji } from '../../../shared/messaging/index';
import { theme } from '../styles/theme';
import type { StoredMessage } from '../db/schema';
import type { MessageAction, MessageActionDetail } from '../everyday/action-events';

/**
 * The actions of one message, opened from its "⋯" button: the six reactions, Reply, Edit (my own,
 * within 15 minutes), Delete for me, and Delete for everyone (my own, within 24 hours; asks
 * first). A group of buttons reached with Tab; the first takes focus when it opens, Escape
 * closes it (`pc-menu-close`). Each choice fires `pc-message-action`.
 */
@customElement('pc-message-menu')
@localized()
export class PcMessageMenu extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      .panel {
        display: flex;
        flex-direction: column;
        gap: 6px;
        padding: 8px;
        border: 1px solid var(--pc-border);
        border-radius: var(--pc-radius);
        background: var(--pc-surface);
        box-shadow: 0 2px 8px rgb(0 0 0 / 0.15);
        max-width: 100%;
      }
      .reactions,
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 4px;
      }
      .reactions button {
        padding: 0;
        font-size: 1.3rem;
        line-height: 1;
        border-color: transparent;
        background: transparent;
      }
      .reactions button[aria-pressed='true'] {
        border-color: var(--pc-accent);
        background: var(--pc-bg);
      }
      .actions button {
        padding: 0 12px;
      }
      button.danger {
        color: var(--pc-danger);
      }
      .confirm {
        margin: 0;
        font-size: 0.9rem;
      }
    `,
  ];

  @property({ attribute: false }) message!: StoredMessage;
  /** My own message I may still edit now. */
  @property({ type: Boolean }) canEdit = false;
  /** My own message I may still delete for everyone now. */
  @property({ type: Boolean }) canRecall = false;
  /** My current reaction to it, if any. */
  @property() mine: ReactionEmoji | '' = '';
  /** "Delete for everyone" was pressed: asking to confirm. */
  @state() private confirming = false;

  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLButtonElement>('button')?.focus();
  }

  private fire(action: MessageAction, emoji?: ReactionEmoji): void {
    const detail: MessageActionDetail = { action, message: this.message, ...(emoji ? { emoji } : {}) };
    this.dispatchEvent(new CustomEvent<MessageActionDetail>('pc-message-action', { detail, bubbles: true, composed: true }));
  }

  private readonly onKey = (e: KeyboardEvent): void => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    e.stopPropagation();
    this.dispatchEvent(new CustomEvent<void>('pc-menu-close', { bubbles: true, composed: true }));
  };

  override render() {
    const m = this.message;
    const text = !m.fileId && m.recalledAt === undefined;
    if (this.confirming) {
      return html`<div class="panel" role="group" aria-label=${msg('Delete for everyone?')} @keydown=${this.onKey}>
        <p class="confirm">${msg('Delete this message for everyone? It is removed from their device too.')}</p>
        <div class="actions">
          <button class="danger" @click=${() => this.fire('recall')}>${msg('Delete for everyone')}</button>
          <button @click=${() => (this.confirming = false)}>${msg('Cancel')}</button>
        </div>
      </div>`;
    }
    return html`<div class="panel" role="group" aria-label=${msg('Message actions')} @keydown=${this.onKey}>
      ${m.recalledAt === undefined && !m.kind
        ? html`<div class="reactions" role="group" aria-label=${msg('React')}>
            ${REACTION_EMOJI.map(
              (e) => html`<button aria-pressed=${this.mine === e ? 'true' : 'false'} title=${e} @click=${() => this.fire('react', e)}>${e}</button>`,
            )}
          </div>`
        : nothing}
      <div class="actions">
        ${text ? html`<button @click=${() => this.fire('reply')}>${msg('Reply')}</button>` : nothing}
        ${this.canEdit && text ? html`<button @click=${() => this.fire('edit')}>${msg('Edit')}</button>` : nothing}
        <button @click=${() => this.fire('delete')}>${msg('Delete for me')}</button>
        ${this.canRecall && m.recalledAt === undefined
          ? html`<button class="danger" @click=${() => {
              this.confirming = true;
              void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('button')?.focus());
            }}>${msg('Delete for everyone…')}</button>`
          : nothing}
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-message-menu': PcMessageMenu;
  }
}
