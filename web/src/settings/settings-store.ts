/**
 * The device settings as a Store: read once from localStorage at load, written back on every
 * change. Components read it through `settingsContext` (web/src/settings/settings-context.ts);
 * services (receipts, typing, notifications) may read `deviceSettings.get()` directly.
 */
import { Store } from '../state/store';
import { parseSettings, serializeSettings, SETTINGS_STORAGE_KEY, type DeviceSettings } from './settings-model';

function load(): DeviceSettings {
  try {
    return parseSettings(localStorage.getItem(SETTINGS_STORAGE_KEY));
  } catch (err) {
    // Storage blocked (private mode, site data off): defaults, for this visit only.
    console.warn('Peerchat: the settings could not be read on this device', err);
    return parseSettings(null);
  }
}

export const deviceSettings = new Store<DeviceSettings>(load());

/** Change some settings now and keep them on this device. */
export function changeSettings(patch: Partial<DeviceSettings>): void {
  const next = { ...deviceSettings.get(), ...patch };
  try {
    localStorage.setItem(SETTINGS_STORAGE_KEY, serializeSettings(next));
  } catch (err) {
    console.warn('Peerchat: the settings could not be kept on this device', err);
  }
  deviceSettings.set(next);
}

// Another tab of the app changed them: follow.
window.addEventListener('storage', (e) => {
  if (e.key === SETTINGS_STORAGE_KEY) deviceSettings.set(parseSettings(e.newValue));
});
