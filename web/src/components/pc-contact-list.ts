import { LitElement, css, html, nothing } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { theme } from '../styles/theme';
import { listRowStyles } from '../styles/list-rows';
import { StoreController } from '../state/store-controller';
import {
  conversationsContext,
  presenceContext,
  securityContext,
  sessionContext,
  type ConversationsState,
  type PresenceState,
  type SecurityState,
  type SessionState,
} from '../state/contexts';
import { requestsContext, type RequestsState } from '../requests/requests-state';
import { formatCount, formatShortWhen } from '../format/format';
import { joinParts } from '../l10n/join-parts';
import { usernameKey } from '../../../shared/index';
import { ownDevicesContext } from '../devices/device-contexts';
import type { OwnDevicesState } from '../devices/own-devices';
import './pc-build-info';
import { groupIdOf } from '../groups/groups-contract';
import '../groups/pc-group-section';
import './pc-start-conversation';
import { ProfilesController } from '../everyday/profiles-controller';
import '../everyday/pc-avatar';
import '../backup/pc-restore-offer';

export interface OpenConversationDetail {
  peerName: string;
}

interface Row {
  conv: string;
  name: string;
  online: boolean;
  unread: number;
  lastText: string;
  lastTs: number;
  /** The safety number was compared (the key is marked verified). */
  verified: boolean;
  /** "Your devices": the conversation with my own other devices (pinned at the top). */
  own?: boolean;
}

/** "3 unread", as part of a row's accessible name. */
function unreadText(count: number): string {
  const n = formatCount(count);
  return msg(str`${n} unread`);
}

/**
 * Everyone online plus everyone we have talked to: online first, then by latest message. Above
 * them, "Requests": conversations of people who wrote but are not contacts (and blocked ones).
 * Each contact row says whether the safety number was compared ("Verified" / "Not verified"),
 * in its accessible name too. Fires `pc-open-conversation` when a row is chosen.
 */
@customElement('pc-contact-list')
@localized()
export class PcContactList extends LitElement {
  static override styles = [
    theme,
    listRowStyles,
    css`
      :host {
        display: block;
        overflow-y: auto;
        background: var(--pc-bg);
      }
      /* The row is a grid; its button covers all of it (the target) but holds only the dot and
         the name, so that what the button shows is part of its accessible name. The trust mark,
         time, preview and badge are drawn over it and let clicks through to it. */
      li {
        display: grid;
        grid-template-columns: 1fr auto;
        grid-template-rows: auto auto;
        column-gap: 10px;
        align-items: center;
        padding: 10px 12px 10px 86px;
      }
      button.row {
        grid-column: 1 / -1;
        grid-row: 1 / -1;
        margin: -10px -12px -10px -86px;
        display: flex;
        align-items: flex-start;
        gap: 12px;
        padding: 10px 12px 10px 10px;
      }
      li > :not(button) {
        pointer-events: none;
        min-width: 0;
      }
      .dot {
        flex: none;
        align-self: center;
        margin-left: 2px;
        width: 10px;
        height: 10px;
        border-radius: 50%;
        border: 2px solid var(--pc-muted);
      }
      .dot.online {
        background: var(--pc-ok);
        border-color: var(--pc-ok);
      }
      .name {
        font-weight: 600;
        line-height: 1.5;
        min-width: 0;
        /* Room for the time drawn over the button's right end. */
        margin-right: 4.5rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      /* Drawn over the row's button, like the time and preview (the button's name says who). */
      li {
        position: relative;
      }
      button.row .dot {
        margin-right: 52px;
      }
      li > pc-avatar {
        position: absolute;
        left: 34px;
        top: 50%;
        transform: translateY(-50%);
      }
      .handle {
        font-weight: 400;
        color: var(--pc-muted);
        font-size: 0.85rem;
      }
      .name-space {
        grid-column: 1;
        grid-row: 1;
        height: 1.5em;
      }
      .time {
        grid-column: 2;
        grid-row: 1;
        font-size: 0.75rem;
        color: var(--pc-muted);
      }
      .sub {
        grid-column: 1;
        grid-row: 2;
        font-size: 0.875rem;
        color: var(--pc-muted);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .trust {
        font-size: 0.75rem;
        font-weight: 400;
        color: var(--pc-muted);
        margin-right: 6px;
      }
      .trust.verified {
        color: var(--pc-ok);
        font-weight: 600;
      }
      .badge {
        grid-column: 2;
        grid-row: 2;
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
      .empty {
        margin: 8px 16px;
        color: var(--pc-muted);
        line-height: 1.45;
      }
      code {
        overflow-wrap: anywhere;
      }
      pc-build-info {
        margin: 16px 16px 12px;
      }
    `,
  ];

