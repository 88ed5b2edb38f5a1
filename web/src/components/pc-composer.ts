import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, property, query, state } from 'lit/decorators.js';
import { LIMITS } from '../../../shared/index';
import { theme } from '../styles/theme';
import { formatCount } from '../format/format';
import './pc-reply-bar';
import type { ComposeContext } from './pc-reply-bar';
import type { EmojiDetail } from './pc-emoji-button';
import './pc-emoji-button';
import type { DraftInputDetail } from '../everyday/typing-controller';

export interface SendDetail {
  text: string;
}

/** Files chosen with "Attach file". */
export interface FilesDetail {
  files: File[];
}

/** What became of a `pc-send`: `ok` when the text was stored (it leaves the box). */
export interface SendResult {
  text: string;
  ok: boolean;
}

/** The "Keep photo location" box was changed: photos sent from now on keep (true) or lose it. */
export interface KeepLocationDetail {
  keep: boolean;
}

/** Text to put in the box (e.g. content shared to the app). */
export interface ComposerDraft {
  text: string;
}

/**
 * The message box. Enter sends, Shift+Enter adds a line. Fires `pc-send` with the text; the
 * text leaves the box only when the parent sets `result` to `{ text, ok: true }`, so nothing
 * typed is lost, and a second Enter before that does not send it twice. Fires `pc-files` with
 * the files chosen with "Attach file", and `pc-keep-location` when "Keep photo location" is
 * changed (the parent sets `keepLocation`). Each new `draft` object replaces the box's text.
 */
/** "3,950 / 4,000 characters" under the box, near the limit. */
function charCount(length: number): string {
  const used = formatCount(length);
  const max = formatCount(LIMITS.maxChatChars);
  return msg(str`${used} / ${max} characters`);
}

