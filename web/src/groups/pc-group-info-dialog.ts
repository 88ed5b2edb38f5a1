import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { localized, msg, str } from '@lit/localize';
import { theme } from '../styles/theme';
import { choiceStyles, dialogStyles } from '../styles/confirm';
import { StoreController } from '../state/store-controller';
import { presenceContext, securityContext, serviceContext, type PresenceState, type SecurityState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { describeError } from '../l10n/error-text';
import { checkUsername, usernameKey } from '../../../shared/index';
import { GROUP_LIMITS } from '../../../shared/groups/limits';
import type { GroupActions, GroupMemberView, GroupView } from './groups-contract';
import { groupActionError, groupActionsOf, type GroupActionError } from './group-actions-of';
import type { MemberDetail } from './pc-group-member-row';
import './pc-group-member-row';
import '../components/pc-confirm-dialog';
import '../components/pc-verify-dialog';

type Pending = { kind: 'remove'; member: GroupMemberView } | { kind: 'leave' } | null;

/**
 * The group's info: its name (admins rename it), the members with presence, verification
 * ("Verify" opens the safety-number dialog for that member) and admin marks; admins add
 * members, make admins and remove members (confirmed); everyone can leave (confirmed). Each
 * action goes to the group service and a failure shows as a sentence under the dialog's title.
 * Fires `pc-close` (Close, Esc).
 */
@customElement('pc-group-info-dialog')
@localized()
export class PcGroupInfoDialog extends LitElement {
  static override styles = [
    theme,
    choiceStyles,
    dialogStyles,
    css`
      dialog {
        width: min(94vw, 500px);
        max-height: min(92dvh, 760px);
      }
      .head {
        display: flex;
        align-items: flex-start;
        gap: 8px;
      }
      h2 {
        flex: 1;
        min-width: 0;
        margin: 10px 0;
        font-size: 1.2rem;
        overflow-wrap: anywhere;
      }
      h3 {
        font-size: 0.85rem;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--pc-muted);
        margin: 16px 0 4px;
      }
      .line {
        display: flex;
        gap: 8px;
        margin-top: 8px;
      }
      .line input {
        flex: 1;
        min-width: 0;
        font: inherit;
        min-height: var(--pc-touch);
        padding: 0 10px;
        border: 1px solid var(--pc-border);
        border-radius: 8px;
        background: var(--pc-bg);
        color: var(--pc-text);
      }
      ul.members {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .count {
        margin: 4px 0 0;
        font-size: 0.875rem;
        color: var(--pc-muted);
      }
      .error {
        margin: 8px 0 0;
        color: var(--pc-danger);
      }
      .leave {
        margin-top: 18px;
        justify-content: space-between;
      }
      button.leave-button {
        color: var(--pc-danger);
      }
    `,
  ];

  @property({ attribute: false }) group: GroupView | null = null;
  @property({ type: Boolean }) open = false;
  @consume({ context: serviceContext }) service?: ChatService;
  private readonly presence = new StoreController<PresenceState>(this, presenceContext);
  private readonly security = new StoreController<SecurityState>(this, securityContext);
  @query('dialog') private dialog!: HTMLDialogElement;
  @state() private nameText = '';
  @state() private addText = '';
  @state() private error: GroupActionError | null = null;
  @state() private busy = false;
  @state() private pending: Pending = null;
  /** The member whose safety number is open ('' = none). */
  @state() private verifying = '';
  /** What had focus before a confirmation or the verify dialog opened, to return to. */
  private returnFocus: HTMLElement | null = null;

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return;
    if (this.open && !this.dialog.open) {
      this.nameText = this.group?.name ?? '';
      this.addText = '';
      this.error = null;
      this.dialog.showModal();
      this.renderRoot.querySelector<HTMLElement>('button.close')?.focus();
    } else if (!this.open && this.dialog.open) {
      this.pending = null;
      this.verifying = '';
      this.dialog.close();
    }
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent<void>('pc-close', { bubbles: true, composed: true }));
  }

  /** Runs one group action; its failure shows in the dialog (as a sentence of its code). */
  private async act(what: string, run: (g: GroupActions, id: string) => Promise<void>): Promise<boolean> {
    const groups = groupActionsOf(this.service);
    const id = this.group?.id;
    if (!groups || !id || this.busy) return false;
    this.busy = true;
    this.error = null;
    try {
      await run(groups, id);
      return true;
    } catch (err) {
      this.error = groupActionError(err, what);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async rename(e: Event): Promise<void> {
    e.preventDefault();
    const name = this.nameText.trim();
    if (!name || name === this.group?.name) return;
    await this.act('renaming a group', (g, id) => g.rename(id, name));
  }

  private async add(e: Event): Promise<void> {
    e.preventDefault();
    const name = this.addText.trim();
    if (!name) return;
    const bad = checkUsername(name);
    if (bad) {
      this.error = { code: bad, params: {} };
      return;
    }
    if (await this.act('adding a member', (g, id) => g.addMembers(id, [name]))) this.addText = '';
  }

  private ask(p: Pending): void {
    this.returnFocus = (this.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
    this.pending = p;
  }

  private settle(): void {
    this.pending = null;
    this.verifying = '';
    const back = this.returnFocus;
    this.returnFocus = null;
    // The button that asked may be gone (the member was removed): then the dialog's Close.
    (back?.isConnected ? back : this.renderRoot.querySelector<HTMLElement>('button.close'))?.focus();
  }

  private async confirmed(): Promise<void> {
    const p = this.pending;
    this.pending = null;
    if (p?.kind === 'remove') await this.act('removing a member', (g, id) => g.removeMember(id, p.member.username));
    if (p?.kind === 'leave') await this.act('leaving a group', (g, id) => g.leave(id));
    this.settle();
  }

  private confirmText(): { heading: string; body: string; action: string } {
    const p = this.pending;
    const group = this.group?.name ?? '';
    if (p?.kind === 'remove') {
      return {
        heading: msg(str`Remove ${p.member.username} from ${group}?`),
        body: msg(str`${p.member.username} gets nothing sent to the group after this, and sees that they are no longer in it. What they already have stays on their devices.`),
        action: msg('Remove'),
      };
    }
    if (p?.kind === 'leave') {
      return {
        heading: msg(str`Leave ${group}?`),
        body: msg('You get nothing sent to the group after this. The messages so far stay on this device. Only an admin can add you again.'),
        action: msg('Leave'),
      };
    }
    return { heading: '', body: '', action: '' };
  }

  private member(m: GroupMemberView, me: string, canManage: boolean) {
    return html`<li>
      <pc-group-member-row
        .member=${m}
        ?self=${m.key === me}
        ?online=${this.presence.value?.online.has(m.key) ?? false}
        ?verified=${this.security.value?.contacts.get(m.key)?.verified ?? false}
        ?canManage=${canManage}
      ></pc-group-member-row>
    </li>`;
  }

  override render() {
    const g = this.group;
    const me = this.service?.myName ? usernameKey(this.service.myName) : '';
    const isMember = g?.me.kind === 'member';
    const isAdmin = g?.me.kind === 'member' && g.me.admin;
    const confirm = this.confirmText();
    const full = (g?.members.length ?? 0) >= GROUP_LIMITS.maxMembers;
    return html`<dialog
      aria-labelledby="info-title"
      @cancel=${(e: Event) => {
        e.preventDefault();
        this.close();
      }}
    >
      <div class="head">
        <h2 id="info-title">${g?.name ?? ''}</h2>
        <button class="close" @click=${() => this.close()}>${msg('Close')}</button>
      </div>
      ${this.error ? html`<p class="error" role="alert">${describeError(this.error.code, this.error.params)}</p>` : nothing}
      ${isAdmin
        ? html`<h3><label for="rename">${msg('Group name')}</label></h3>
            <form class="line" @submit=${(e: Event) => void this.rename(e)}>
            <input
              id="rename"
              type="text"
              maxlength=${GROUP_LIMITS.maxNameChars}
              .value=${this.nameText}
              @input=${(e: Event) => (this.nameText = (e.target as HTMLInputElement).value)}
            />
            <button type="submit" ?disabled=${this.busy || !this.nameText.trim() || this.nameText.trim() === g?.name}>${msg('Rename')}</button>
          </form>`
        : nothing}
      <h3 id="members-heading">${msg('Members')}</h3>
      <p class="count">${msg(str`${g?.members.length ?? 0} of up to ${GROUP_LIMITS.maxMembers} members`)}</p>
      <ul
        class="members"
        aria-labelledby="members-heading"
        @pc-member-verify=${(e: CustomEvent<MemberDetail>) => {
          this.returnFocus = (this.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
          this.verifying = e.detail.member.username;
        }}
        @pc-member-promote=${(e: CustomEvent<MemberDetail>) => void this.act('making an admin', (a, id) => a.makeAdmin(id, e.detail.member.username))}
        @pc-member-remove=${(e: CustomEvent<MemberDetail>) => this.ask({ kind: 'remove', member: e.detail.member })}
      >
        ${(g?.members ?? []).map((m) => this.member(m, me, isAdmin))}
      </ul>
      ${isAdmin
        ? html`<form class="line" @submit=${(e: Event) => void this.add(e)}>
            <input
              type="text"
              autocomplete="off"
              autocapitalize="off"
              spellcheck="false"
              aria-label=${msg('Add a member by exact username')}
              placeholder=${msg('Add by exact username')}
              ?disabled=${full}
              .value=${this.addText}
              @input=${(e: Event) => (this.addText = (e.target as HTMLInputElement).value)}
            />
            <button type="submit" ?disabled=${this.busy || full || !this.addText.trim()}>${msg('Add')}</button>
          </form>`
        : nothing}
      ${isMember
        ? html`<div class="buttons leave">
            <button class="leave-button" aria-haspopup="dialog" @click=${() => this.ask({ kind: 'leave' })}>${msg('Leave group')}</button>
          </div>`
        : nothing}
      <pc-confirm-dialog
        .heading=${confirm.heading}
        .body=${confirm.body}
        .action=${confirm.action}
        @pc-confirm=${(e: Event) => {
          e.stopPropagation();
          void this.confirmed();
        }}
        @pc-close=${(e: Event) => {
          // The confirmation's own close: this dialog stays open.
          e.stopPropagation();
          this.settle();
        }}
      ></pc-confirm-dialog>
      <pc-verify-dialog
        .peerName=${this.verifying}
        ?open=${!!this.verifying}
        @pc-close=${(e: Event) => {
          e.stopPropagation();
          this.settle();
        }}
      ></pc-verify-dialog>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-group-info-dialog': PcGroupInfoDialog;
  }
}
