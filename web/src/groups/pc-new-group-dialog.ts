import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { localized, msg, str } from '@lit/localize';
import { theme } from '../styles/theme';
import { choiceStyles, dialogStyles } from '../styles/confirm';
import { serviceContext } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { describeError } from '../l10n/error-text';
import { checkUsername, usernameKey } from '../../../shared/index';
import { GROUP_LIMITS } from '../../../shared/groups/limits';
import { groupConv } from './groups-contract';
import { groupActionError, groupActionsOf, type GroupActionError } from './group-actions-of';
import type { OpenConversationDetail } from '../components/pc-contact-list';

/** Someone who can be picked for a new group. */
export interface GroupCandidate {
  /** Lowercased username. */
  key: string;
  /** Display name. */
  name: string;
}

/**
 * "New group": a name, members picked from the contacts or added by exact username, the member
 * limit in view. Creating asks the group service, then opens the group (`pc-open-conversation`)
 * and closes (`pc-close`); Cancel and Esc close. Focus starts in the name field.
 */
@customElement('pc-new-group-dialog')
@localized()
export class PcNewGroupDialog extends LitElement {
  static override styles = [
    theme,
    choiceStyles,
    dialogStyles,
    css`
      dialog {
        width: min(94vw, 460px);
        max-height: min(92dvh, 720px);
      }
      form {
        display: grid;
        gap: 12px;
      }
      h2 {
        margin: 0;
        font-size: 1.15rem;
      }
      label.field {
        display: grid;
        gap: 4px;
        font-weight: 600;
      }
      input[type='text'] {
        font: inherit;
        font-weight: 400;
        min-height: var(--pc-touch);
        padding: 0 10px;
        border: 1px solid var(--pc-border);
        border-radius: 8px;
        background: var(--pc-bg);
        color: var(--pc-text);
        width: 100%;
      }
      fieldset {
        border: 1px solid var(--pc-border);
        border-radius: 10px;
        margin: 0;
        padding: 4px 8px 8px;
        min-width: 0;
      }
      legend {
        font-weight: 600;
        padding: 0 4px;
      }
      .people {
        max-height: 38dvh;
        overflow-y: auto;
      }
      label.person {
        display: flex;
        align-items: center;
        gap: 10px;
        min-height: var(--pc-touch);
        padding: 0 4px;
        overflow-wrap: anywhere;
      }
      label.person input {
        width: 20px;
        height: 20px;
        flex: none;
      }
      .add {
        display: flex;
        gap: 8px;
        margin-top: 6px;
      }
      .add input {
        flex: 1;
        min-width: 0;
      }
      .limit {
        margin: 0;
        font-size: 0.875rem;
        color: var(--pc-muted);
      }
      .limit.over,
      .error {
        color: var(--pc-danger);
      }
      .error {
        margin: 0;
      }
      .none {
        margin: 6px 4px;
        color: var(--pc-muted);
      }
    `,
  ];

