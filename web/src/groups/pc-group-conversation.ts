import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { localized, msg, str } from '@lit/localize';
import { theme } from '../styles/theme';
import { conversationFrameStyles } from '../styles/conversation-frame';
import { memberCountText } from './group-text';
import { sentenceSpace } from '../l10n/join-parts';
import { StoreController } from '../state/store-controller';
import { serviceContext } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { MessagesController } from '../controllers/messages-controller';
import { describeError } from '../l10n/error-text';
import { usernameKey } from '../../../shared/index';
import type { ComposerDraft, FilesDetail, PcComposer, SendDetail, SendResult } from '../components/pc-composer';
import '../components/pc-composer';
import '../components/pc-message-list';
import { groupConv, groupsContext, type GroupView, type GroupsState } from './groups-contract';
import { groupActionError, groupActionsOf, groupReceiptsOf, type GroupActionError } from './group-actions-of';
import './pc-group-info-dialog';
import '../export/pc-export-menu';
import { FileIntakeController } from '../controllers/file-intake-controller';
import { TypingController } from '../everyday/typing-controller';
import { groupTypingText } from './group-typing-text';
import { ActionController } from '../everyday/action-controller';
import { groupTarget } from './group-action-target';

/**
 * One group conversation: a header with the group's name, member count and "Info", the
 * messages (each incoming one under its author's name), and the composer, or, once this
 * account was removed or left, a bar saying so (the history stays). Fires `pc-back`.
 */
@customElement('pc-group-conversation')
@localized()
export class PcGroupConversation extends LitElement {
  static override styles = [
    theme,
    conversationFrameStyles,
    css`
      .gone {
        display: grid;
        gap: 4px;
        padding: 14px 16px;
        border-top: 1px solid var(--pc-border);
        background: var(--pc-surface);
        text-align: center;
        line-height: 1.4;
      }
      .gone strong {
        font-size: 1rem;
      }
      .gone span {
        color: var(--pc-muted);
        font-size: 0.9rem;
      }
    `,
  ];

  /** The group's id. */
  @property() groupId = '';
  /** Single-pane layout: show a back button to the list. */
  @property({ type: Boolean, reflect: true }) narrow = false;
  @consume({ context: serviceContext }) service?: ChatService;
  private readonly groups = new StoreController<GroupsState>(this, groupsContext);
  private readonly messages = new MessagesController(this, () => this.service);
  /** Files dropped or pasted here go to the group (members still in it only). */
  readonly files = new FileIntakeController(this, (files) => {
    if (this.group?.me.kind === 'member') void this.sendFiles(files);
  });
  /** The composer drives "typing…" to the members; theirs shows under the group's name. */
  private readonly typing = new TypingController(this, () => groupReceiptsOf(this.service)?.typing.service, () => this.groupId);
  /** Reply, reactions, edit, delete: the same menu as a two-person conversation, run for the group. */
  private readonly acts = new ActionController(this, () => this.service, {
    target: () => {
      const groups = groupActionsOf(this.service);
      return groups ? groupTarget(groups, this.groupId) : null;
    },
    draft: (text) => (this.draft = { text }),
    focusComposer: () => this.composer?.focus(),
    failed: (err) => (this.sendError = groupActionError(err, 'a message action in a group')),
  });
  @state() private draft: ComposerDraft | null = null;
  /** A message scrolled to and highlighted briefly (a reply's quote was pressed). */
  @state() private highlightId = '';
  @state() private infoOpen = false;
  @state() private sendError: GroupActionError | null = null;
  @state() private sendResult: SendResult | null = null;
  @query('pc-composer') private composer?: PcComposer;
  @query('button.info') private infoButton?: HTMLButtonElement;

