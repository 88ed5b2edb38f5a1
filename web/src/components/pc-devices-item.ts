import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { localized, msg, str } from '@lit/localize';
import { customElement, property, state } from 'lit/decorators.js';
import { DEVICE_NAME_MAX } from '../../../shared/devices/device-list';
import { theme } from '../styles/theme';
import type { DeviceView } from '../devices/device-view';

export interface DeviceRenameDetail {
  id: string;
  name: string;
}

export interface DeviceUnlinkDetail {
  id: string;
  name: string;
}

/**
 * One device on the devices screen: name (Rename opens an inline field), when it was added,
 * whether it is online or when it was last seen, and Unlink for the other devices. Fires
 * `pc-device-rename` and `pc-device-unlink`; the screen decides.
 */
@customElement('pc-devices-item')
@localized()
export class PcDevicesItem extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: grid;
        gap: 6px;
        padding: 12px 14px;
        border: 1px solid var(--pc-border);
        border-radius: var(--pc-radius);
        background: var(--pc-surface);
      }
      .head {
        display: flex;
        align-items: center;
        gap: 8px;
        flex-wrap: wrap;
      }
      h3 {
        margin: 0;
        font-size: 1.05rem;
        flex: 1;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .badge {
        font-size: 0.8rem;
        font-weight: 600;
        padding: 2px 8px;
        border-radius: 999px;
        background: var(--pc-accent);
        color: var(--pc-accent-text);
      }
      .meta {
        margin: 0;
        color: var(--pc-muted);
        font-size: 0.9rem;
      }
      .online {
        color: var(--pc-ok);
        font-weight: 600;
      }
      .actions {
        display: flex;
        gap: 8px;
        flex-wrap: wrap;
      }
      form {
        display: flex;
        gap: 8px;
        flex-wrap: wrap;
      }
      input {
        font: inherit;
        flex: 1 1 180px;
        min-height: var(--pc-touch);
        padding: 8px 12px;
        border-radius: 8px;
        border: 1px solid var(--pc-border);
        background: var(--pc-bg);
        color: var(--pc-text);
      }
      button.danger {
        color: var(--pc-danger);
      }
    `,
  ];

  @property({ attribute: false }) device!: DeviceView;
  /** False while this browser cannot sign a new list (no account key, or offline). */
  @property({ type: Boolean }) editable = false;
  @state() private editing = false;

  private rename(e: SubmitEvent): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement;
    const name = input.value.trim();
    this.editing = false;
    if (!name || name === this.device.name) return;
    this.dispatchEvent(new CustomEvent<DeviceRenameDetail>('pc-device-rename', { detail: { id: this.device.id, name }, bubbles: true, composed: true }));
  }

  private unlink(): void {
    this.dispatchEvent(new CustomEvent<DeviceUnlinkDetail>('pc-device-unlink', { detail: { id: this.device.id, name: this.device.name }, bubbles: true, composed: true }));
  }

  override render() {
    const d = this.device;
    if (this.editing) {
      return html`<form @submit=${(e: SubmitEvent) => this.rename(e)}>
        <input name="name" aria-label=${msg('Device name')} maxlength=${DEVICE_NAME_MAX} .value=${d.name} required />
        <button type="submit" class="primary">${msg('Save', { id: 'device-name-save', desc: 'Button: keep the new device name' })}</button>
        <button type="button" @click=${() => (this.editing = false)}>${msg('Cancel', { id: 'device-name-cancel', desc: 'Button: stop renaming a device' })}</button>
      </form>`;
    }
    return html`
      <div class="head">
        <h3>${d.name}</h3>
        ${d.thisDevice ? html`<span class="badge">${msg('This device', { id: 'this-device' })}</span>` : nothing}
      </div>
      <p class="meta">${d.added} · <span class=${d.online ? 'online' : ''}>${d.seen}</span></p>
      ${this.editable
        ? html`<div class="actions">
            <button aria-label=${msg(str`Rename ${d.name}`)} @click=${() => (this.editing = true)}>${msg('Rename')}</button>
            ${d.thisDevice ? nothing : html`<button class="danger" aria-label=${msg(str`Unlink ${d.name}`)} @click=${() => this.unlink()}>${msg('Unlink', { id: 'unlink-device' })}</button>`}
          </div>`
        : nothing}
    `;
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('editing') && this.editing) this.renderRoot.querySelector('input')?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-devices-item': PcDevicesItem;
  }
  interface HTMLElementEventMap {
    /** The person renamed a device (a new signed list follows). */
    'pc-device-rename': CustomEvent<DeviceRenameDetail>;
    /** The person asked to unlink a device (the screen confirms first). */
    'pc-device-unlink': CustomEvent<DeviceUnlinkDetail>;
  }
}