  @property({ type: Boolean }) open = false;
  /** The contacts to pick from (not this account). */
  @property({ attribute: false }) candidates: readonly GroupCandidate[] = [];
  @consume({ context: serviceContext }) service?: ChatService;
  @query('dialog') private dialog!: HTMLDialogElement;
  @state() private name = '';
  /** Chosen members, by lowercased name → display name. */
  @state() private chosen = new Map<string, string>();
  /** People added by exact username (shown with the contacts, ticked). */
  @state() private added: GroupCandidate[] = [];
  @state() private addText = '';
  @state() private addError: string | null = null;
  @state() private error: GroupActionError | null = null;
  @state() private busy = false;

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open')) return;
    if (this.open && !this.dialog.open) {
      this.reset();
      this.dialog.showModal();
      this.renderRoot.querySelector<HTMLInputElement>('#group-name')?.focus();
    } else if (!this.open && this.dialog.open) {
      this.dialog.close();
    }
  }

  private reset(): void {
    this.name = '';
    this.chosen = new Map();
    this.added = [];
    this.addText = '';
    this.addError = null;
    this.error = null;
    this.busy = false;
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent<void>('pc-close', { bubbles: true, composed: true }));
  }

  private toggle(p: GroupCandidate, on: boolean): void {
    const next = new Map(this.chosen);
    if (on) next.set(p.key, p.name);
    else next.delete(p.key);
    this.chosen = next;
  }

  /** "Add": an exact username, checked as the server checks names; it joins the list ticked. */
  private addByName(): void {
    const name = this.addText.trim();
    if (!name) return;
    const bad = checkUsername(name);
    if (bad) {
      this.addError = describeError(bad);
      return;
    }
    const key = usernameKey(name);
    if (!this.candidates.some((c) => c.key === key) && !this.added.some((c) => c.key === key)) this.added = [...this.added, { key, name }];
    this.toggle({ key, name }, true);
    this.addText = '';
    this.addError = null;
  }

  private async create(e: Event): Promise<void> {
    e.preventDefault();
    const groups = groupActionsOf(this.service);
    if (!groups || this.busy || !this.canCreate()) return;
    this.busy = true;
    this.error = null;
    try {
      const id = await groups.create(this.name.trim(), [...this.chosen.values()]);
      // Closed here, before the group opens: closing gives focus back to "New group", and the
      // group's composer must take it after that.
      this.dialog.close();
      this.dispatchEvent(new CustomEvent<OpenConversationDetail>('pc-open-conversation', { detail: { peerName: groupConv(id) }, bubbles: true, composed: true }));
      this.close();
    } catch (err) {
      this.error = groupActionError(err, 'creating a group');
    } finally {
      this.busy = false;
    }
  }

  private canCreate(): boolean {
    return this.name.trim().length > 0 && this.chosen.size > 0 && this.chosen.size + 1 <= GROUP_LIMITS.maxMembers;
  }

  override render() {
    const people = [...this.candidates, ...this.added];
    const count = this.chosen.size + 1;
    const max = GROUP_LIMITS.maxMembers;
    const over = count > max;
    return html`<dialog
      aria-labelledby="new-group-title"
      @cancel=${(e: Event) => {
        e.preventDefault();
        this.close();
      }}
    >
      <form @submit=${(e: Event) => void this.create(e)} novalidate>
        <h2 id="new-group-title">${msg('New group')}</h2>
        <label class="field"
          >${msg('Group name')}
          <input
            id="group-name"
            type="text"
            autocomplete="off"
            maxlength=${GROUP_LIMITS.maxNameChars}
            .value=${this.name}
            @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}
          />
        </label>
        <fieldset>
          <legend>${msg('Members')}</legend>
          <div class="people">
            ${people.length === 0 ? html`<p class="none">${msg('No contacts yet. Add people by their exact username below.')}</p>` : nothing}
            ${people.map(
              (p) => html`<label class="person"
                ><input type="checkbox" .checked=${this.chosen.has(p.key)} @change=${(e: Event) => this.toggle(p, (e.target as HTMLInputElement).checked)} />${p.name}</label
              >`,
            )}
          </div>
          <div class="add">
            <input
              type="text"
              autocomplete="off"
              autocapitalize="off"
              spellcheck="false"
              aria-label=${msg('Add by exact username')}
              placeholder=${msg('Add by exact username')}
              aria-invalid=${this.addError ? 'true' : 'false'}
              aria-describedby="add-error"
              .value=${this.addText}
              @input=${(e: Event) => (this.addText = (e.target as HTMLInputElement).value)}
              @keydown=${(e: KeyboardEvent) => {
                if (e.key !== 'Enter') return;
                e.preventDefault();
                this.addByName();
              }}
            />
            <button type="button" @click=${() => this.addByName()}>${msg('Add')}</button>
          </div>
          <p class="error" id="add-error" role="alert">${this.addError ?? nothing}</p>
        </fieldset>
        <p class="limit ${over ? 'over' : ''}" role="status">${msg(str`${count} of up to ${max} members, you included.`)}</p>
        ${this.error ? html`<p class="error" role="alert">${describeError(this.error.code, this.error.params)}</p>` : nothing}
        <div class="buttons">
          <button type="button" class="cancel" @click=${() => this.close()}>${msg('Cancel')}</button>
          <button type="submit" class="primary" ?disabled=${!this.canCreate() || this.busy}>${this.busy ? msg('Creating…') : msg('Create group')}</button>
        </div>
      </form>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-new-group-dialog': PcNewGroupDialog;
  }
}
