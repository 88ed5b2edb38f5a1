import { LitElement, css, html, nothing, svg } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { CANCEL_REASONS, DECLINE_REASONS, isInlineImage } from '../../../shared/transfer/index';
import { savedFileName, savedFileType } from '../../../shared/saved-file';
import { theme } from '../styles/theme';
import { serviceContext } from '../state/contexts';
import type { ChatService } from '../state/chat-service';
import type { TransferView } from '../transfer/transfer-service';
import { TransferController } from '../controllers/transfer-controller';
import { milestoneIsNews, transferMilestone, type AnnounceDetail, type TransferMilestone } from '../a11y/announce';
import { describeError, describeTransferEnd, type TransferEnd } from '../l10n/error-text';
import { formatBytes, formatDuration, formatPercent, formatSpeed } from '../format/format';
import { inlineMediaKind } from './pc-media-preview';

const fileIcon = svg`<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round"><path d="M6 2.5h8l4.5 4.5v14.5H6z"/><path d="M14 2.5V7h4.5"/></svg>`;

function timeLeft(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '';
  const duration = formatDuration(s);
  return msg(str`${duration} left`);
}

/** How a transfer that ended without the file ended, in the wire's reason codes. */
function endOf(v: TransferView): TransferEnd | null {
  const by = v.direction === 'out' ? v.peerName : null;
  switch (v.state) {
    case 'cancelled':
      return { state: 'cancelled', by: v.cancelledBy ? v.cancelledBy : null };
    case 'declined':
      return { state: 'declined', reason: DECLINE_REASONS.find((r) => r === v.reason), by };
    case 'failed': {
      const reason = CANCEL_REASONS.find((r) => r === v.reason);
      return { state: 'failed', reason: reason === 'cancelled' ? undefined : reason };
    }
    default:
      return null;
  }
}

/**
 * One file or image in the conversation: name, size, type; the offer's Accept/Decline;
 * progress with percentage, speed and time left while running, and Cancel on either side; the
 * verified state with the BLAKE2b hash prefix and Save when done; images inline, and video and
 * audio the browser can play as inline players (pc-media-preview.ts), only once verified.
 */
