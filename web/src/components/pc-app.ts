import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { ContextProvider } from '@lit/context';
import { theme } from '../styles/theme';
import { DEVICES_ICON, SETTINGS_ICON, SEARCH_ICON, LOG_OUT_ICON, refuseStrayFileDrop, wsUrl } from './app-parts';
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
import './pc-devices-screen';
import './pc-link-pending';
import './pc-link-approve';
import './pc-link-key-refused';
import { approvingContext, joiningContext, ownDevicesContext } from '../devices/device-contexts';
import type { OwnDevicesState } from '../devices/own-devices';
import '../pwa/pc-install-button';
import '../pwa/pc-share-panel';
import '../pwa/pc-update-prompt';
import { shareIntake, type ShareState } from '../pwa/share-intake';
import { loadSharedFiles } from '../pwa/share-store';
import { installState } from '../pwa/install-prompt';
import { updateState } from '../pwa/pwa-register';
import { groupIdOf, groupsContext, type GroupsState } from '../groups/groups-contract';
import { groupActionsOf } from '../groups/group-actions-of';
import { Store } from '../state/store';
import '../groups/pc-group-conversation';
import { localeState, type LocaleState } from '../l10n/locale';
import { settingsContext } from '../settings/settings-context';
import { deviceSettings } from '../settings/settings-store';
import { followThemeSetting } from '../settings/apply-theme';
import '../settings/pc-settings-screen';
import '../search/pc-search-screen';
import type { OpenMessageDetail } from '../search/pc-search-screen';
import { catchUpSearchIndex } from '../search/search-backfill';
import { NewMessageNotifier } from '../notify/new-message-notifier';

/**
 * The root: owns the ChatService, provides each state slice as a context, and lays out
 * two panes on wide screens or one pane with a back button on narrow ones.
 */
