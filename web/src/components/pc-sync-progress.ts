import { LitElement, css, html, nothing } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, property } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { progress, type CatchUp } from '../../../shared/devices/sync-plan';
import { formatCount } from '../format/format';

export interface SkipSyncDetail {
  device: string;
}

/**
 * In "Your devices": how far this device is in catching up with each of my other devices, with
 * "Skip the rest" (only new messages from then on). Shows nothing once caught up.
 */
/** "12 of 40". */
function countOf(done: number, total: number): string {
  const a = formatCount(done);
  const b = formatCount(total);
  return msg(str`${a} of ${b}`);
}

@customElement('pc-sync-progress')
@localized()
export class PcSyncProgress extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      p {
        margin: 6px 12px;
        font-size: 0.85rem;
        color: var(--pc-muted);
        display: flex;
        gap: 8px;
        align-items: center;
      }
      progress {
        flex: 1;
        max-width: 200px;
      }
    `,
  ];

  @property({ attribute: false }) progress: ReadonlyMap<string, CatchUp> = new Map();

  override render() {
    const running = [...this.progress].filter(([, s]) => !s.done && (s.total ?? 1) > 0);
    if (!running.length) return nothing;
    return html`${running.map(
      ([device, s]) => html`<p role="status">
        ${msg('Catching up with your other device…')} ${s.total ? countOf(s.received, s.total) : nothing}
        <progress max="1" value=${progress(s)} aria-label=${msg('Catching up')}></progress>
        <button @click=${() => this.dispatchEvent(new CustomEvent<SkipSyncDetail>('pc-skip-sync', { detail: { device }, bubbles: true, composed: true }))}>${msg('Skip the rest')}</button>
      </p>`,
    )}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-sync-progress': PcSyncProgress;
  }
  interface HTMLElementEventMap {
    'pc-skip-sync': CustomEvent<SkipSyncDetail>;
  }
}