@customElement('pc-file-card')
@localized()
export class PcFileCard extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
        min-width: min(260px, 62vw);
        /* Text and progress fill follow the bubble (white on ours, dark on theirs). */
        color: inherit;
      }
      .icon svg {
        width: 28px;
        height: 28px;
        display: block;
      }
      .head {
        display: flex;
        gap: 10px;
        align-items: center;
      }
      .icon {
        font-size: 1.6rem;
        line-height: 1;
      }
      .name {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .sub,
      .line {
        font-size: 0.8rem;
        opacity: 0.9;
      }
      img {
        display: block;
        max-width: 100%;
        max-height: 320px;
        border-radius: 8px;
        margin: 6px 0 4px;
        background: rgba(127, 127, 127, 0.15);
      }
      .bar {
        height: 8px;
        border-radius: 4px;
        background: color-mix(in srgb, currentColor 25%, transparent);
        overflow: hidden;
        margin: 8px 0 4px;
      }
      .bar > div {
        height: 100%;
        background: currentColor;
        /* No transition: an animated bar repaints every frame for the whole transfer, and that
           CPU is taken from the transfer itself (measured with npm run bench). */
      }
      .actions {
        display: flex;
        gap: 8px;
        margin-top: 8px;
        flex-wrap: wrap;
      }
      .ok {
        font-weight: 600;
      }
      code {
        font-size: 0.8rem;
      }
      .bad {
        font-weight: 600;
      }
    `,
  ];

  @property() fileId = '';
  @consume({ context: serviceContext }) service!: ChatService;
  @state() private imageUrl: string | null = null;
  /** A verified video or audio file to play inline (pc-media-preview.ts makes and revokes its URL). */
  @state() private mediaFile: File | null = null;
  private readonly transfer = new TransferController(
    this,
    () => this.service,
    () => this.fileId,
    (v) => {
      if (v.state === 'done' && !v.remoteCopy && this.isImage(v) && !this.imageUrl) void this.loadImage();
      if (v.state === 'done' && !v.remoteCopy && inlineMediaKind(v.offer.mime) && !this.mediaFile) void this.loadMedia();
      this.announceProgress(v);
    },
  );
  /** The last milestone seen; undefined until the first view (which is not news). */
  private milestone: TransferMilestone | null | undefined;

  /** Tells screen readers of a transfer's start, each quarter and its end (not every percent). */
  private announceProgress(v: TransferView): void {
    const next = v.remoteCopy ? null : transferMilestone(v.state, v.state === 'running' ? v.progress.fraction : 0, v.state !== 'running' || v.progressKnown);
    const prev = this.milestone;
    this.milestone = next;
    if (!milestoneIsNews(prev, next)) return;
    const name = v.offer.name;
    const text =
      next === 'start'
        ? v.direction === 'in' ? msg(str`Receiving ${name}`) : msg(str`Sending ${name}`)
        : next === 'done'
          ? v.direction === 'in' ? msg(str`${name} received and verified`) : msg(str`${name} sent`)
          : msg(str`${name}: ${formatPercent(next / 100)}`);
    this.dispatchEvent(new CustomEvent<AnnounceDetail>('pc-announce', { detail: { text }, bubbles: true, composed: true }));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.imageUrl) URL.revokeObjectURL(this.imageUrl);
    this.imageUrl = null;
  }

  private isImage(v: TransferView): boolean {
    return isInlineImage(v.offer);
  }

  private async loadImage(): Promise<void> {
    try {
      const file = await this.service.transfers.fileOf(this.fileId);
      if (file && this.isConnected && !this.imageUrl) this.imageUrl = URL.createObjectURL(file);
    } catch (err) {
      // The card still offers Save; only the inline picture is missing.
      console.warn('Peerchat: a received image could not be read for display', err);
    }
  }

  /** The verified file, disk-backed (never read into memory here): the player streams from it. */
  private async loadMedia(): Promise<void> {
    try {
      const file = await this.service.transfers.fileOf(this.fileId);
      if (file && !this.mediaFile) this.mediaFile = file;
    } catch (err) {
      // The card still offers Save; only the inline player is missing.
      console.warn('Peerchat: a received video or audio file could not be read for playing', err);
    }
  }

  private async save(): Promise<void> {
    const file = await this.service.transfers.fileOf(this.fileId);
    if (!file) {
      console.warn('Peerchat: the file to save is no longer stored');
      return;
    }
    // Only ever a download: the bytes under a type no browser renders (shared/saved-file.ts), so
    // a received page or SVG never runs as this app's origin; never navigated to or opened.
    const url = URL.createObjectURL(new Blob([file], { type: savedFileType(file.type) }));
    const a = document.createElement('a');
    a.href = url;
    a.download = savedFileName(file.name);
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /** Runs a button's action; a failure is logged (the card keeps showing the transfer's real state). */
  private act(what: string, done: Promise<void>): void {
    done.catch((err: unknown) => console.warn(`Peerchat: file ${what} failed`, err));
  }

  private renderState(v: TransferView) {
    if (v.remoteCopy) return html`<div class="line remote" role="status">${msg('Kept on your other device')}</div>`;
    const t = this.service.transfers;
    switch (v.state) {
      case 'offered':
        return v.direction === 'in'
          ? html`<div class="actions">
              <button class="primary" aria-describedby="name" @click=${() => this.act('accept', t.accept(v.id))}>${msg('Accept', { id: 'file-accept', desc: 'Button: receive an offered file' })}</button>
              <button aria-describedby="name" @click=${() => this.act('decline', t.decline(v.id))}>${msg('Decline', { id: 'file-decline', desc: 'Button: refuse an offered file' })}</button>
            </div>`
          : html`<div class="line">${msg(str`Waiting for ${v.peerName} to accept…`)}</div>
              <div class="actions"><button aria-describedby="name" @click=${() => this.act('cancel', t.cancel(v.id))}>${msg('Cancel', { id: 'file-cancel' })}</button></div>`;
      case 'running': {
        const p = v.progress;
        const pct = Math.floor(Math.min(1, Math.max(0, p.fraction)) * 100);
        const speed = p.bytesPerSecond > 0 ? formatSpeed(p.bytesPerSecond) : '';
        // Unknown (a sender after its reload, until the receiver says what it has): no number
        // rather than a wrong "0 %".
        const detail = !v.progressKnown
          ? v.live
            ? msg('Resuming…')
            : msg(str`Paused until ${v.peerName} is connected`)
          : v.live
            ? [formatPercent(p.fraction), speed, timeLeft(p.secondsLeft)].filter(Boolean).join(' · ')
            : [formatPercent(p.fraction), msg(str`paused until ${v.peerName} is connected`)].join(' · ');
        return html`<div class="bar" role="progressbar" aria-label=${msg(str`Transfer of ${v.offer.name}`)} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${v.progressKnown ? pct : nothing}>
            <div style="width:${v.progressKnown ? pct : 0}%"></div>
          </div>
          <div class="line progress-text">${detail}</div>
          <div class="actions"><button aria-describedby="name" @click=${() => this.act('cancel', t.cancel(v.id))}>${msg('Cancel', { id: 'file-cancel' })}</button></div>`;
      }
      case 'done':
        return html`<div class="line verified"><span class="ok">${msg('Verified ✓', { id: 'file-verified', desc: 'A received file matched its hash' })}</span> <code title=${v.hash ?? ''}>BLAKE2b ${v.hash?.slice(0, 16) ?? ''}…</code></div>
          ${v.direction === 'in' ? html`<div class="actions"><button class="primary" aria-describedby="name" @click=${() => this.act('save', this.save())}>${msg('Save', { id: 'file-save', desc: 'Button: save a received file to the device' })}</button></div>` : nothing}`;
      case 'cancelled':
      case 'declined':
      case 'failed': {
        const end = endOf(v);
        const text = end ? describeTransferEnd(end) : '';
        return v.state === 'failed'
          ? html`<div class="line bad" role="alert" data-reason=${v.reason ?? 'error'}>${text}</div>`
          : html`<div class="line ${v.state}" role="status" data-reason=${v.reason ?? v.state}>${text}</div>`;
      }
    }
  }

  override render() {
    const v = this.transfer.view;
    if (!v) return html`<div class="line">${msg('Loading file…')}</div>`;
    const image = this.isImage(v);
    const src = v.state === 'done' ? this.imageUrl : null;
    const media = v.state === 'done' && !v.remoteCopy ? inlineMediaKind(v.offer.mime) : null;
    return html`
      <div class="card" data-state=${v.remoteCopy ? 'remote' : v.state} data-file-id=${v.id}>
        ${src
          ? html`<img class="full" src=${src} alt=${v.offer.name} />`
          : image && v.offer.thumb && v.state !== 'failed' && !v.notices.includes('PEER_IMAGES_HELD')
            ? html`<img class="thumb" src=${v.offer.thumb} alt=${msg(str`Preview of ${v.offer.name}`)} />`
            : nothing}
        ${media && this.mediaFile ? html`<pc-media-preview .file=${this.mediaFile} kind=${media} label=${v.offer.name}></pc-media-preview>` : nothing}
        <div class="head">
          ${image ? nothing : html`<span class="icon" aria-hidden="true">${fileIcon}</span>`}
          <div>
            <div class="name" id="name">${v.offer.name}</div>
            <div class="sub">${formatBytes(v.offer.size)} · ${v.offer.mime}</div>
          </div>
        </div>
        ${v.notices.map((code) => html`<div class="line notice" role="status" data-code=${code}>${describeError(code, { name: v.peerName })}</div>`)}
        ${this.renderState(v)}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-file-card': PcFileCard;
  }
}