@customElement('pc-app')
@localized()
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
      .bar-button svg {
        display: none;
        width: 22px;
        height: 22px;
      }
      /* Phones: icons only (the accessible names stay), so the bar fits 360 px. */
      :host([narrow]) .top {
        gap: 8px;
      }
      :host([narrow]) .bar-button {
        padding: 0 10px;
      }
      :host([narrow]) .bar-button svg {
        display: block;
      }
      :host([narrow]) .bar-button .label {
        display: none;
      }
      /* Phones: Devices is reached through Settings, so the bar fits 360 px. */
      :host([narrow]) .bar-button.devices {
        display: none;
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
      pc-login-form,
      .screen {
        flex: 1;
        min-height: 0;
        min-width: 0;
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
  private readonly own = new StoreController<OwnDevicesState>(this, this.service.devices.own.state);
  @state() private narrow = false;
  /** The devices screen replaces the conversations while open. */
  @state() private showDevices = false;
  /** The settings screen replaces the conversations while open. */
  @state() private showSettings = false;
  /** The search screen replaces the conversations while open. */
  @state() private showSearch = false;
  /** The message opened from search, handed to the conversation. */
  @state() private focusMessage: { id: string } | null = null;
  private indexing = false;
  private readonly share = new StoreController<ShareState>(this, shareIntake.state);
  /** Shared content handed to the conversation just chosen, until it says it took it. */
  @state() private shareDelivery: ShareDelivery | null = null;
  private readonly media = window.matchMedia('(max-width: 719px)');
  /** The groups slice; a build without the group service draws none (an empty, loaded slice). */
  private readonly groupsProvider = new ContextProvider(this, {
    context: groupsContext,
    initialValue: groupActionsOf(this.service)?.state ?? new Store<GroupsState>({ groups: new Map(), loaded: true }),
  });
  /** Nothing renders before the language is loaded (no flash of English for a Chinese browser). */
  private readonly locale = new StoreController<LocaleState>(this, localeState);

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
    new ContextProvider(this, { context: ownDevicesContext, initialValue: this.service.devices.own.state });
    new ContextProvider(this, { context: joiningContext, initialValue: this.service.devices.joining.view });
    new ContextProvider(this, { context: approvingContext, initialValue: this.service.devices.approving.view });
    new ContextProvider(this, { context: requestsContext, initialValue: this.service.requests.state });
    new ContextProvider(this, { context: settingsContext, initialValue: deviceSettings });
    followThemeSetting();
    new NewMessageNotifier(this.service, (peerName) => {
      this.openSearch(false);
      this.openedName = peerName;
      this.service.open(peerName).catch((err: unknown) => console.warn('Peerchat: opening the conversation failed', err));
    }).start();
    this.narrow = this.media.matches;
    this.media.addEventListener('change', () => (this.narrow = this.media.matches));
    // Files dropped anywhere but the conversation (which takes them and prevents the default)
    // would make the browser open the file in place of the app, dropping every running transfer.
    window.addEventListener('dragover', refuseStrayFileDrop);
    window.addEventListener('drop', refuseStrayFileDrop);
    this.service.start();
  }

  protected override willUpdate(): void {
    // Logged out (or not approved any more): the devices screen closes.
    if (this.showDevices && this.own.value?.status !== 'approved') this.showDevices = false;
    if (this.session.value?.connection === 'logged-out') {
      this.showSettings = false;
      this.showSearch = false;
      this.indexing = false;
    }
    // Once the history is open: index what is not indexed yet for search, in the background.
    const db = this.service.database;
    if (db && this.convs.value?.loaded && !this.indexing) {
      this.indexing = true;
      void catchUpSearchIndex(db);
    }
  }

  protected override updated(): void {
    this.toggleAttribute('narrow', this.narrow);
  }

  private openSettings(open: boolean): void {
    this.showDevices = this.showSearch = false;
    this.showSettings = open;
  }

  private openDevices(open: boolean): void {
    this.showSettings = this.showSearch = false;
    this.showDevices = open;
  }

  private openSearch(open: boolean): void {
    this.showSettings = this.showDevices = false;
    this.showSearch = open;
  }

  /** A search result chosen: its conversation opens at that message. */
  private openMessage(e: CustomEvent<OpenMessageDetail>): void {
    this.showSearch = false;
    this.openedName = e.detail.peerName;
    this.focusMessage = { id: e.detail.id };
    this.service.open(e.detail.peerName).catch((err: unknown) => console.warn('Peerchat: opening the conversation failed', err));
  }

  private activeName(): string | null {
    const active = this.convs.value?.active;
    if (!active) return null;
    if (groupIdOf(active) !== null) return active;
    const c = this.convs.value?.list.find((x) => x.conv === active);
    return c?.peerName ?? this.openedName;
  }

  /** Display name of the last contact opened, for a conversation with no history yet. */
  private openedName: string | null = null;

  private open(e: CustomEvent<OpenConversationDetail>): void {
    if (groupIdOf(e.detail.peerName) !== null) {
      // A group: the service marks it read; shared content is for a contact's conversation.
      this.service.open(e.detail.peerName).catch((err: unknown) => console.warn('Peerchat: opening the group failed', err));
      return;
    }
    this.openedName = e.detail.peerName;
    this.focusMessage = null;
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
    if (!s || !this.locale.value?.ready) return nothing;
    const loggedIn = s.connection !== 'logged-out' && !!s.username;
    if (!loggedIn) return html`<pc-login-form></pc-login-form><pc-update-prompt></pc-update-prompt>`;
    // Logged in without the account key: nothing but the way to get it.
    if (this.own.value?.status === 'pending') {
      return html`<pc-link-pending class="screen" .username=${s.username ?? ''}></pc-link-pending><pc-update-prompt></pc-update-prompt>`;
    }
    const active = this.activeName();
    const showList = !this.narrow || !active;
    const showConv = !this.narrow || !!active;
    return html`
      <div class="top">
        <span class="brand">Peerchat</span>
        <span class="me"><span class=${this.narrow ? 'visually-hidden' : ''}>${msg('Signed in as ', { desc: 'Before the username in the top bar' })}</span><strong>${s.username}</strong></span>
        <pc-install-button></pc-install-button>
        ${this.own.value?.status === 'approved'
          ? html`<button
              class="bar-button devices"
              aria-label=${msg('Devices')}
              title=${msg('Your devices')}
              aria-pressed=${this.showDevices ? 'true' : 'false'}
              @click=${() => this.openDevices(!this.showDevices)}
            >
              ${DEVICES_ICON}<span class="label">${msg('Devices')}</span>
            </button>`
          : nothing}
        <button
          class="bar-button"
          aria-label=${msg('Search')}
          title=${msg('Search messages')}
          aria-pressed=${this.showSearch ? 'true' : 'false'}
          @click=${() => this.openSearch(!this.showSearch)}
        >
          ${SEARCH_ICON}<span class="label">${msg('Search')}</span>
        </button>
        <button
          class="bar-button"
          aria-label=${msg('Settings')}
          title=${msg('Settings')}
          aria-pressed=${this.showSettings ? 'true' : 'false'}
          @click=${() => this.openSettings(!this.showSettings)}
        >
          ${SETTINGS_ICON}<span class="label">${msg('Settings')}</span>
        </button>
        <button class="bar-button" aria-label=${msg('Log out')} title=${msg('Log out')} @click=${() => this.service.logout()}>${LOG_OUT_ICON}<span class="label">${msg('Log out')}</span></button>
      </div>
      <pc-status-banner @pc-retry=${() => this.service.retryNow()}></pc-status-banner>
      <pc-link-key-refused></pc-link-key-refused>
      ${this.share.value?.content || this.share.value?.problem ? html`<pc-share-panel></pc-share-panel>` : nothing}
      ${this.showSearch
        ? html`<pc-search-screen class="screen" @pc-back=${() => (this.showSearch = false)} @pc-open-message=${(e: CustomEvent<OpenMessageDetail>) => this.openMessage(e)}></pc-search-screen>`
        : this.showSettings
        ? html`<pc-settings-screen
            class="screen"
            ?devicesAvailable=${this.own.value?.status === 'approved'}
            @pc-back=${() => (this.showSettings = false)}
            @pc-open-devices=${() => this.openDevices(true)}
          ></pc-settings-screen>`
        : this.showDevices
        ? html`<pc-devices-screen class="screen" @pc-back=${() => (this.showDevices = false)}></pc-devices-screen>`
        : this.convs.value?.loaded || s.connection === 'online'
        ? html`<div class="panes" @pc-open-conversation=${(e: CustomEvent<OpenConversationDetail>) => this.open(e)}>
            ${showList ? html`<pc-contact-list></pc-contact-list>` : nothing}
            ${showConv
              ? active && groupIdOf(active) !== null
                ? html`<pc-group-conversation
                    .groupId=${groupIdOf(active) ?? ''}
                    ?narrow=${this.narrow}
                    @pc-back=${() => void this.service.open(null)}
                  ></pc-group-conversation>`
                : active
                ? html`<pc-conversation
                    .peerName=${active}
                    ?narrow=${this.narrow}
                    .share=${this.shareDelivery}
                    .focusMessage=${this.focusMessage}
                    @pc-back=${() => void this.service.open(null)}
                    @pc-share-delivered=${(e: CustomEvent<ShareDeliveredDetail>) => void this.shareDelivered(e)}
                  ></pc-conversation>`
                : html`<div class="placeholder">${msg('Choose a contact or a group, or write to someone by their username.')}</div>`
              : nothing}
          </div>`
        : html`<div class="loading" role="status">${msg('Loading your conversations…')}</div>`}
      <pc-link-approve></pc-link-approve>
      <pc-update-prompt></pc-update-prompt>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-app': PcApp;
  }
}
