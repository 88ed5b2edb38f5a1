import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { StoreController } from '../state/store-controller';
import { shareContext } from '../state/contexts';
import { formatBytes } from '../format/format';
import { describeError } from '../l10n/error-text';
import { plural } from '../l10n/plural';
import { shareIntake, type ShareState } from './share-intake';
import type { SharedContent } from './share-store';
import type { AppErrorCode, ErrorParams } from '../../../shared/errors';
import { SHARE_LIMITS } from '../../../shared/share-merge';

/**
 * Shown above the contacts while something shared from another app waits: "Choose a contact to
 * send this to", a line saying it came from another app, and a preview; files are listed and
 * offered to the contact chosen. A share that was refused or lost is said above it.
 */
/** What happens to the shared files (and text) once a contact is chosen. */
function offerNote(files: number, text: boolean): string {
  if (text) {
    return plural(files, {
      one: () => msg('The file is offered to the contact you choose; the text goes into the chat.'),
      other: () => msg('The files are offered to the contact you choose; the text goes into the chat.'),
    });
  }
  return plural(files, { one: () => msg('The file is offered to the contact you choose.'), other: () => msg('The files are offered to the contact you choose.') });
}

@customElement('pc-share-panel')
@localized()
export class PcSharePanel extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      section {
        display: grid;
        gap: 6px;
        padding: 10px 16px;
        background: var(--pc-surface);
        border-bottom: 1px solid var(--pc-border);
      }
      section.problem {
        background: var(--pc-warn-bg);
        color: var(--pc-warn-text);
      }
      .head {
        display: flex;
        align-items: center;
        gap: 12px;
        flex-wrap: wrap;
      }
      h2 {
        flex: 1 1 12em;
        margin: 0;
        font-size: 1rem;
      }
      .preview {
        padding: 6px 10px;
        border-left: 3px solid var(--pc-accent);
        background: var(--pc-bg);
        border-radius: 4px;
      }
      .preview p {
        margin: 0;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        display: -webkit-box;
        -webkit-line-clamp: 3;
        -webkit-box-orient: vertical;
        overflow: hidden;
      }
      ul {
        margin: 0;
        padding-left: 1.2em;
        overflow-wrap: anywhere;
      }
      .note {
        margin: 0;
        font-size: 0.875rem;
        color: var(--pc-muted);
      }
      section.problem .note,
      section.problem p {
        color: inherit;
        margin: 0;
      }
    `,
  ];

  private readonly share = new StoreController<ShareState>(this, shareContext);

  override render() {
    const s = this.share.value;
    if (!s) return nothing;
    // A refused share leaves any earlier one waiting: both are shown.
    return html`${s.problem ? this.renderProblem(s.problem) : nothing}${s.content ? this.renderContent(s.content) : nothing}`;
  }

  private renderProblem(problem: AppErrorCode) {
    const params: ErrorParams = problem === 'SHARE_TOO_LARGE' ? { max: formatBytes(SHARE_LIMITS.maxBytes) } : {};
    return html`<section class="problem" role="alert">
      <div class="head">
        <p>${describeError(problem, params)}</p>
        <button @click=${() => shareIntake.dismissProblem()}>${msg('OK')}</button>
      </div>
    </section>`;
  }

  private renderContent(c: SharedContent) {
    const files = c.files;
    const heading = c.text || files.length === 1 ? msg('Choose a contact to send this to') : msg('Choose a contact to send these files to');
    return html`<section aria-labelledby="share-heading">
      <div class="head">
        <h2 id="share-heading">${heading}</h2>
        <button @click=${() => void shareIntake.discard()}>${msg('Discard', { id: 'share-discard' })}</button>
      </div>
      <p class="note origin">${msg('Shared to Peerchat from another app, not written by you here. Check it before you send it.')}</p>
      ${c.text ? html`<div class="preview"><p>${c.text}</p></div>` : nothing}
      ${files.length
        ? html`<ul aria-label=${msg('Shared files')}>
              ${files.map((f) => html`<li>${f.name} <span class="note">(${formatBytes(f.size)})</span></li>`)}
            </ul>
            <p class="note">${offerNote(files.length, !!c.text)}</p>`
        : nothing}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-share-panel': PcSharePanel;
  }
}
