import { createContext } from '@lit/context';
import type { Store } from '../state/store';
import type { DeviceSettings } from './settings-model';

/** The device settings (theme, receipts, typing, notifications); provided by `pc-app`. */
export const settingsContext = createContext<Store<DeviceSettings>>(Symbol('peerchat-settings'));
