import { LitElement, css, html } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { BUILD_ID } from '../pwa/build-id';

/** A small line naming the build of the app on this page, so a person can tell when it changes. */
@customElement('pc-build-info')
@localized()
export class PcBuildInfo extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
        font-size: 0.75rem;
        color: var(--pc-muted);
      }
      code {
        font-size: inherit;
        overflow-wrap: anywhere;
      }
    `,
  ];

  override render() {
    return html`<p title=${msg('The version of Peerchat running on this page; it changes when the server delivers new code.')}>${msg('Build')} <code>${BUILD_ID}</code></p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-build-info': PcBuildInfo;
  }
}
