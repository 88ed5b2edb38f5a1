import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { ContextProvider } from '@lit/context';
import { theme } from '../styles/theme';
import { ChatService } from '../state/chat-service';
import {
  conversationsContext,
  installContext,
  peersContext,
  presenceContext,
  securityContext,
  serviceContext,
  sessionContext,
  shareContext,
  updateContext,
  type ConversationsState,
  type SessionState,
} from '../state/contexts';
import { StoreController } from '../state/store-controller';
import type { OpenConversationDetail } from './pc-contact-list';
import type { ShareDelivery, ShareDeliveredDetail } from './pc-conversation';
import './pc-login-form';
import './pc-contact-list';
import './pc-conversation';
import { requestsContext } from '../requests/requests-state';
import './pc-status-banner';
import '../pwa/pc-install-button';
import '../pwa/pc-share-panel';
import '../pwa/pc-update-prompt';
import { shareIntake, type ShareState } from '../pwa/share-intake';
import { loadSharedFiles } from '../pwa/share-store';
import { installState } from '../pwa/install-prompt';
import { updateState } from '../pwa/pwa-register';

function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/**
 * The root: owns the ChatService, provides each state slice as a context, and lays out
 * two panes on wide screens or one pane with a back button on narrow ones.
 */
@customElement('pc-app')
export class PcApp extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100%;
        height: 100dvh;
        background: var(--pc-bg);
        overflow: hidden;
      }
      .top {
        display: flex;
        align-items: center;
        gap: 12px;
        padding: 4px 12px 4px 16px;
        border-bottom: 1px solid var(--pc-border);
        background: var(--pc-surface);
        min-height: 52px;
      }
      .brand {
        font-weight: 700;
        font-size: 1.1rem;
      }
      .me {
        flex: 1;
        min-width: 0;
        text-align: right;
        color: var(--pc-muted);
        font-size: 0.9rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .panes {
        flex: 1;
        display: grid;
        grid-template-columns: minmax(240px, 320px) 1fr;
        min-height: 0;
      }
      .panes > pc-contact-list {
        border-right: 1px solid var(--pc-border);
      }
      .placeholder {
        display: grid;
        place-items: center;
        color: var(--pc-muted);
        padding: 24px;
        text-align: center;
      }
      :host([narrow]) .panes {
        grid-template-columns: 1fr;
      }
      :host([narrow]) .panes > pc-contact-list {
        border-right: none;
      }
      pc-login-form {
        flex: 1;
        overflow-y: auto;
      }
      .loading {
        flex: 1;
        display: grid;
        place-items: center;
        color: var(--pc-muted);
      }
    `,
  ];

  readonly service = new ChatService(wsUrl());
  private readonly session = new StoreController<SessionState>(this, this.service.session);
  private readonly convs = new StoreController<ConversationsState>(this, this.service.conversations);
  @state() private narrow = false;
  private readonly share = new StoreController<ShareState>(this, shareIntake.state);
  /** Shared content handed to the conversation just chosen, until it says it took it. */
  @state() private shareDelivery: ShareDelivery | null = null;
  private readonly media = window.matchMedia('(max-width: 719px)');

  constructor() {
    super();
    new ContextProvider(this, { context: serviceContext, initialValue: this.service });
    new ContextProvider(this, { context: sessionContext, initialValue: this.service.session });
    new ContextProvider(this, { context: presenceContext, initialValue: this.service.presence });
    new ContextProvider(this, { context: conversationsContext, initialValue: this.service.conversations });
    new ContextProvider(this, { context: peersContext, initialValue: this.service.peers });
    new ContextProvider(this, { context: securityContext, initialValue: this.service.security.state });
    new ContextProvider(this, { context: shareContext, initialValue: shareIntake.state });
    new ContextProvider(this, { context: installContext, initialValue: installState });
    new ContextProvider(this, { context: updateContext, initialValue: updateState });
    new ContextProvider(this, { context: requestsContext, initialValue: this.service.requests.state });
    this.narrow = this.media.matches;
    this.media.addEventListener('change', () => (this.narrow = this.media.matches));
    // Files dropped anywhere but the conversation (which takes them and prevents the default)
    // would make the browser open the file in place of the app, dropping every running transfer.
    window.addEventListener('dragover', refuseStrayFileDrop);
    window.addEventListener('drop', refuseStrayFileDrop);
    this.service.start();
  }

  protected override updated(): void {
    this.toggleAttribute('narrow', this.narrow);
  }

  private activeName(): string | null {
    const active = this.convs.value?.active;
    if (!active) return null;
    const c = this.convs.value?.list.find((x) => x.conv === active);
    return c?.peerName ?? this.openedName;
  }

  /** Display name of the last contact opened, for a conversation with no history yet. */
  private openedName: string | null = null;

  private open(e: CustomEvent<OpenConversationDetail>): void {
    this.openedName = e.detail.peerName;
    this.service.open(e.detail.peerName).catch((err: unknown) => console.warn('Peerchat: opening the conversation failed', err));
    void this.deliverShare(e.detail.peerName);
  }

  /**
   * Content shared to the app goes to the contact just chosen: the conversation offers the files
   * and puts the text in its composer, then fires `pc-share-delivered`.
   */
  private async deliverShare(peerName: string): Promise<void> {
    const text = shareIntake.pendingText();
    const hasFiles = (this.share.value?.content?.files.length ?? 0) > 0;
    if (!text && !hasFiles) return;
    let files: File[] = [];
    try {
      if (hasFiles) files = await loadSharedFiles();
    } catch (err) {
      console.warn('Peerchat: the shared files could not be read', err);
      await shareIntake.fail('SHARE_MISSING');
      return;
    }
    this.shareDelivery = { peerName, text, files };
  }

  private async shareDelivered(e: CustomEvent<ShareDeliveredDetail>): Promise<void> {
    this.shareDelivery = null;
    if (e.detail.files) await shareIntake.discard();
    else await shareIntake.textDelivered();
  }

  override render() {
    const s = this.session.value;
    if (!s) return nothing;
    const loggedIn = s.connection !== 'logged-out' && !!s.username;
    if (!loggedIn) return html`<pc-login-form></pc-login-form><pc-update-prompt></pc-update-prompt>`;
    const active = this.activeName();
    const showList = !this.narrow || !active;
    const showConv = !this.narrow || !!active;
    return html`
      <div class="top">
        <span class="brand">Peerchat</span>
        <span class="me"><span class=${this.narrow ? 'visually-hidden' : ''}>Signed in as </span><strong>${s.username}</strong></span>
        <pc-install-button></pc-install-button>
        <button @click=${() => this.service.logout()}>Log out</button>
      </div>
      <pc-status-banner @pc-retry=${() => this.service.retryNow()}></pc-status-banner>
      ${this.share.value?.content || this.share.value?.problem ? html`<pc-share-panel></pc-share-panel>` : nothing}
      ${this.convs.value?.loaded || s.connection === 'online'
        ? html`<div class="panes" @pc-open-conversation=${(e: CustomEvent<OpenConversationDetail>) => this.open(e)}>
            ${showList ? html`<pc-contact-list></pc-contact-list>` : nothing}
            ${showConv
              ? active
                ? html`<pc-conversation
                    .peerName=${active}
                    ?narrow=${this.narrow}
                    .share=${this.shareDelivery}
                    @pc-back=${() => void this.service.open(null)}
                    @pc-share-delivered=${(e: CustomEvent<ShareDeliveredDetail>) => void this.shareDelivered(e)}
                  ></pc-conversation>`
                : html`<div class="placeholder">Choose a contact to start a private conversation.</div>`
              : nothing}
          </div>`
        : html`<div class="loading" role="status">Loading your conversations…</div>`}
      <pc-update-prompt></pc-update-prompt>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-app': PcApp;
  }
}

/** A file drag/drop outside the conversation: not allowed here, and never opened by the browser. */
function refuseStrayFileDrop(e: DragEvent): void {
  if (e.defaultPrevented || !e.dataTransfer?.types.includes('Files')) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'none';
}
