import { LitElement, css, html } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, property } from 'lit/decorators.js';
import { theme } from '../styles/theme';

/** A 6-digit linking code, large and spaced ("123 456"), read out as one group named "Code". */
@customElement('pc-link-code')
@localized()
export class PcLinkCode extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      div {
        font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
        font-size: clamp(2rem, 11vw, 2.8rem);
        font-weight: 700;
        letter-spacing: 0.08em;
        text-align: center;
        padding: 12px 8px;
        border-radius: 10px;
        background: var(--pc-surface);
      }
    `,
  ];

  @property() code = '';

  override render() {
    return html`<div role="group" aria-label=${msg('Code', { id: 'link-code', desc: 'The six-digit code compared when linking a device' })}>${this.code.slice(0, 3)} ${this.code.slice(3)}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-link-code': PcLinkCode;
  }
}
