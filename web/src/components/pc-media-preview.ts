import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { localized } from '@lit/localize';
import { customElement, property, state } from 'lit/decorators.js';

/** How a file plays inline, or null when it does not. */
export type InlineMediaKind = 'video' | 'audio';

/**
 * Whether a file of this type plays inline in this browser: `video/*` or `audio/*` that
 * `HTMLMediaElement.canPlayType` does not rule out. The type is the sender's word; the browser's
 * decoder checks the bytes, and a file that is not what it says simply fails to play (Save stays).
 */
export function inlineMediaKind(mime: string): InlineMediaKind | null {
  const kind = /^(video|audio)\//i.exec(mime)?.[1]?.toLowerCase();
  if (kind !== 'video' && kind !== 'audio') return null;
  let playable = canPlay.get(mime);
  if (playable === undefined) {
    playable = document.createElement(kind).canPlayType(mime) !== '';
    canPlay.set(mime, playable);
  }
  return playable ? kind : null;
}

/** canPlayType's answer per type: a card asks on every render. */
const canPlay = new Map<string, boolean>();

/**
 * A verified video or audio file, played with the browser's own controls (keyboard-usable and
 * labelled by the browser). The parent hands over the `File` only once the transfer is verified.
 *
 * Streamed, never loaded whole: the file is the one stored on this device (OPFS for a received
 * file, IndexedDB for a sent one); `getFile()` gives a disk-backed File, and its object URL lets
 * the media element read just the ranges it plays from storage. `preload="metadata"` reads only
 * the header until the person presses play. The URL is revoked when the element leaves the page
 * or gets another file.
 */
@customElement('pc-media-preview')
@localized()
export class PcMediaPreview extends LitElement {
  static override styles = css`
    :host {
      display: block;
      margin: 6px 0 4px;
    }
    video {
      display: block;
      /* Wide enough for the browser's controls whatever the video's own size. */
      width: min(320px, 100%);
      max-height: 320px;
      border-radius: 8px;
      background: #000;
    }
    audio {
      display: block;
      width: min(320px, 100%);
      /* The browser's controls are 54 px tall in Chromium: a comfortable touch target. */
      min-height: 44px;
    }
  `;

  /** The verified file to play. */
  @property({ attribute: false }) file: File | null = null;
  @property() kind: InlineMediaKind = 'video';
  /** The accessible name of the player (the file's name). */
  @property() label = '';
  @state() private url: string | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('file')) this.setUrl(this.file && this.isConnected ? URL.createObjectURL(this.file) : null);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Put back in the page (moved in the list): a new URL for the same file.
    if (this.file && !this.url) this.setUrl(URL.createObjectURL(this.file));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.setUrl(null);
  }

  private setUrl(url: string | null): void {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = url;
  }

  override render() {
    if (!this.url) return nothing;
    return this.kind === 'video'
      ? html`<video controls preload="metadata" playsinline src=${this.url} aria-label=${this.label}></video>`
      : html`<audio controls preload="metadata" src=${this.url} aria-label=${this.label}></audio>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-media-preview': PcMediaPreview;
  }
}
