import { LitElement, css, html } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, property } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import type { DeviceEntry } from '../../../shared/devices/device-list';

export interface DeviceTargetDetail {
  /** A device id, or '' for all my other devices. */
  device: string;
}

/** In "Your devices": which of my other devices files go to (one, or all). */
@customElement('pc-device-target')
@localized()
export class PcDeviceTarget extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
        margin: 4px 12px;
        font-size: 0.85rem;
        color: var(--pc-muted);
      }
      select {
        font: inherit;
        margin-left: 6px;
      }
    `,
  ];

  /** My other devices (this one left out). */
  @property({ attribute: false }) devices: readonly DeviceEntry[] = [];
  /** The chosen device id ('' = all). */
  @property() value = '';

  override render() {
    return html`<label
      >${msg('Files go to')}
      <select
        .value=${this.value}
        @change=${(e: Event) =>
          this.dispatchEvent(
            new CustomEvent<DeviceTargetDetail>('pc-device-target', { detail: { device: (e.target as HTMLSelectElement).value }, bubbles: true, composed: true }),
          )}
      >
        <option value="">${msg('All my other devices')}</option>
        ${this.devices.map((d) => html`<option value=${d.id} ?selected=${d.id === this.value}>${d.name}</option>`)}
      </select></label
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-device-target': PcDeviceTarget;
  }
  interface HTMLElementEventMap {
    'pc-device-target': CustomEvent<DeviceTargetDetail>;
  }
}
