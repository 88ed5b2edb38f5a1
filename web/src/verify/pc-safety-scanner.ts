import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, property, query, state } from 'lit/decorators.js';
import { compareSafetyQr, type SafetyNumber, type SafetyQrVerdict } from '../../../shared/crypto/index';
import { describeError } from '../l10n/error-text';
import { sentenceSpace } from '../l10n/join-parts';
import { theme } from '../styles/theme';
import { QrScanController } from './qr-scan-controller';

/** What a scan found: the verdict on a Peerchat safety number, and the number it was compared with. */
export interface SafetyScanDetail {
  verdict: Exclude<SafetyQrVerdict, 'not-safety-number'>;
  /** The digits of `expected` at the time of the scan, so a stale result can be told apart. */
  digits: string;
}

/**
 * Scanning the other person's safety-number QR code, with the camera ("Scan their code") or from
 * a picture ("Scan from a photo"). Compares what it reads with `expected` and tells the host with
 * a `pc-safety-scan` event; the host decides what a match does (marking the contact verified).
 * A code that is not a Peerchat safety number is reported here and not sent up.
 */
@customElement('pc-safety-scanner')
@localized()
export class PcSafetyScanner extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: grid;
        gap: 10px;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
      /* The file input stays in the accessibility tree (named by its label) but the label is what shows. */
      label.file {
        position: relative;
        display: inline-flex;
        align-items: center;
        min-height: var(--pc-touch);
        padding: 0 16px;
        border-radius: 8px;
        border: 1px solid var(--pc-border);
        background: var(--pc-surface);
        cursor: pointer;
        white-space: nowrap;
      }
      label.file:focus-within {
        outline: 2px solid var(--pc-accent);
        outline-offset: 2px;
      }
      label.file input {
        position: absolute;
        inset: 0;
        opacity: 0;
        width: 100%;
        cursor: pointer;
      }
      video {
        justify-self: center;
        width: min(100%, 320px);
        aspect-ratio: 4 / 3;
        object-fit: cover;
        border-radius: 8px;
        background: #000;
      }
      p {
        margin: 0;
        line-height: 1.45;
      }
      .result {
        padding: 10px 12px;
        border-radius: 8px;
      }
      .match {
        border: 2px solid var(--pc-ok);
        background: var(--pc-surface);
      }
      .match strong {
        color: var(--pc-ok);
      }
      .mismatch {
        background: var(--pc-danger-bg);
        color: var(--pc-text);
        border: 2px solid var(--pc-danger);
      }
      .failed {
        background: var(--pc-warn-bg);
        color: var(--pc-warn-text);
      }
    `,
  ];

  /** The safety number the scanned code must equal. */
  @property({ attribute: false }) expected: SafetyNumber | null = null;
  @property() peerName = '';
  @state() private verdict: SafetyScanDetail['verdict'] | null = null;
  @query('video') private video!: HTMLVideoElement | null;
  private readonly scanner = new QrScanController(
    this,
    () => this.video,
    (text) => this.judge(text),
  );

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A verdict is about one number: a new key (or contact) makes it meaningless.
    if (changed.has('expected') && changed.get('expected')?.digits !== this.expected?.digits) this.verdict = null;
  }

  /** What result() showed last, so each new state is brought into view once. */
  private shown = '';

  protected override updated(): void {
    const now = `${this.scanner.phase.kind}|${this.verdict ?? ''}`;
    if (now === this.shown) return;
    this.shown = now;
    // The dialog scrolls, and on a phone the result lands below the fold: bring it into view.
    this.renderRoot.querySelector('video, [role="status"], [role="alert"]')?.scrollIntoView({ block: 'nearest' });
  }

  private judge(text: string): void {
    const expected = this.expected;
    if (!expected) return;
    const verdict = compareSafetyQr(text, expected);
    if (verdict === 'not-safety-number') {
      this.scanner.showError('QR_NOT_SAFETY_NUMBER');
      return;
    }
    this.verdict = verdict;
    const detail: SafetyScanDetail = { verdict, digits: expected.digits };
    this.dispatchEvent(new CustomEvent('pc-safety-scan', { detail, bubbles: true, composed: true }));
  }

  private startCamera(): void {
    this.verdict = null;
    void this.scanner.startCamera();
  }

  private pickedPicture(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = ''; // so choosing the same picture again reads it again
    if (!file) return;
    this.verdict = null;
    void this.scanner.scanPicture(file);
  }

  private result() {
    const name = this.peerName;
    const phase = this.scanner.phase;
    if (phase.kind === 'camera') {
      return html`<video aria-label=${msg('Camera view')} playsinline muted></video>
        <p role="status">${msg(str`Point the camera at the QR code in ${name}’s Verify screen.`)}</p>`;
    }
    if (phase.kind === 'reading-photo') return html`<p role="status">${msg('Reading the picture…')}</p>`;
    if (phase.kind === 'failed') return html`<p class="result failed" role="alert">${describeError(phase.code)}</p>`;
    if (this.verdict === 'match') {
      return html`<p class="result match" role="status">
        <strong>${msg('✓ The codes match.')}</strong>${sentenceSpace()}${msg(str`${name}’s device shows the same safety number, so this is ${name}’s real key.`)}
      </p>`;
    }
    if (this.verdict === 'mismatch') {
      return html`<p class="result mismatch" role="alert">
        <strong>${msg('⚠ The codes do not match.')}</strong>${sentenceSpace()}${msg(
          'This device and the one you scanned use different keys for this conversation, so someone may be reading or changing your messages — unless that was the code of another conversation. Nothing was marked as verified.',
        )}
      </p>`;
    }
    return nothing;
  }

  override render() {
    const camera = this.scanner.phase.kind === 'camera';
    return html`
      <div class="actions">
        ${camera
          ? html`<button @click=${() => this.scanner.stop()}>${msg('Stop scanning')}</button>`
          : html`<button @click=${() => this.startCamera()} ?disabled=${!this.expected}>${msg('Scan their code')}</button>`}
        <label class="file"
          >${msg('Scan from a photo')}<input type="file" accept="image/*" ?disabled=${!this.expected} @change=${(e: Event) => this.pickedPicture(e)}
        /></label>
      </div>
      ${this.result()}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-safety-scanner': PcSafetyScanner;
  }
  interface HTMLElementEventMap {
    'pc-safety-scan': CustomEvent<SafetyScanDetail>;
  }
}