  private readonly presence = new StoreController<PresenceState>(this, presenceContext);
  private readonly convs = new StoreController<ConversationsState>(this, conversationsContext);
  private readonly session = new StoreController<SessionState>(this, sessionContext);
  private readonly own = new StoreController<OwnDevicesState>(this, ownDevicesContext);
  private readonly security = new StoreController<SecurityState>(this, securityContext);
  private readonly requests = new StoreController<RequestsState>(this, requestsContext);
  /** Contacts' display names and avatars. */
  private readonly profiles = new ProfilesController(this);

  /** A contact as named in its row: "Display Name @username", or the username alone. */
  private who(r: Row): string {
    const display = this.profiles.name(r.conv);
    return display ? `${display} @${r.name}` : r.name;
  }

  /** Message requests and blocked accounts (shown apart, above the contacts). */
  private isRequest(conv: string): boolean {
    const r = this.requests.value;
    return !!(r?.requests.has(conv) || r?.blocked.has(conv));
  }

  private rows(): Row[] {
    const online = this.presence.value?.online ?? new Map<string, string>();
    const verified = (conv: string): boolean => this.security.value?.contacts.get(conv)?.verified ?? false;
    const byConv = new Map<string, Row>();
    const myName = this.session.value?.username ?? null;
    const me = myName ? usernameKey(myName) : null;
    const mine = me ? this.ownRow(me, myName ?? me) : null;
    for (const c of this.convs.value?.list ?? []) {
      // Groups have their own section (pc-group-section).
      if (c.conv === me || groupIdOf(c.conv) !== null) continue;
      byConv.set(c.conv, {
        conv: c.conv,
        name: online.get(c.conv) ?? c.peerName,
        online: online.has(c.conv),
        unread: c.unread,
        lastText: c.lastText,
        lastTs: c.lastTs,
        verified: verified(c.conv),
      });
    }
    for (const [conv, name] of online) {
      if (!byConv.has(conv)) byConv.set(conv, { conv, name, online: true, unread: 0, lastText: '', lastTs: 0, verified: verified(conv) });
    }
    if (me) byConv.delete(me);
    const sorted = [...byConv.values()].sort((a, b) => Number(b.online) - Number(a.online) || b.lastTs - a.lastTs || a.name.localeCompare(b.name));
    return mine ? [mine, ...sorted] : sorted;
  }

  /**
   * "Your devices", once the account has another device (in its list, online, or with a
   * history); an account with one browser sees no such row.
   */
  private ownRow(me: string, myName: string): Row | null {
    const devicesOnline = (this.presence.value?.devices.get(me)?.length ?? 0) > 0;
    const c = this.convs.value?.list.find((x) => x.conv === me);
    const listed = (this.own.value?.list?.devices.length ?? 0) > 1;
    if (!devicesOnline && !c && !listed) return null;
    return { conv: me, name: myName, online: devicesOnline, unread: c?.unread ?? 0, lastText: c?.lastText ?? '', lastTs: c?.lastTs ?? 0, verified: true, own: true };
  }

  /** The Requests section: one row per request (newest first); nothing when there are none. */
  private renderRequests(rows: Row[], active: string | null, now: number) {
    if (!rows.length) return nothing;
    const blocked = this.requests.value?.blocked ?? new Map<string, string>();
    return html`<h2 id="requests-heading">${msg('Requests', { id: 'requests-heading', desc: 'Heading over message requests in the contact list' })}</h2>
      <ul aria-labelledby="requests-heading">
        ${repeat(
          rows,
          (r) => r.conv,
          (r) =>
            this.row(r, active, now, {
              kind: 'request',
              label: joinParts([r.name, blocked.has(r.conv) ? msg('blocked') : msg('message request'), r.unread ? unreadText(r.unread) : '']),
              name: r.name,
              trust: html`<span class="trust">${blocked.has(r.conv) ? msg('Blocked') : msg('Not a contact')}</span>`,
              preview: r.lastText,
            }),
        )}
      </ul>`;
  }