  private get group(): GroupView | undefined {
    return this.groups.value?.groups.get(this.groupId);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('groupId')) {
      this.acts.reset();
      this.sendError = null;
      this.infoOpen = false;
      void this.messages.show(this.groupId ? groupConv(this.groupId) : null);
      // Opened: what is on screen now may be read (sent once the group is the active one).
      groupReceiptsOf(this.service)?.viewed();
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('groupId')) void this.focusComposer();
  }

  /** Focus goes where the person types next, once the composer has drawn its box. */
  private async focusComposer(): Promise<void> {
    await this.composer?.updateComplete;
    this.composer?.focus();
  }

  /** Loads message `id` if needed, scrolls to it and highlights it briefly. */
  private reveal(id: string): void {
    this.highlightId = '';
    void this.messages.reveal(id).then((found) => {
      if (found) this.highlightId = id;
      if (found) setTimeout(() => this.highlightId === id && (this.highlightId = ''), 2500);
    });
  }

  private async onSend(e: CustomEvent<SendDetail>): Promise<void> {
    const text = e.detail.text;
    try {
      await this.acts.submit(text);
      this.sendError = null;
      this.sendResult = { text, ok: true };
    } catch (err) {
      // The text stays in the box, so nothing typed is lost.
      this.sendResult = { text, ok: false };
      this.sendError = groupActionError(err, 'sending to a group');
    }
  }

  private async sendFiles(files: readonly File[]): Promise<void> {
    const groups = groupActionsOf(this.service);
    try {
      if (!groups) throw new Error('no group service');
      await groups.sendFiles(this.groupId, files);
      this.sendError = null;
    } catch (err) {
      this.sendError = groupActionError(err, 'offering files to a group');
    }
  }

  private closeInfo(): void {
    this.infoOpen = false;
    // Focus goes back to what opened the dialog (if it is still there).
    this.infoButton?.focus();
  }

  /** The bar in place of the composer once this account is out of the group. */
  private goneBar(g: GroupView) {
    const why = g.me.kind === 'removed' ? msg(str`${g.me.by} removed you.`) : g.me.kind === 'left' ? msg('You left.') : '';
    return html`<div class="gone" role="status">
      <strong>${msg('You are no longer in this group')}</strong>
      <span>${why}${why ? sentenceSpace() : ''}${msg('Nothing new reaches you; the messages so far stay on this device.')}</span>
    </div>`;
  }

  override render() {
    const g = this.group;
    if (!g) {
      return html`<header>
          <button class="back" aria-label=${msg('Back to conversations')} @click=${() => this.dispatchEvent(new CustomEvent<void>('pc-back', { bubbles: true, composed: true }))}>←</button>
          <div class="who"><h2>${msg('Loading the group…')}</h2></div>
        </header>`;
    }
    const member = g.me.kind === 'member';
    const me = this.service?.myName ? usernameKey(this.service.myName) : '';
    // Subscribed through the typing controller, so this redraws when someone starts or stops.
    const typers = (groupReceiptsOf(this.service)?.typing.typers(this.groupId) ?? []).map((k) => g.members.find((m) => m.key === k)?.username ?? k);
    return html`
      <header>
        <button class="back" aria-label=${msg('Back to conversations')} @click=${() => this.dispatchEvent(new CustomEvent<void>('pc-back', { bubbles: true, composed: true }))}>←</button>
        <div class="who">
          <h2>${g.name}</h2>
          ${typers.length
            ? html`<div class="status typing" data-testid="group-typing">${groupTypingText(typers)}</div>`
            : html`<div class="status">${member ? memberCountText(g.members.length) : msg('You are no longer in this group')}</div>`}
        </div>
        <button class="info" aria-haspopup="dialog" aria-label=${msg(str`Group info: ${g.name}`)} @click=${() => (this.infoOpen = true)}>${msg('Info')}</button>
        <pc-export-menu .conv=${groupConv(this.groupId)} .peerName=${g.name}></pc-export-menu>
      </header>
      <pc-group-info-dialog .group=${g} ?open=${this.infoOpen} @pc-close=${() => this.closeInfo()}></pc-group-info-dialog>
      <pc-message-list
        .messages=${this.acts.visible(this.messages.messages)}
        .highlightId=${this.highlightId}
        .loading=${this.messages.loading}
        .hasOlder=${this.messages.hasOlder}
        .peerName=${g.name}
        .group=${g}
        .me=${me}
        @pc-load-older=${() => void this.messages.loadOlder()}
        @pc-message-action=${this.acts.onAction}
        @pc-reveal-message=${(e: CustomEvent<{ id: string }>) => this.reveal(e.detail.id)}
      ></pc-message-list>
      ${member
        ? html`<pc-composer
            .error=${this.sendError ? describeError(this.sendError.code, this.sendError.params) : null}
            .result=${this.sendResult}
            .draft=${this.draft}
            .context=${this.acts.context()}
            @pc-compose-cancel=${() => this.acts.cancel()}
            @pc-send=${(e: CustomEvent<SendDetail>) => void this.onSend(e)}
            @pc-files=${(e: CustomEvent<FilesDetail>) => void this.sendFiles(e.detail.files)}
          ></pc-composer>`
        : this.goneBar(g)}
      ${nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-group-conversation': PcGroupConversation;
  }
}
