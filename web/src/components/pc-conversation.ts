import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { usernameKey } from '../../../shared/index';
import { PeerchatError, type AppErrorCode, type ErrorParams } from '../../../shared/errors';
import { theme } from '../styles/theme';
import { conversationFrameStyles } from '../styles/conversation-frame';
import { StoreController } from '../state/store-controller';
import { peersContext, presenceContext, securityContext, serviceContext, type PeersState, type PresenceState, type SecurityState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { MessagesController } from '../controllers/messages-controller';
import { FileIntakeController } from '../controllers/file-intake-controller';
import { describeError } from '../l10n/error-text';
import type { ComposerDraft, FilesDetail, KeepLocationDetail, PcComposer, SendDetail, SendResult } from './pc-composer';
import './pc-composer';
import './pc-message-list';
import './pc-security-banner';
import './pc-verify-dialog';
import './pc-sync-progress';
import './pc-device-target';
import { ownDevicesContext } from '../devices/device-contexts';
import type { OwnDevicesState } from '../devices/own-devices';
import type { CatchUp } from '../../../shared/devices/sync-plan';
import { requestsContext, type RequestsState } from '../requests/requests-state';
import '../requests/pc-request-bar';
import { ActionController, contactTarget } from '../everyday/action-controller';
import '../export/pc-export-menu';
import '../everyday/pc-avatar';
import { ProfilesController } from '../everyday/profiles-controller';
import { TypingController } from '../everyday/typing-controller';

/** Content shared to the app, handed to the conversation of the contact chosen for it. */
export interface ShareDelivery {
  peerName: string;
  /** Goes into the composer (not sent). */
  text: string;
  /** Offered to the contact at once. */
  files: File[];
}

/** The conversation took a {@link ShareDelivery}; `files`: it had files (the whole share is used). */
export interface ShareDeliveredDetail {
  files: boolean;
}

/**
 * One open conversation: header with the contact's status, the messages, the composer.
 * Fires `pc-back` (narrow layout: back to the contacts) and `pc-share-delivered`.
 */
@customElement('pc-conversation')
@localized()
export class PcConversation extends LitElement {
  static override styles = [
    theme,
    conversationFrameStyles,
    css`
      :host {
        position: relative;
      }
      /* The contact's picture (not on a phone: the name needs the room) and "@username" after a display name. */
      header pc-avatar { --size: 36px; }
      :host([narrow]) header pc-avatar { display: none; }
      /* A phone: "Not verified" is said by the Verify button next to it (and in the contact list), the name needs the room. */
      :host([narrow]) header .unverified:has(+ .verify) { display: none; }
      .handle { font-weight: 400; font-size: 0.85rem; color: var(--pc-muted); }
      .status.ready {
        color: var(--pc-ok);
      }
      .unverified {
        color: var(--pc-muted);
        font-size: 0.85rem;
        white-space: nowrap;
      }
      .verified {
        color: var(--pc-ok);
        font-size: 0.85rem;
        font-weight: 600;
        white-space: nowrap;
      }
      /* Says what dropping does; never a drop target itself. */
      .drop-hint {
        display: none;
        position: absolute;
        top: 50%;
        left: 50%;
        transform: translate(-50%, -50%);
        max-width: 80%;
        padding: 10px 16px;
        border-radius: 10px;
        background: var(--pc-accent);
        color: var(--pc-accent-text);
        font-weight: 600;
        text-align: center;
        pointer-events: none;
      }
      :host([dragging]) .drop-hint {
        display: block;
      }
    `,
  ];

  @property() peerName = '';
  /** Single-pane layout: show a back button to the contact list. */
  @property({ type: Boolean, reflect: true }) narrow = false;
  @consume({ context: serviceContext }) service!: ChatService;
  private readonly presence = new StoreController<PresenceState>(this, presenceContext);
  private readonly peers = new StoreController<PeersState>(this, peersContext);
  private readonly security = new StoreController<SecurityState>(this, securityContext);
  /** Message requests: a request's or a blocked account's conversation has the request bar instead of the composer. */
  private readonly requests = new StoreController<RequestsState>(this, requestsContext);
  @state() private verifyOpen = false;
  @query('button.verify') private verifyButton?: HTMLButtonElement;
  private readonly messages = new MessagesController(this, () => this.service);
  /** Reply, reactions, edit, delete: what the composer is doing and what the list's menus chose. */
  private readonly actions = new ActionController(this, () => this.service, { target: () => (this.service ? contactTarget(this.service, this.peerName) : null), draft: (text) => (this.draft = { text }), focusComposer: () => this.composer?.focus(), failed: (err) => (this.sendError = this.failure(err, 'MESSAGE_SEND_FAILED')) });
  /** The composer drives "typing…" to the contact; the contact's shows in the header. */
  private readonly typing = new TypingController(this, () => this.service?.receipts.typing, () => (this.peerName ? usernameKey(this.peerName) : ''));
  /** Shared content for this contact (taken once per object). */
  @property({ attribute: false }) share: ShareDelivery | null = null;
  /** A message to scroll to and highlight (opened from search); a new object each time. */
  @property({ attribute: false }) focusMessage: { id: string } | null = null;
  @state() private highlightId = '';
  @state() private sendError: { code: AppErrorCode; params: ErrorParams } | null = null;
  /** Text for the composer (shared content); a new object each time. */
  @state() private draft: ComposerDraft | null = null;
  /** The outcome of the composer's last `pc-send`; a new object each time. */
  @state() private sendResult: SendResult | null = null;
  /** Photos sent from this conversation keep their location (the composer's box; off by default). */
  @state() private keepLocation = false;
  /** "Your devices": the device files go to ('' = all my other devices). */
  @state() private fileTarget = '';
  private readonly own = new StoreController<OwnDevicesState>(this, ownDevicesContext);
  /** Files dropped on or pasted into the conversation are offered (the host is `[dragging]` meanwhile). */
  private readonly intake = new FileIntakeController(this, (files) => void this.sendFiles(files));
  @query('pc-composer') private composer?: PcComposer;
  private takenShare: ShareDelivery | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('peerName')) {
      this.actions.reset();
      this.sendError = null;
      this.verifyOpen = false;
      void this.messages.show(this.peerName ? usernameKey(this.peerName) : null);
    }
    if (changed.has('focusMessage') && this.focusMessage) this.reveal(this.focusMessage.id, false);
  }

  private unhighlight(): void {
    this.highlightId = '';
  }

  /** Loads message `id` if needed, scrolls to it and highlights it (briefly, for a reply's quote). */
  private reveal(id: string, brief = true): void {
    this.highlightId = '';
    void this.messages.reveal(id).then((found) => {
      if (found) this.highlightId = id;
      if (found && brief) setTimeout(() => this.highlightId === id && this.unhighlight(), 2500);
    });
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Focus moves into the message box, as it would with a click (the standard focus() contract).
    if (changed.has('peerName')) this.composer?.focus();
    const share = this.share;
    if (share && share !== this.takenShare && usernameKey(share.peerName) === usernameKey(this.peerName)) {
      this.takenShare = share;
      void this.takeShare(share);
    }
  }

  /** Offers the shared files, puts the shared text in the composer, and says so. */
  private async takeShare(share: ShareDelivery): Promise<void> {
    if (share.files.length) await this.sendFiles(share.files);
    if (share.text) this.draft = { text: share.text };
    this.dispatchEvent(new CustomEvent<ShareDeliveredDetail>('pc-share-delivered', { detail: { files: share.files.length > 0 }, bubbles: true, composed: true }));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.syncProgress && this.service) this.syncProgress = new StoreController(this, this.service.deviceSync.progress);
  }

  /** Offers files to this contact (attach, drop, paste, or files shared to the app). */
  private async sendFiles(files: File[]): Promise<void> {
    if (this.isRequest()) return;
    try {
      // "Your devices": one transfer per chosen device (all by default), each over its own link.
      const targets = this.isOwn() ? (this.fileTarget ? [this.fileTarget] : this.otherDevices().map((d) => d.id)) : [];
      if (targets.length === 0) await this.service.transfers.sendFiles(this.peerName, files, { keepLocation: this.keepLocation });
      for (const device of targets) await this.service.transfers.sendFiles(this.peerName, files, { keepLocation: this.keepLocation, device });
      this.sendError = null;
    } catch (err) {
      this.sendError = this.failure(err, 'FILE_SEND_FAILED');
    }
  }

  /** A caught error as what the composer shows: its code, or `fallback` (logged) when it has none. */
  private failure(err: unknown, fallback: AppErrorCode): { code: AppErrorCode; params: ErrorParams } {
    if (err instanceof PeerchatError) return { code: err.code, params: err.params };
    console.warn(`Peerchat: ${fallback}`, err);
    return { code: fallback, params: {} };
  }

  private closeVerify(): void {
    this.verifyOpen = false;
    // Focus goes back to what opened the dialog.
    this.verifyButton?.focus();
  }

  private async onSend(e: CustomEvent<SendDetail>): Promise<void> {
    const text = e.detail.text;
    try {
      await this.actions.submit(text);
      this.sendError = null;
      this.sendResult = { text, ok: true };
    } catch (err) {
      // The text stays in the box, so nothing typed is lost.
      this.sendResult = { text, ok: false };
      this.sendError = this.failure(err, 'MESSAGE_SEND_FAILED');
    }
  }

  /** My account's other devices, from its verified list. */
  private otherDevices() {
    const s = this.own.value;
    return (s?.list?.devices ?? []).filter((d) => d.id !== s?.thisDevice);
  }

  /** Contacts' display names and avatars. */
  private readonly profiles = new ProfilesController(this);
  /** Catch-up with my other devices, shown in "Your devices" (subscribed once the service is known). */
  private syncProgress: StoreController<ReadonlyMap<string, CatchUp>> | null = null;

  /** "Your devices": the conversation with my own other devices. */
  private isOwn(): boolean {
    const me = this.service.myName;
    return !!me && usernameKey(me) === usernameKey(this.peerName);
  }

  /** A message request not accepted yet, or a blocked account: nothing is sent from here. */
  private isRequest(): boolean {
    const conv = usernameKey(this.peerName);
    return !!(this.requests.value?.requests.has(conv) || this.requests.value?.blocked.has(conv));
  }

  private statusText(): { text: string; cls: string } {
    const conv = usernameKey(this.peerName);
    const online = this.isOwn() ? (this.presence.value?.devices.get(conv)?.length ?? 0) > 0 : (this.presence.value?.online.has(conv) ?? false);
    const link = this.peers.value?.links.get(conv);
    if (link === 'ready') return { text: msg('Connected directly · end-to-end encrypted'), cls: 'ready' };
    if (!online) return { text: msg('Offline — messages will wait and be delivered when they are back'), cls: '' };
    if (link === 'connecting') return { text: msg('Connecting securely…'), cls: '' };
    return { text: msg('Online'), cls: '' };
  }

  override render() {
    const status = this.statusText();
    const request = this.isRequest();
    const conv = usernameKey(this.peerName);
    const display = this.isOwn() ? '' : this.profiles.name(conv);
    return html`
      <header>
        <button class="back" aria-label=${msg('Back to contacts')} @click=${() => this.dispatchEvent(new CustomEvent<void>('pc-back', { bubbles: true, composed: true }))}>←</button>
        ${this.isOwn() ? nothing : html`<pc-avatar .name=${display || this.peerName} .src=${this.profiles.avatar(conv)}></pc-avatar>`}
        <div class="who">
          <h2>${this.isOwn() ? msg('Your devices') : display ? html`${display} <span class="handle">@${this.peerName}</span>` : this.peerName}</h2>
          <div class="status ${status.cls} ${this.typing.shown ? 'visually-hidden' : ''}" role="status" data-link=${this.peers.value?.links.get(usernameKey(this.peerName)) ?? 'none'}>${status.text}</div>
          ${this.typing.shown ? html`<div class="status typing" data-testid="typing">${msg('typing…', { id: 'typing-indicator', desc: 'Under the contact’s name while they are writing a message' })}</div>` : nothing}
        </div>
        ${request
          ? html`<span class="unverified">${msg('Not a contact')}</span>`
          : this.security.value?.contacts.get(usernameKey(this.peerName))?.verified
          ? html`<span class="verified" title=${msg(str`You compared safety numbers with ${this.peerName}`)}>${msg('✓ Verified')}</span>`
          : html`<span class="unverified" title=${msg(str`Compare safety numbers with ${this.peerName} (Verify) to be sure nobody is in between`)}>${msg('Not verified')}</span>`}
        ${request ? nothing : html`<button class="verify" aria-haspopup="dialog" @click=${() => (this.verifyOpen = true)}>${msg('Verify', { id: 'verify-button', desc: 'Button that opens the safety-number comparison' })}</button>`}
        <pc-export-menu .conv=${conv} .peerName=${this.isOwn() ? msg('Your devices') : this.peerName}></pc-export-menu>
      </header>
      <pc-request-bar .peerName=${this.peerName}></pc-request-bar>
      <pc-security-banner .peerName=${this.peerName} @pc-verify=${() => (this.verifyOpen = true)}></pc-security-banner>
      <pc-verify-dialog .peerName=${this.peerName} ?open=${this.verifyOpen} @pc-close=${() => this.closeVerify()}></pc-verify-dialog>
      ${this.isOwn()
        ? html`<pc-sync-progress
            .progress=${this.syncProgress?.value ?? new Map()}
            @pc-skip-sync=${(e: CustomEvent<{ device: string }>) => this.service.deviceSync.skip(e.detail.device)}
          ></pc-sync-progress>`
        : ''}
      ${this.isOwn() && this.otherDevices().length > 1
        ? html`<pc-device-target
            .devices=${this.otherDevices()}
            .value=${this.fileTarget}
            @pc-device-target=${(e: CustomEvent<{ device: string }>) => (this.fileTarget = e.detail.device)}
          ></pc-device-target>`
        : ''}
      <pc-message-list
        .messages=${this.actions.visible(this.messages.messages)}
        .me=${usernameKey(this.service.myName ?? '')}
        .loading=${this.messages.loading}
        .hasOlder=${this.messages.hasOlder}
        .peerName=${this.peerName}
        .highlightId=${this.highlightId}
        ?plainText=${request}
        @pc-load-older=${() => void this.messages.loadOlder()}
        @pc-message-action=${this.actions.onAction}
        @pc-reveal-message=${(e: CustomEvent<{ id: string }>) => this.reveal(e.detail.id)}
      ></pc-message-list>
      <div class="drop-hint" aria-hidden="true">${msg(str`Drop to send to ${this.peerName}`)}</div>
      ${request
        ? nothing
        : html`<pc-composer
        .error=${this.sendError ? describeError(this.sendError.code, this.sendError.params) : null}
        .draft=${this.draft}
        .result=${this.sendResult}
        .context=${this.actions.context()}
        @pc-compose-cancel=${() => this.actions.cancel()}
        @pc-send=${(e: CustomEvent<SendDetail>) => void this.onSend(e)}
        .keepLocation=${this.keepLocation}
        @pc-files=${(e: CustomEvent<FilesDetail>) => void this.sendFiles(e.detail.files)}
        @pc-keep-location=${(e: CustomEvent<KeepLocationDetail>) => (this.keepLocation = e.detail.keep)}
      ></pc-composer>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-conversation': PcConversation;
  }
  interface HTMLElementEventMap {
    'pc-back': CustomEvent<void>;
    'pc-share-delivered': CustomEvent<ShareDeliveredDetail>;
  }
}
