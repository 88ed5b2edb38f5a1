import { LitElement, css, html, nothing } from 'lit';
import { localized, msg } from '@lit/localize';
import { customElement, state } from 'lit/decorators.js';
import { theme } from '../styles/theme';
import { settingsStyles } from './settings-styles';
import { StoreController } from '../state/store-controller';
import { settingsContext } from './settings-context';
import { changeSettings } from './settings-store';
import type { DeviceSettings } from './settings-model';
import { switchRow } from './switch-row';

type Permission = NotificationPermission | 'unsupported';

function currentPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * The Notifications section of Settings. The browser's permission is asked only here, when the
 * person presses "Turn on notifications" (never on load).
 */
@customElement('pc-settings-notifications')
@localized()
export class PcSettingsNotifications extends LitElement {
  static override styles = [theme, settingsStyles, css`:host { display: block; }`];

  private readonly settings = new StoreController<DeviceSettings>(this, settingsContext);
  @state() private permission: Permission = currentPermission();

  private async turnOn(): Promise<void> {
    if (this.permission === 'unsupported') return;
    try {
      this.permission = await Notification.requestPermission();
    } catch (err) {
      console.warn('Peerchat: asking for the notification permission failed', err);
      this.permission = currentPermission();
    }
    changeSettings({ notifications: this.permission === 'granted' });
  }

  private status() {
    const on = this.settings.value?.notifications === true;
    switch (this.permission) {
      case 'unsupported':
        return html`<p class="muted">${msg('This browser cannot show notifications.')}</p>`;
      case 'denied':
        return html`<p class="muted">${msg('Notifications are blocked for this site. Allow them in the browser’s site settings, then come back.')}</p>`;
      case 'default':
        return html`<div class="buttons"><button class="primary" @click=${() => void this.turnOn()}>${msg('Turn on notifications')}</button></div>`;
      case 'granted':
        return switchRow({
          id: 'notify',
          label: msg('Notify me of new messages'),
          hint: msg('While Peerchat is in the background or hidden.'),
          checked: on,
          onChange: (v) => changeSettings({ notifications: v }),
        });
    }
  }

  override render() {
    const s = this.settings.value;
    if (!s) return nothing;
    const usable = this.permission === 'granted' && s.notifications;
    return html`<section aria-labelledby="notifications-title">
      <h3 id="notifications-title">${msg('Notifications')}</h3>
      ${this.status()}
      ${switchRow({
        id: 'previews',
        label: msg('Hide message previews'),
        hint: msg('Notifications say who wrote, not what.'),
        checked: s.hidePreviews,
        disabled: !usable,
        onChange: (v) => changeSettings({ hidePreviews: v }),
      })}
      ${switchRow({ id: 'sound', label: msg('Play a sound'), checked: s.sound, disabled: !usable, onChange: (v) => changeSettings({ sound: v }) })}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pc-settings-notifications': PcSettingsNotifications;
  }
}
