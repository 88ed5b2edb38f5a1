import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { localized } from '@lit/localize';
import { theme } from '../styles/theme';
import { initialOf } from './profile-view';

/**
 * A round avatar: the person's image (a data URL of an image re-encoded on this device; its alt
 * text is the name), or the first letter of the name. `decorative`: the name is said next to it
 * already (a labelled button), so the avatar is hidden from assistive technology.
 */
@customElement('pc-avatar')
@localized()
export class PcAvatar extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        --size: 40px;
        display: inline-flex;
        flex: none;
        width: var(--size);
        height: var(--size);
        border-radius: 50%;
        overflow: hidden;
        align-items: center;
        justify-content: center;
        background: var(--pc-accent);
        color: var(--pc-accent-text);
        font-weight: 700;
        font-size: calc(var(--size) * 0.45);
        line-height: 1;
        user-select: none;
      }
      img {
        width: 100%;
        height: 100%;
        object-fit: cover;
        display: block;
      }
    `,
  ];

  /** The name shown for the person (display name, else username). */
  @property() name = '';
  /** The avatar image's URL, or null for initials. */
  @property() src: string | null = null;
  @property({ type: Boolean }) decorative = false;

  override render() {
    if (this.src) return html`<img src=${this.src} alt=${this.decorative ? '' : this.name} />`;
    return html`<span aria-hidden="true">${initialOf(this.name)}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-avatar': PcAvatar;
  }
}
