import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { localized, msg, str } from '@lit/localize';
import { theme } from '../styles/theme';
import type { GroupMemberView } from './groups-contract';

/** Which member an action of {@link PcGroupMemberRow} is about. */
export interface MemberDetail {
  member: GroupMemberView;
}

/**
 * One member in the group's info: presence dot, name, "Admin" mark and verification state, a
 * "Verify" button, and for an admin looking at someone else "Make admin" and "Remove". Fires
 * `pc-member-verify`, `pc-member-promote` and `pc-member-remove`; the dialog acts on them.
 */
@customElement('pc-group-member-row')
@localized()
export class PcGroupMemberRow extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      /* Name and marks on the left, actions on the right; the actions wrap under them when the
         dialog is narrow (a phone). */
      .row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 6px 10px;
        padding: 8px 0;
        border-bottom: 1px solid var(--pc-border);
      }
      .who {
        flex: 1 1 150px;
        min-width: 0;
        display: grid;
      }
      .dot {
        flex: none;
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
        overflow-wrap: anywhere;
      }
      .tags {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 10px;
        font-size: 0.8rem;
        color: var(--pc-muted);
      }
      .admin {
        color: var(--pc-accent);
        font-weight: 600;
      }
      .verified {
        color: var(--pc-ok);
        font-weight: 600;
      }
      .actions {
        flex: 1 0 auto;
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: 6px;
      }
      .actions button {
        padding: 0 10px;
        font-size: 0.875rem;
      }
      button.remove {
        color: var(--pc-danger);
      }
    `,
  ];

  @property({ attribute: false }) member!: GroupMemberView;
  /** This row is the account looking at it. */
  @property({ type: Boolean }) self = false;
  @property({ type: Boolean }) online = false;
  @property({ type: Boolean }) verified = false;
  /** The account looking is an admin (and still a member): show the admin actions. */
  @property({ type: Boolean }) canManage = false;

  private fire(type: 'pc-member-verify' | 'pc-member-promote' | 'pc-member-remove'): void {
    this.dispatchEvent(new CustomEvent<MemberDetail>(type, { detail: { member: this.member }, bubbles: true, composed: true }));
  }

  override render() {
    const m = this.member;
    return html`<div class="row" data-member=${m.key}>
      <span class="dot ${this.online || this.self ? 'online' : ''}" role="img" aria-label=${this.online || this.self ? msg('online') : msg('offline')}></span>
      <span class="who"
        ><span class="name">${this.self ? msg('You') : m.username}</span>
        <span class="tags">
        ${m.admin ? html`<span class="admin">${msg('Admin')}</span>` : nothing}
        ${this.self ? nothing : this.verified ? html`<span class="verified">${msg('✓ Verified')}</span>` : html`<span>${msg('Not verified')}</span>`}
        </span></span
      >
      ${this.self
        ? nothing
        : html`<div class="actions">
            <button class="verify" aria-haspopup="dialog" aria-label=${msg(str`Verify ${m.username}`)} @click=${() => this.fire('pc-member-verify')}>${msg('Verify')}</button>
            ${this.canManage && !m.admin
              ? html`<button class="promote" aria-label=${msg(str`Make admin: ${m.username}`)} @click=${() => this.fire('pc-member-promote')}>${msg('Make admin')}</button>`
              : nothing}
            ${this.canManage
              ? html`<button class="remove" aria-haspopup="dialog" aria-label=${msg(str`Remove ${m.username}`)} @click=${() => this.fire('pc-member-remove')}>${msg('Remove')}</button>`
              : nothing}
          </div>`}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-group-member-row': PcGroupMemberRow;
  }
  interface HTMLElementEventMap {
    'pc-member-verify': CustomEvent<MemberDetail>;
    'pc-member-promote': CustomEvent<MemberDetail>;
    'pc-member-remove': CustomEvent<MemberDetail>;
  }
}
