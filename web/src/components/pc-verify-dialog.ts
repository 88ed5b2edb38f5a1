import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import QRCode from 'qrcode';
import { usernameKey } from '../../../shared/index';
import type { SafetyNumber } from '../../../shared/crypto/index';
import { theme } from '../styles/theme';
import { scrollingDialogStyles } from '../styles/confirm';
import { StoreController } from '../state/store-controller';
import { securityContext, serviceContext, type SecurityState } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import type { KeyEvent, KeyEventKind } from '../db/schema';
import { formatDateTime } from '../format/format';
import '../verify/pc-safety-scanner';
import type { SafetyScanDetail } from '../verify/pc-safety-scanner';

function eventText(kind: KeyEventKind): string {
  switch (kind) {
    case 'pinned':
      return msg('First secure contact: key saved');
    case 'changed':
      return msg('Key changed');
    case 'accepted':
      return msg('New key accepted');
    case 'verified':
      return msg('Marked as verified');
    case 'unverified':
      return msg('Verified mark removed');
  }
}

/**
 * The "Verify" view of one contact: the safety number (12 groups of 5 digits, the same on both
 * devices), a QR code of it and a scanner for the other device's code (pc-safety-scanner), a
 * "Mark as verified" switch, and the key history. A modal
 * <dialog>: Esc closes it, focus stays inside while open and returns to the opener after
 * (the parent listens for `pc-close`). While a key change is pending it shows the number for
 * the NEW key, so it can be compared before accepting.
 */
@customElement('pc-verify-dialog')
@localized()
export class PcVerifyDialog extends LitElement {
  static override styles = [
    theme,
    scrollingDialogStyles,
    css`
      dialog {
        width: min(92vw, 460px);
      }
      .body {
        gap: 14px;
      }
      p {
        margin: 0;
        line-height: 1.45;
      }
      .muted {
        color: var(--pc-muted);
        font-size: 0.9rem;
      }
      .body > * {
        min-width: 0;
      }
      .number {
        display: grid;
        grid-template-columns: repeat(4, auto);
        justify-content: center;
        gap: 6px clamp(8px, 3vw, 16px);
        font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
        font-size: clamp(0.95rem, 4.4vw, 1.15rem);
        letter-spacing: 0.03em;
        padding: 12px 8px;
        border-radius: 10px;
        background: var(--pc-surface);
      }
      .qr {
        justify-self: center;
        width: min(200px, 50vw);
        height: auto;
        aspect-ratio: 1;
        image-rendering: pixelated;
        border-radius: 8px;
      }
      .notice {
        padding: 10px 12px;
        border-radius: 8px;
        background: var(--pc-warn-bg);
        color: var(--pc-warn-text);
      }
      label.switch {
        display: flex;
        align-items: center;
        gap: 10px;
        min-height: var(--pc-touch);
        font-weight: 600;
        cursor: pointer;
      }
      label.switch input {
        width: 22px;
        height: 22px;
        accent-color: var(--pc-ok);
      }
      summary {
        min-height: var(--pc-touch);
        padding-block: 12px;
        cursor: pointer;
      }
      ul {
        margin: 0;
        padding-left: 18px;
        font-size: 0.85rem;
        color: var(--pc-muted);
      }
      .buttons {
        display: flex;
        gap: 10px;
        justify-content: flex-end;
        flex-wrap: wrap;
        padding: 10px 20px;
        border-top: 1px solid var(--pc-border);
      }
    `,
  ];