  /** One row of either section: a button that opens the conversation (a request's dot stays hollow). */
  private row(r: Row, active: string | null, now: number, v: { kind: 'request' | 'contact'; label: string; name: string; display?: string; trust: unknown; preview: string }) {
    return html`<li>
      <button
        class="row"
        aria-current=${r.conv === active ? 'true' : 'false'}
        aria-label=${v.label}
        aria-describedby="when-${r.conv} preview-${r.conv}"
        data-request=${v.kind === 'request' ? r.conv : nothing}
        data-contact=${v.kind === 'contact' ? r.conv : nothing}
        @click=${() => this.open(r.name)}
      >
        <span class="dot ${v.kind === 'contact' && r.online ? 'online' : ''}" aria-hidden="true"></span>
        <span class="name">${v.display ? html`${v.display} <span class="handle">@${v.name}</span>` : v.name}</span>
      </button>
      <pc-avatar aria-hidden="true" decorative .name=${v.name} .src=${this.profiles.avatar(r.conv)}></pc-avatar>
      <span class="name-space"></span>
      <span class="time" id="when-${r.conv}" aria-hidden="true">${formatShortWhen(r.lastTs, now)}</span>
      <span class="sub" aria-hidden="true">${v.trust}<span class="preview" id="preview-${r.conv}">${v.preview}</span></span>
      ${r.unread ? html`<span class="badge" aria-hidden="true" data-unread=${r.unread}>${r.unread}</span>` : nothing}
    </li>`;
  }

  private open(name: string): void {
    this.dispatchEvent(new CustomEvent<OpenConversationDetail>('pc-open-conversation', { detail: { peerName: name }, bubbles: true, composed: true }));
  }

  override render() {
    const all = this.rows();
    // A blocked account stays listed (to unblock) even once its conversation was deleted.
    for (const [conv, name] of this.requests.value?.blocked ?? []) {
      if (!all.some((r) => r.conv === conv)) all.push({ conv, name, online: false, unread: 0, lastText: '', lastTs: 0, verified: false });
    }
    const requests = all.filter((r) => this.isRequest(r.conv)).sort((a, b) => b.lastTs - a.lastTs);
    const rows = all.filter((r) => !this.isRequest(r.conv));
    const now = Date.now();
    const active = this.convs.value?.active ?? null;
    const anyOnline = rows.some((r) => r.online && !r.own);
    return html`
      <pc-restore-offer></pc-restore-offer>
      <pc-group-section></pc-group-section>
      ${this.renderRequests(requests, active, now)}
      <h2 id="contacts-heading">${msg('Contacts')}</h2>
      <pc-start-conversation></pc-start-conversation>
      ${!anyOnline && this.session.value?.connection === 'reconnecting'
        ? html`<p class="empty">${msg('Who is online shows again when the server can be reached.')}</p>`
        : !anyOnline
        ? html`<p class="empty">${msg(html`Nobody else is online yet. Ask a friend to open <code>${location.origin}</code> and register.`)}</p>`
        : nothing}
      <ul aria-labelledby="contacts-heading">
        ${repeat(
          rows,
          (r) => r.conv,
          (r) =>
            this.row(r, active, now, {
              kind: 'contact',
              label: joinParts([
                r.own ? msg('Your devices') : this.who(r),
                r.online ? msg('online') : msg('offline'),
                r.unread ? unreadText(r.unread) : '',
                r.own ? '' : r.verified ? msg('verified') : msg('not verified'),
              ]),
              name: r.own ? msg('Your devices') : r.name,
              display: r.own ? '' : this.profiles.name(r.conv),
              trust: r.own ? nothing : html`<span class="trust ${r.verified ? 'verified' : ''}">${r.verified ? msg('✓ Verified') : msg('Not verified')}</span>`,
              preview: r.lastText || (r.online ? msg('Online') : msg('Offline')),
            }),
        )}
      </ul>
      <pc-build-info></pc-build-info>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-contact-list': PcContactList;
  }
  interface HTMLElementEventMap {
    'pc-open-conversation': CustomEvent<OpenConversationDetail>;
  }
}
