import { LitElement, css, html, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { consume } from '@lit/context';
import { localized, msg, str } from '@lit/localize';
import { theme } from '../styles/theme';
import { listRowStyles } from '../styles/list-rows';
import { memberCountText } from './group-text';
import { StoreController } from '../state/store-controller';
import {
  conversationsContext,
  presenceContext,
  serviceContext,
  sessionContext,
  type ConversationsState,
  type PresenceState,
  type SessionState,
} from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { requestsContext, type RequestsState } from '../requests/requests-state';
import { formatShortWhen } from '../format/format';
import { usernameKey } from '../../../shared/index';
import { groupsContext, groupIdOf, type GroupsState } from './groups-contract';
import { groupActionsOf } from './group-actions-of';
import { groupRows, type GroupRow } from './group-screen-model';
import type { OpenConversationDetail } from '../components/pc-contact-list';
import type { GroupCandidate } from './pc-new-group-dialog';
import './pc-new-group-dialog';

const GROUP_ICON = html`<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="9" cy="8" r="3.2"/><path d="M3 19c0-3.3 2.7-5.5 6-5.5s6 2.2 6 5.5"/><circle cx="17" cy="9" r="2.6"/><path d="M16.5 13.6c2.6.2 4.5 2.2 4.5 5"/></svg>`;

/**
 * The top of the conversation list: the "New group" button, then the Groups section (most
 * recent activity first), each row with the group's name, member count, last message and
 * unread count. Groups are a section of their own because the contacts below are ordered by
 * who is online, which means nothing for a group. Fires `pc-open-conversation` with the
 * group's conversation key.
 */
@customElement('pc-group-section')
@localized()
export class PcGroupSection extends LitElement {
  static override styles = [
    theme,
    listRowStyles,
    css`
      :host {
        display: block;
      }
      .new {
        display: flex;
        padding: 12px 16px 0;
      }
      .new button {
        flex: 1;
        display: inline-flex;
        align-items: center;
        justify-content: center;
        gap: 8px;
        font-weight: 600;
      }
      .new svg,
      .icon svg {
        width: 20px;
        height: 20px;
      }
      button.row {
        width: 100%;
        display: grid;
        grid-template-columns: auto minmax(0, 1fr) auto;
        grid-template-rows: auto auto;
        column-gap: 10px;
        align-items: center;
        padding: 10px 12px;
      }
      .icon {
        grid-row: 1 / span 2;
        display: grid;
        place-items: center;
        width: 32px;
        height: 32px;
        border-radius: 50%;
        background: var(--pc-surface);
        border: 1px solid var(--pc-border);
        color: var(--pc-muted);
      }
      .name {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .count {
        font-weight: 600;
      }
      .time {
        font-size: 0.75rem;
        color: var(--pc-muted);
      }
      .preview {
        grid-column: 2;
        font-size: 0.875rem;
        color: var(--pc-muted);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .badge {
        grid-column: 3;
        justify-self: end;
        min-width: 22px;
        padding: 1px 7px;
        border-radius: 11px;
        background: var(--pc-accent);
        color: var(--pc-accent-text);
        font-size: 0.75rem;
        font-weight: 700;
        text-align: center;
      }
    `,
  ];

  @consume({ context: serviceContext, subscribe: true }) service?: ChatService;
  private readonly groups = new StoreController<GroupsState>(this, groupsContext);
  private readonly convs = new StoreController<ConversationsState>(this, conversationsContext);
  private readonly presence = new StoreController<PresenceState>(this, presenceContext);
  private readonly session = new StoreController<SessionState>(this, sessionContext);
  private readonly requests = new StoreController<RequestsState>(this, requestsContext);
  @state() private creating = false;
  @query('.new button') private newButton?: HTMLButtonElement;

  /** Contacts and everyone online, not requests, blocked accounts, groups or this account. */
  private candidates(): GroupCandidate[] {
    const me = this.session.value?.username ? usernameKey(this.session.value.username) : '';
    const req = this.requests.value;
    const out = new Map<string, string>();
    for (const c of this.convs.value?.list ?? []) {
      if (groupIdOf(c.conv) !== null || c.contact === 'request') continue;
      out.set(c.conv, c.peerName);
    }
    for (const [conv, name] of this.presence.value?.online ?? []) out.set(conv, name);
    out.delete(me);
    for (const conv of [...out.keys()]) if (req?.requests.has(conv) || req?.blocked.has(conv)) out.delete(conv);
    return [...out].map(([key, name]) => ({ key, name })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The dialog closed: focus back on "New group", unless a group was created and opened. */
  private closeCreate(): void {
    this.creating = false;
    if (!this.opened) this.newButton?.focus();
    this.opened = false;
  }

  /** The dialog created a group and opened it (its composer takes the focus). */
  private opened = false;

  private open(conv: string): void {
    this.dispatchEvent(new CustomEvent<OpenConversationDetail>('pc-open-conversation', { detail: { peerName: conv }, bubbles: true, composed: true }));
  }

  private row(r: GroupRow, active: string | null, now: number) {
    const members = memberCountText(r.memberCount);
    const sep = msg(', ', { id: 'part-separator', desc: 'Between the parts of a list read out as one line' });
    // The accessible name is the group's name followed by what only a screen reader needs, as
    // text in the button (no aria-label, which would have to repeat everything the row shows).
    // The time and the preview are its description; drawn for the eye, hidden from the name.
    const rest = [msg('group'), members, r.unread ? msg(str`${r.unread} unread`) : '', r.former ? msg('you are no longer in it') : ''].filter(Boolean);
    return html`<li>
      <button class="row" aria-current=${r.conv === active ? 'true' : 'false'} aria-describedby="gwhen-${r.id} gpreview-${r.id}" data-group=${r.id} @click=${() => this.open(r.conv)}>
        <span class="icon" aria-hidden="true">${GROUP_ICON}</span>
        <span class="name" aria-hidden="true">${r.name}</span><span class="visually-hidden">${[r.name, ...rest].join(sep)}</span>
        <span class="time" id="gwhen-${r.id}" aria-hidden="true">${r.lastTs ? formatShortWhen(r.lastTs, now) : ''}</span>
        <span class="preview" id="gpreview-${r.id}" aria-hidden="true"><span class="count">${members}</span> · ${r.former ? msg('You are no longer in this group') : r.lastText || msg('No messages yet')}</span>
        ${r.unread ? html`<span class="badge" aria-hidden="true" data-unread=${r.unread}>${r.unread}</span>` : nothing}
      </button>
    </li>`;
  }

  override render() {
    const canCreate = !!groupActionsOf(this.service);
    const rows = groupRows(this.groups.value?.groups ?? new Map(), this.convs.value?.list ?? []);
    const active = this.convs.value?.active ?? null;
    const now = Date.now();
    return html`
      ${canCreate
        ? html`<div class="new">
            <button aria-haspopup="dialog" @click=${() => (this.creating = true)}>${GROUP_ICON}<span>${msg('New group')}</span></button>
          </div>`
        : nothing}
      ${rows.length
        ? html`<h2 id="groups-heading">${msg('Groups')}</h2>
            <ul aria-labelledby="groups-heading">
              ${repeat(
                rows,
                (r) => r.conv,
                (r) => this.row(r, active, now),
              )}
            </ul>`
        : nothing}
      ${canCreate
        ? html`<pc-new-group-dialog
            ?open=${this.creating}
            @pc-open-conversation=${() => (this.opened = true)} .candidates=${this.creating ? this.candidates() : []} @pc-close=${() => this.closeCreate()}></pc-new-group-dialog>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-group-section': PcGroupSection;
  }
}
