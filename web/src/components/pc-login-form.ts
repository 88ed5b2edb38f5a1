import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, state, query } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { checkPassword, checkUsername, type ErrorCode } from '../../../shared/index';
import { describeError } from '../l10n/error-text';
import { theme } from '../styles/theme';
import { serviceContext, sessionContext, type SessionState } from '../state/contexts';
import { StoreController } from '../state/store-controller';
import type { ChatService } from '../state/chat-service';
import './pc-build-info';
import '../l10n/pc-language-picker';
import '../backup/pc-login-restore';
import { noteLoginKind } from '../backup/restore-offer-flag';

const USERNAME_ERRORS: ReadonlySet<string> = new Set(['USER_EXISTS', 'UNKNOWN_USER', 'INVALID_USERNAME']);
const PASSWORD_ERRORS: ReadonlySet<string> = new Set(['BAD_PASSWORD', 'PASSWORD_TOO_SHORT', 'PASSWORD_TOO_LONG']);

/** The line under a field: its error as a sentence, or the hint when there is none. */
function fieldMessage(id: string, err: ErrorCode | null, hint: string) {
  return err
    ? html`<span class="error" id=${id} role="alert">${describeError(err)}</span>`
    : html`<span class="hint" id=${id}>${hint}</span>`;
}

/** Log in or register. Errors show next to the field that caused them. */
@customElement('pc-login-form')
@localized()
export class PcLoginForm extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: grid;
        place-items: center;
        min-height: 100%;
        padding: 24px 16px;
        background: var(--pc-bg);
      }
      form {
        width: min(100%, 380px);
        display: grid;
        gap: 18px;
      }
      h1 {
        margin: 0;
        font-size: 1.8rem;
      }
      p.lead {
        margin: 0;
        color: var(--pc-muted);
        line-height: 1.45;
      }
      .field {
        display: grid;
        gap: 6px;
      }
      label {
        font-weight: 600;
      }
      input {
        font: inherit;
        min-height: var(--pc-touch);
        padding: 8px 12px;
        border-radius: 8px;
        border: 1px solid var(--pc-border);
        background: var(--pc-bg);
        color: var(--pc-text);
      }
      input[aria-invalid='true'] {
        border-color: var(--pc-danger);
      }
      .hint {
        font-weight: 400;
        font-size: 0.875rem;
        color: var(--pc-muted);
      }
      .error {
        font-weight: 400;
        font-size: 0.9rem;
        color: var(--pc-danger);
      }
      .form-error {
        padding: 10px 12px;
        border-radius: 8px;
        background: var(--pc-danger-bg);
        color: var(--pc-danger);
      }
      .buttons {
        display: flex;
        gap: 12px;
      }
      .buttons button {
        flex: 1;
      }
    `,
  ];

  @consume({ context: serviceContext }) service!: ChatService;
  private readonly session = new StoreController<SessionState>(this, sessionContext);

  @state() private localError: { field: 'username' | 'password'; code: ErrorCode } | null = null;
  @state() private submitted = false;
  @query('#username') private usernameInput!: HTMLInputElement;
  @query('#password') private passwordInput!: HTMLInputElement;

  override firstUpdated(): void {
    this.usernameInput.focus();
  }

  private submit(kind: 'login' | 'register'): void {
    const username = this.usernameInput.value.trim();
    const password = this.passwordInput.value;
    const uErr = checkUsername(username);
    const pErr = kind === 'register' ? checkPassword(password) : password ? null : 'PASSWORD_TOO_SHORT';
    if (uErr) {
      this.localError = { field: 'username', code: uErr };
      this.usernameInput.focus();
      return;
    }
    if (pErr) {
      this.localError = { field: 'password', code: pErr };
      this.passwordInput.focus();
      return;
    }
    this.localError = null;
    this.submitted = true;
    noteLoginKind(kind);
    this.service.login(kind, username, password);
  }

  override render() {
    const s = this.session.value;
    const busy = this.submitted && s?.connection === 'connecting';
    const serverErr = this.submitted ? s?.authError ?? null : null;
    const uErr = this.localError?.field === 'username' ? this.localError.code : serverErr && USERNAME_ERRORS.has(serverErr) ? serverErr : null;
    const pErr = this.localError?.field === 'password' ? this.localError.code : serverErr && PASSWORD_ERRORS.has(serverErr) ? serverErr : null;
    const formErr = serverErr && !uErr && !pErr ? serverErr : null;
    return html`
      <form
        novalidate
        @submit=${(e: SubmitEvent) => {
          e.preventDefault();
          const submitter = e.submitter as HTMLButtonElement | null;
          this.submit(submitter?.value === 'register' ? 'register' : 'login');
        }}
      >
        <h1>Peerchat</h1>
        <p class="lead">${msg('Private chat straight between browsers. Messages never pass through the server and stay on your devices.')}</p>
        <div class="field">
          <label for="username">${msg('Username')}</label>
          <input
            id="username"
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck="false"
            maxlength="64"
            aria-invalid=${uErr ? 'true' : 'false'}
            aria-describedby="username-msg"
            @input=${() => (this.localError = null)}
          />
          ${fieldMessage('username-msg', uErr, msg('3–32 letters, digits, _ . -'))}
        </div>
        <div class="field">
          <label for="password">${msg('Password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            maxlength="256"
            aria-invalid=${pErr ? 'true' : 'false'}
            aria-describedby="password-msg"
            @input=${() => (this.localError = null)}
          />
          ${fieldMessage('password-msg', pErr, msg('At least 8 characters.'))}
        </div>
        ${formErr ? html`<div class="form-error" role="alert">${describeError(formErr)}</div>` : nothing}
        ${s?.localError ? html`<div class="form-error" role="alert">${describeError(s.localError)}</div>` : nothing}
        <div class="buttons">
          <button type="submit" class="primary" value="login" ?disabled=${busy}>${msg('Log in')}</button>
          <button type="submit" value="register" ?disabled=${busy}>${msg('Register')}</button>
        </div>
        ${busy ? html`<p class="hint" role="status">${msg('Connecting…')}</p>` : nothing}
        <pc-login-restore></pc-login-restore>
        <pc-language-picker></pc-language-picker>
        <pc-build-info></pc-build-info>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-login-form': PcLoginForm;
  }
}
