import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { theme } from '../styles/theme';
import { fieldStyles, settingsStyles } from '../settings/settings-styles';
import { serviceContext, sessionContext, type SessionState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { StoreController } from '../state/store-controller';
import { usernameKey } from '../../../shared/index';
import { describeError } from '../l10n/error-text';
import { fileNameStamp } from '../format/format';
import { saveBlob } from './save-blob';
import { backupFileName, makeBackupBlob } from './backup-file';
import { backupErrorCode } from './backup-error';
import './pc-restore-form';

/**
 * Encrypted backup of the whole history to one file with a passphrase, and restoring one into
 * this browser (pc-restore-form: merged with what is here; the page reloads to show it).
 */
@customElement('pc-backup-panel')
@localized()
export class PcBackupPanel extends LitElement {
  static override styles = [
    theme,
    settingsStyles,
    fieldStyles,
    css`
      :host {
        display: block;
      }
      form,
      pc-restore-form {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 10px;
        padding-top: 10px;
        border-top: 1px solid var(--pc-border);
      }
    `,
  ];

  @consume({ context: serviceContext }) service!: ChatService;
  private readonly session = new StoreController<SessionState>(this, sessionContext);
  @state() private busy = false;
  @state() private backupError = '';
  @state() private backupDone = false;

  private account(): string {
    return usernameKey(this.session.value?.username ?? '');
  }

  private async backup(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const passphrase = (form.elements.namedItem('passphrase') as HTMLInputElement).value;
    const db = this.service.database;
    if (!db) return;
    this.busy = true;
    this.backupError = '';
    this.backupDone = false;
    try {
      const now = Date.now();
      const blob = await makeBackupBlob(db, this.account(), passphrase, now);
      const saved = await saveBlob(blob, backupFileName(this.account(), fileNameStamp(now)));
      this.backupDone = saved;
      if (saved) form.reset();
    } catch (err) {
      this.backupError = backupErrorCode(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`<div class="part">
      <form @submit=${(e: SubmitEvent) => void this.backup(e)}>
        <h4>${msg('Back up everything')}</h4>
        <p class="muted">${msg('One file with all your conversations, contacts and their verified marks, locked with a passphrase. Files and images are not included. Keep the passphrase safe: without it the backup cannot be opened.')}</p>
        <label class="field">${msg('Passphrase for the backup (at least 10 characters)')}<input name="passphrase" type="password" autocomplete="new-password" minlength="10" required /></label>
        <div class="buttons"><button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? msg('Making the backup…') : msg('Make a backup')}</button></div>
        ${this.backupError ? html`<p class="error" role="alert">${describeError(this.backupError)}</p>` : nothing}
        ${this.backupDone ? html`<p class="ok" role="status">${msg('Backup saved.')}</p>` : nothing}
      </form>
      <pc-restore-form></pc-restore-form>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-backup-panel': PcBackupPanel;
  }
}
