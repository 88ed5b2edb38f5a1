import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, property, query, state } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { activeLocale } from '../l10n/active-locale';
import type { Picker } from './emoji-picker-create';

/** An emoji was chosen: the composer puts it at the caret. */
export interface EmojiDetail {
  emoji: string;
}

/** Room kept between the panel and the window's edges and the button. */
const GAP = 8;

/**
 * The composer's emoji button and its picker (emoji-picker-element, loaded on first use).
 * Enter or click opens the picker as a small dialog above the button with the focus in its search
 * box; Escape, a click outside or the button again closes it and the focus goes back to the
 * button. Choosing an emoji closes it and fires `pc-emoji`; the composer inserts the emoji at
 * the caret and takes the focus back.
 *
 * The picker follows the app's language (Chinese or English names and search) and theme (the
 * app's colours, and its dark or light mode); its data comes from this app's origin only
 * (emoji-picker-create.ts).
 */
@customElement('pc-emoji-button')
@localized()
export class PcEmojiButton extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: inline-block;
      }
      .toggle {
        display: inline-flex;
        align-items: center;
        justify-content: center;
        padding: 0;
        border-radius: 10px;
        background: transparent;
      }
      .toggle svg {
        width: 22px;
        height: 22px;
      }
      .panel {
        /* In the top layer (popover): nothing around the composer clips it. Placed by place(). */
        position: fixed;
        inset: auto;
        margin: 0;
        padding: 0;
        border: 1px solid var(--pc-border);
        border-radius: var(--pc-radius);
        background: var(--pc-bg);
        box-shadow: 0 6px 24px rgba(0, 0, 0, 0.25);
        overflow: hidden;
      }
      .loading {
        padding: 16px;
        color: var(--pc-muted);
      }
      emoji-picker {
        /* Nine 44 px category tabs in one row on a wide screen; two rows on a phone (emoji-picker-create.ts). */
        width: min(420px, calc(100vw - ${GAP * 2}px));
        height: min(420px, 60vh);
        /* 22 px emoji + 2 x 11 px: 44 px touch targets. */
        --emoji-padding: 11px;
        --background: var(--pc-bg);
        --border-color: var(--pc-border);
        --border-size: 1px;
        --input-border-color: var(--pc-border);
        --input-font-color: var(--pc-text);
        --input-placeholder-color: var(--pc-muted);
        --category-font-color: var(--pc-text);
        --indicator-color: var(--pc-accent);
        --outline-color: var(--pc-accent);
        --button-hover-background: var(--pc-surface);
        --button-active-background: var(--pc-border);
      }
      @media (max-width: 440px) {
        emoji-picker {
          --num-columns: 7;
        }
      }
    `,
  ];

  @property({ type: Boolean }) disabled = false;
  @state() private open = false;
  /** The picker could not be loaded (logged); the panel says so. */
  @state() private failed = false;
  @state() private picker: Picker | null = null;
  @query('.toggle') private toggle!: HTMLButtonElement;
  @query('.panel') private panel?: HTMLElement;
  /** The language the picker was built for; another language builds a new one. */
  private pickerLocale = '';

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.close(false);
  }

  private async show(): Promise<void> {
    this.open = true;
    document.addEventListener('pointerdown', this.onOutside, true);
    window.addEventListener('resize', this.place);
    await this.updateComplete;
    this.panel?.showPopover?.();
    this.place();
    const picker = await this.loadPicker();
    if (!picker || !this.open) return;
    picker.classList.toggle('dark', isDark());
    picker.classList.toggle('light', !isDark());
    await this.updateComplete;
    this.place();
    focusSearch(picker);
  }

  private close(returnFocus: boolean): void {
    if (!this.open) return;
    // Hidden, not removed: the picker stays in the page (it closes its database when removed).
    if (this.panel?.matches(':popover-open')) this.panel.hidePopover();
    this.open = false;
    document.removeEventListener('pointerdown', this.onOutside, true);
    window.removeEventListener('resize', this.place);
    if (returnFocus) this.toggle?.focus();
  }

  private async loadPicker(): Promise<Picker | null> {
    const locale = activeLocale();
    if (this.picker && this.pickerLocale === locale) return this.picker;
    try {
      const { createEmojiPicker } = await import('./emoji-picker-create');
      const picker = createEmojiPicker(locale);
      picker.addEventListener('emoji-click', (e) => {
        const emoji = e.detail.unicode;
        if (!emoji) return;
        this.close(false);
        this.dispatchEvent(new CustomEvent<EmojiDetail>('pc-emoji', { detail: { emoji }, bubbles: true, composed: true }));
      });
      this.picker = picker;
      this.pickerLocale = locale;
      this.failed = false;
      return picker;
    } catch (err) {
      // Offline before the picker's code was ever cached, or a broken build: the panel says so.
      console.warn('Peerchat: the emoji picker could not be loaded', err);
      this.failed = true;
      return null;
    }
  }

  /** Puts the panel above the button, inside the window. */
  private readonly place = (): void => {
    const panel = this.panel;
    if (!panel || !this.toggle) return;
    const at = this.toggle.getBoundingClientRect();
    const width = panel.offsetWidth;
    const left = Math.max(GAP, Math.min(at.left, window.innerWidth - width - GAP));
    panel.style.left = `${left}px`;
    panel.style.bottom = `${Math.max(GAP, window.innerHeight - at.top + GAP)}px`;
  };

  private readonly onOutside = (e: PointerEvent): void => {
    if (!e.composedPath().includes(this)) this.close(false);
  };

  private onKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Escape') return;
    // The picker's own Escape (closing its skin-tone list) stops there; this one closes the panel.
    e.preventDefault();
    e.stopPropagation();
    this.close(true);
  }

  override render() {
    return html`<button
        type="button"
        class="toggle"
        aria-label=${msg('Emoji', { id: 'emoji-button', desc: 'Button in the message box that opens the emoji picker' })}
        title=${msg('Insert an emoji')}
        aria-haspopup="dialog"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="emoji-panel"
        ?disabled=${this.disabled}
        @click=${() => (this.open ? this.close(true) : void this.show())}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round">
          <circle cx="12" cy="12" r="9" />
          <path d="M8.5 14.5a4.5 4.5 0 007 0" />
          <path d="M9 9.5h.01M15 9.5h.01" stroke-width="2.6" />
        </svg></button
      ><div id="emoji-panel" class="panel" popover="manual" role="dialog" aria-label=${msg('Choose an emoji')} ?hidden=${!this.open} @keydown=${this.onKeydown}>
        ${this.picker && this.pickerLocale === activeLocale()
          ? this.picker
          : this.open
            ? html`<p class="loading" role="status">${this.failed ? msg('The emoji picker could not be loaded.') : msg('Loading emoji…')}</p>`
            : nothing}
      </div>`;
  }
}

/** Whether the app shows its dark theme now: the one chosen in Settings, else the system's. */
function isDark(): boolean {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === 'dark' || chosen === 'light') return chosen === 'dark';
  return window.matchMedia('(prefers-color-scheme: dark)').matches;
}

/** Focus into the picker's search box, once it has drawn it. */
function focusSearch(picker: Picker): void {
  const tryFocus = (left: number): void => {
    const input = picker.shadowRoot?.querySelector('input');
    if (input) input.focus();
    else if (left > 0) requestAnimationFrame(() => tryFocus(left - 1));
    else picker.focus();
  };
  tryFocus(30);
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-emoji-button': PcEmojiButton;
  }
  interface HTMLElementEventMap {
    'pc-emoji': CustomEvent<EmojiDetail>;
  }
}