@customElement('pc-composer')
@localized()
export class PcComposer extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
        border-top: 1px solid var(--pc-border);
        background: var(--pc-bg);
        padding: 8px 12px calc(8px + env(safe-area-inset-bottom));
      }
      form {
        display: flex;
        gap: 8px;
        align-items: flex-end;
      }
      textarea {
        flex: 1;
        font: inherit;
        resize: none;
        min-height: var(--pc-touch);
        max-height: 40vh;
        padding: 10px 12px;
        border-radius: 10px;
        border: 1px solid var(--pc-border);
        background: var(--pc-bg);
        color: var(--pc-text);
        line-height: 1.35;
        field-sizing: content;
      }
      .attach {
        display: inline-flex;
        align-items: center;
        justify-content: center;
        min-width: var(--pc-touch);
        min-height: var(--pc-touch);
        border-radius: 10px;
        border: 1px solid var(--pc-border);
        cursor: pointer;
        color: var(--pc-text);
      }
      input[type='file']:focus-visible + .attach {
        outline: 2px solid var(--pc-accent);
        outline-offset: 2px;
      }
      .meta {
        font-size: 0.8rem;
        color: var(--pc-muted);
        margin-top: 4px;
      }
      .meta.error {
        color: var(--pc-danger);
      }
      .keep-location {
        display: inline-flex;
        gap: 6px;
        align-items: center;
        font-size: 0.8rem;
        color: var(--pc-muted);
        /* A whole-row touch target of 44 px, though the text is small. */
        min-height: 44px;
      }
    `,
  ];

  @property({ type: Boolean }) disabled = false;
  /** An error from the last send, shown under the box. */
  @property() error: string | null = null;
  /** The outcome of the last `pc-send`, from the parent; a new object for every outcome. */
  @property({ attribute: false }) result: SendResult | null = null;
  /** Text to put in the box; a new object every time. */
  @property({ attribute: false }) draft: ComposerDraft | null = null;
  /** Photos keep where they were taken (the box is ticked); off by default. */
  @property({ type: Boolean }) keepLocation = false;
  /** Replying to a message, or editing one (a bar over the box; Escape fires `pc-compose-cancel`). */
  @property({ attribute: false }) context: ComposeContext | null = null;
  @state() private length = 0;
  @query('textarea') private box!: HTMLTextAreaElement;
  /** Handed to the parent, not confirmed yet: Enter again on the same text does not send it twice. */
  private inFlight: string | null = null;

  override focus(): void {
    // Asked before the first render (a conversation just opened): focus once the box exists.
    if (this.box) this.box.focus();
    else void this.updateComplete.then(() => this.box?.focus());
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('result') && this.result) this.settle(this.result);
    if (changed.has('draft') && this.draft) {
      this.box.value = this.draft.text;
      this.length = this.draft.text.length;
      this.box.focus();
    }
  }

  /**
   * A sent text leaves the box, and anything typed since Enter stays (storing takes a moment; a
   * fast typist is already writing the next message). A failed one stays, and Enter may try again.
   */
  private settle({ text, ok }: SendResult): void {
    if (this.inFlight === text) this.inFlight = null;
    if (!ok) return;
    const value = this.box.value;
    const rest = value.startsWith(text) ? value.slice(text.length) : value;
    this.box.value = rest;
    this.length = rest.length;
  }

  private onFiles(input: HTMLInputElement): void {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length) this.dispatchEvent(new CustomEvent<FilesDetail>('pc-files', { detail: { files }, bubbles: true, composed: true }));
  }

  /** An emoji from the picker goes where the caret was (replacing a selection), and the caret after it. */
  private insertEmoji(e: CustomEvent<EmojiDetail>): void {
    const box = this.box;
    box.setRangeText(e.detail.emoji, box.selectionStart, box.selectionEnd, 'end');
    // As if typed: the character count (and anything else that follows typing) sees it.
    box.dispatchEvent(new Event('input', { bubbles: true }));
    box.focus();
  }

  private send(): void {
    const text = this.box.value;
    if (!text.trim() || this.disabled || text.length > LIMITS.maxChatChars || text === this.inFlight) return;
    this.inFlight = text;
    this.dispatchEvent(new CustomEvent<SendDetail>('pc-send', { detail: { text }, bubbles: true, composed: true }));
  }

  override render() {
    const over = this.length > LIMITS.maxChatChars;
    const near = this.length > LIMITS.maxChatChars * 0.9;
    return html`
      ${this.context ? html`<pc-reply-bar .context=${this.context}></pc-reply-bar>` : nothing}
      <form
        @submit=${(e: Event) => {
          e.preventDefault();
          this.send();
        }}
      >
        <input
          id="attach"
          class="visually-hidden"
          type="file"
          multiple
          aria-label=${msg('Attach file')}
          ?disabled=${this.disabled}
          @change=${(e: Event) => this.onFiles(e.target as HTMLInputElement)}
        />
        <label class="attach" for="attach" title=${msg('Attach files or images')}><svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"
            ><path d="M20 11.5l-8.1 8.1a5 5 0 01-7.1-7.1l8.5-8.5a3.3 3.3 0 014.7 4.7l-8.5 8.5a1.7 1.7 0 01-2.4-2.4l7.8-7.8"
          /></svg></label>
        <pc-emoji-button ?disabled=${this.disabled} @pc-emoji=${this.insertEmoji}></pc-emoji-button>
        <label class="visually-hidden" for="message">${msg('Message', { id: 'composer-label', desc: 'Label of the text box where a message is written' })}</label>
        <textarea
          id="message"
          rows="1"
          placeholder=${msg('Write a message')}
          aria-describedby="composer-meta"
          @input=${() => {
            this.length = this.box.value.length;
            // Typing drives "typing…" for the contact (web/src/everyday/typing-controller.ts).
            this.dispatchEvent(new CustomEvent<DraftInputDetail>('pc-draft-input', { detail: { empty: this.length === 0 }, bubbles: true, composed: true }));
          }}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              this.send();
            }
            if (e.key === 'Escape' && this.context) {
              e.preventDefault();
              this.dispatchEvent(new CustomEvent<void>('pc-compose-cancel', { bubbles: true, composed: true }));
            }
          }}
        ></textarea>
        <button type="submit" class="primary" ?disabled=${this.disabled || over || this.length === 0}>${this.context?.kind === 'edit' ? msg('Save', { id: 'composer-save-edit', desc: 'Send button while editing a message' }) : msg('Send')}</button>
      </form>
      <div id="composer-meta" class="meta ${over || this.error ? 'error' : ''}" role=${this.error ? 'alert' : nothing}>
        ${this.error ?? (near ? charCount(this.length) : nothing)}
      </div>
      <label class="keep-location"
        ><input
          type="checkbox"
          .checked=${this.keepLocation}
          @change=${(e: Event) =>
            this.dispatchEvent(
              new CustomEvent<KeepLocationDetail>('pc-keep-location', { detail: { keep: (e.target as HTMLInputElement).checked }, bubbles: true, composed: true }),
            )}
        />${msg('Keep photo location (JPEG photos are sent without where they were taken)')}</label
      >
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-composer': PcComposer;
  }
  interface HTMLElementEventMap {
    'pc-send': CustomEvent<SendDetail>;
    'pc-files': CustomEvent<FilesDetail>;
    'pc-keep-location': CustomEvent<KeepLocationDetail>;
  }
}
