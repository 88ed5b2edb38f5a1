import { LitElement, css, html, nothing } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { theme } from '../styles/theme';
import { fieldStyles, settingsStyles } from '../settings/settings-styles';
import { serviceContext, sessionContext, type SessionState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import { StoreController } from '../state/store-controller';
import { usernameKey } from '../../../shared/index';
import { describeError } from '../l10n/error-text';
import { formatCount } from '../format/format';
import { restoreBackup } from './backup-file';
import { refreshStorageInfo } from '../settings/storage-info';
import { backupErrorCode } from './backup-error';
import { setRestoreOffer } from './restore-offer-flag';

/**
 * Restoring a backup of this account into this browser (merged with what is here; the page
 * reloads to show it). Used in Settings (the backup panel) and in the dialog offered right
 * after logging in on an empty device.
 */
@customElement('pc-restore-form')
@localized()
export class PcRestoreForm extends LitElement {
  static override styles = [
    theme,
    settingsStyles,
    fieldStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 10px;
      }
    `,
  ];

  @consume({ context: serviceContext }) service!: ChatService;
  private readonly session = new StoreController<SessionState>(this, sessionContext);
  @state() private busy = false;
  @state() private error = '';
  @state() private restored: number | null = null;

  private async restore(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    const passphrase = (form.elements.namedItem('restore-passphrase') as HTMLInputElement).value;
    const db = this.service.database;
    if (!file || !db) return;
    this.busy = true;
    this.error = '';
    this.restored = null;
    try {
      const counts = await restoreBackup(db, usernameKey(this.session.value?.username ?? ''), file, passphrase);
      this.restored = counts.messages;
      setRestoreOffer(null);
      void refreshStorageInfo();
      // The lists, keys and marks are read at start: start again with the restored history.
      setTimeout(() => location.reload(), 1500);
    } catch (err) {
      this.error = backupErrorCode(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const count = this.restored === null ? '' : formatCount(this.restored);
    return html`<form @submit=${(e: SubmitEvent) => void this.restore(e)}>
      <h4>${msg('Restore a backup')}</h4>
      <p class="muted">${msg('Adds the conversations and contacts of a backup of this account to this browser. Nothing is changed if the file or passphrase is wrong.')}</p>
      <label class="field">${msg('Backup file')}<input name="file" type="file" required /></label>
      <label class="field">${msg('Passphrase of the backup')}<input name="restore-passphrase" type="password" autocomplete="off" required /></label>
      <div class="buttons"><button type="submit" ?disabled=${this.busy}>${this.busy ? msg('Restoring…') : msg('Restore')}</button></div>
      ${this.error ? html`<p class="error" role="alert">${describeError(this.error)}</p>` : nothing}
      ${this.restored !== null ? html`<p class="ok" role="status">${msg(str`Restored ${count} messages. Reloading…`)}</p>` : nothing}
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-restore-form': PcRestoreForm;
  }
}
