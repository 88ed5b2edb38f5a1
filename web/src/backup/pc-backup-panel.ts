import { LitElement, css, html, nothing } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { theme } from '../styles/theme';
import { settingsStyles } from '../settings/settings-styles';
import { serviceContext, sessionContext, type SessionState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { StoreController } from '../state/store-controller';
import { PeerchatError } from '../../../shared/errors';
import { usernameKey } from '../../../shared/index';
import { describeError } from '../l10n/error-text';
import { fileNameStamp, formatCount } from '../format/format';
import { saveBlob } from './save-blob';
import { backupFileName, makeBackupBlob, restoreBackup } from './backup-file';
import { refreshStorageInfo } from '../settings/storage-info';

/** The failure shown: a code from shared/errors, or an unexpected one (logged). */
function errorCode(err: unknown): string {
  if (err instanceof PeerchatError) return err.code;
  console.warn('Peerchat: the backup or restore failed', err);
  return err instanceof DOMException && err.name === 'QuotaExceededError' ? 'STORAGE_FULL' : 'BACKUP_DAMAGED';
}

/**
 * Encrypted backup of the whole history to one file with a passphrase, and restoring one into
 * this browser (merged with what is here; the page reloads to show it).
 */
@customElement('pc-backup-panel')
@localized()
export class PcBackupPanel extends LitElement {
  static override styles = [
    theme,
    settingsStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 10px;
        padding-top: 10px;
        border-top: 1px solid var(--pc-border);
      }
      label {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 6px;
      }
      input[type='password'],
      input[type='file'] {
        font: inherit;
        min-height: var(--pc-touch);
        padding: 6px 10px;
        border: 1px solid var(--pc-border);
        border-radius: 8px;
        background: var(--pc-bg);
        color: var(--pc-text);
        max-width: 100%;
      }
      h4 {
        margin: 0;
        font-size: 1rem;
      }
    `,
  ];

  @consume({ context: serviceContext }) service!: ChatService;
  private readonly session = new StoreController<SessionState>(this, sessionContext);
  @state() private busy: 'backup' | 'restore' | null = null;
  @state() private backupError = '';
  @state() private restoreError = '';
  @state() private backupDone = false;
  @state() private restored: number | null = null;

  private account(): string {
    return usernameKey(this.session.value?.username ?? '');
  }

  private async backup(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const passphrase = (form.elements.namedItem('passphrase') as HTMLInputElement).value;
    const db = this.service.database;
    if (!db) return;
    this.busy = 'backup';
    this.backupError = '';
    this.backupDone = false;
    try {
      const now = Date.now();
      const blob = await makeBackupBlob(db, this.account(), passphrase, now);
      const saved = await saveBlob(blob, backupFileName(this.account(), fileNameStamp(now)));
      this.backupDone = saved;
      if (saved) form.reset();
    } catch (err) {
      this.backupError = errorCode(err);
    } finally {
      this.busy = null;
    }
  }

  private async restore(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    const passphrase = (form.elements.namedItem('restore-passphrase') as HTMLInputElement).value;
    const db = this.service.database;
    if (!file || !db) return;
    this.busy = 'restore';
    this.restoreError = '';
    this.restored = null;
    try {
      const counts = await restoreBackup(db, this.account(), file, passphrase);
      this.restored = counts.messages;
      void refreshStorageInfo();
      // The lists, keys and marks are read at start: start again with the restored history.
      setTimeout(() => location.reload(), 1500);
    } catch (err) {
      this.restoreError = errorCode(err);
    } finally {
      this.busy = null;
    }
  }

  override render() {
    const count = this.restored === null ? '' : formatCount(this.restored);
    return html`<div class="part">
      <form @submit=${(e: SubmitEvent) => void this.backup(e)}>
        <h4>${msg('Back up everything')}</h4>
        <p class="muted">${msg('One file with all your conversations, contacts and their verified marks, locked with a passphrase. Files and images are not included. Keep the passphrase safe: without it the backup cannot be opened.')}</p>
        <label>${msg('Passphrase for the backup (at least 10 characters)')}<input name="passphrase" type="password" autocomplete="new-password" minlength="10" required /></label>
        <div class="buttons"><button class="primary" type="submit" ?disabled=${this.busy !== null}>${this.busy === 'backup' ? msg('Making the backup…') : msg('Make a backup')}</button></div>
        ${this.backupError ? html`<p class="error" role="alert">${describeError(this.backupError)}</p>` : nothing}
        ${this.backupDone ? html`<p class="ok" role="status">${msg('Backup saved.')}</p>` : nothing}
      </form>
      <form @submit=${(e: SubmitEvent) => void this.restore(e)}>
        <h4>${msg('Restore a backup')}</h4>
        <p class="muted">${msg('Adds the conversations and contacts of a backup of this account to this browser. Nothing is changed if the file or passphrase is wrong.')}</p>
        <label>${msg('Backup file')}<input name="file" type="file" required /></label>
        <label>${msg('Passphrase of the backup')}<input name="restore-passphrase" type="password" autocomplete="off" required /></label>
        <div class="buttons"><button type="submit" ?disabled=${this.busy !== null}>${this.busy === 'restore' ? msg('Restoring…') : msg('Restore')}</button></div>
        ${this.restoreError ? html`<p class="error" role="alert">${describeError(this.restoreError)}</p>` : nothing}
        ${this.restored !== null ? html`<p class="ok" role="status">${msg(str`Restored ${count} messages. Reloading…`)}</p>` : nothing}
      </form>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-backup-panel': PcBackupPanel;
  }
}