  @property() peerName = '';
  @property({ type: Boolean }) open = false;
  @consume({ context: serviceContext }) service!: ChatService;
  private readonly security = new StoreController<SecurityState>(this, securityContext);
  @state() private number: SafetyNumber | null = null;
  @state() private qr: string | null = null;
  @state() private history: KeyEvent[] = [];
  @state() private loading = false;
  @query('dialog') private dialog!: HTMLDialogElement;
  /** What the number was computed for, so a key change or a new contact recomputes it. */
  private shownFor = '';
  /** Just opened: move focus to the switch once the content is there. */
  private needsFocus = false;

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open')) {
      if (this.open && !this.dialog.open) {
        this.dialog.showModal();
        this.shownFor = '';
        this.needsFocus = true;
      } else if (!this.open && this.dialog.open) {
        this.dialog.close();
      }
    }
    if (this.open) void this.refresh();
  }

  private get contact() {
    return this.security.value?.contacts.get(usernameKey(this.peerName));
  }

  private async refresh(): Promise<void> {
    const c = this.contact;
    const which = c?.pendingKey ? 'pending' : 'pinned';
    const id = `${this.peerName}|${which}|${c?.pendingKey ?? c?.pinnedKey ?? ''}|${c?.verified ?? false}`;
    if (id === this.shownFor) return;
    this.shownFor = id;
    this.loading = !this.number;
    const [number, history] = await Promise.all([
      // Either failing leaves a visible state (no number: "no key yet"; no history: none listed).
      this.service.security.safetyNumber(this.peerName, which).catch((err: unknown) => {
        console.warn('Verify: the safety number could not be computed', err instanceof Error ? err.name : err);
        return null;
      }),
      this.service.security.keyHistory(usernameKey(this.peerName)).catch((err: unknown) => {
        console.warn('Verify: the key history could not be read', err instanceof Error ? err.name : err);
        return [];
      }),
    ]);
    if (id !== this.shownFor) return;
    this.number = number;
    this.history = history;
    this.qr = number ? await qrDataUrl(number.qrPayload) : null;
    this.loading = false;
    // Focus where the person acts next: the switch (or Accept), else Close.
    if (this.open && this.needsFocus) {
      this.needsFocus = false;
      await this.updateComplete;
      (this.renderRoot.querySelector<HTMLElement>('#verified, button.primary') ?? this.renderRoot.querySelector<HTMLElement>('button.close'))?.focus();
    }
  }

  /**
   * A scan that matched the number on screen marks the contact verified, like the switch; for a
   * pending key change the match is the comparison the person was asked for, so the key is
   * accepted first. A mismatch changes nothing (the scanner shows the warning).
   */
  private async scanned({ verdict, digits }: SafetyScanDetail): Promise<void> {
    if (verdict !== 'match' || digits !== this.number?.digits) return;
    const name = this.peerName;
    try {
      if (this.contact?.pendingKey) await this.service.acceptNewKey(name);
      await this.service.setVerified(name, true);
    } catch (err) {
      console.error('Could not mark the contact verified after a matching scan', err);
    }
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('pc-close', { bubbles: true, composed: true }));
  }

  private body() {
    const c = this.contact;
    const name = this.peerName;
    if (this.loading) return html`<p role="status">${msg('Working out the safety number…')}</p>`;
    if (!this.number) {
      return html`<p>${msg(str`There is no key for ${name} yet. The safety number appears once ${name} has been online while you were.`)}</p>`;
    }
    const pending = !!c?.pendingKey;
    return html`
      ${pending
        ? html`<p class="notice">${msg(html`${name}’s security key has changed. This is the safety number for the <strong>new</strong> key: compare it with ${name} before you accept it.`)}</p>`
        : nothing}
      <p>
        ${msg(str`Compare these numbers with ${name} — side by side, or over a call you trust. If they match on both devices, nobody can read or change what you send each other, not even the server.`)}
      </p>
      <div class="number" role="group" aria-label=${msg('Safety number')}>
        ${this.number.groups.map((g) => html`<span>${g}</span>`)}
      </div>
      ${this.qr ? html`<img class="qr" src=${this.qr} alt=${msg('QR code of the safety number')} width="200" height="200" />` : nothing}
      <p class="muted">${msg(str`Or let the camera compare: scan the code on ${name}’s Verify screen, or a photo of it.`)}</p>
      <pc-safety-scanner
        .expected=${this.number}
        .peerName=${name}
        @pc-safety-scan=${(e: CustomEvent<SafetyScanDetail>) => void this.scanned(e.detail)}
      ></pc-safety-scanner>
      ${pending
        ? html`<button class="primary" @click=${() => void this.service.acceptNewKey(name)}>${msg('Accept this key')}</button>`
        : html`<label class="switch"
            ><input
              id="verified"
              type="checkbox"
              role="switch"
              .checked=${!!c?.verified}
              @change=${(e: Event) => void this.service.setVerified(name, (e.target as HTMLInputElement).checked)}
            />${msg('Mark as verified')}</label
          >`}
      ${this.history.length
        ? html`<details>
            <summary class="muted">${msg('Key history')}</summary>
            <ul>
              ${this.history.map((e) => html`<li>${eventText(e.kind)} — ${formatDateTime(e.ts)}</li>`)}
            </ul>
          </details>`
        : nothing}
    `;
  }

  override render() {
    return html`
      <dialog
        aria-labelledby="verify-title"
        @cancel=${(e: Event) => {
          e.preventDefault();
          this.close();
        }}
        @close=${() => this.open && this.close()}
      >
        <div class="body">
          <h2 id="verify-title">${msg(str`Verify ${this.peerName}`)}</h2>
          ${this.open ? this.body() : nothing}
        </div>
        <div class="buttons">
          <button class="close" @click=${() => this.close()}>${msg('Close')}</button>
        </div>
      </dialog>
    `;
  }
}

async function qrDataUrl(payload: string): Promise<string | null> {
  try {
    const svg = await QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
    return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  } catch (err) {
    // The digits stay on screen to compare by eye; only the picture is missing.
    console.warn('Verify: the QR code could not be drawn', err instanceof Error ? err.name : err);
    return null;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-verify-dialog': PcVerifyDialog;
  }
  interface HTMLElementEventMap {
    /** The person closed the Verify dialog (Close or Esc); the parent hides it. */
    'pc-close': CustomEvent<void>;
  }
}
