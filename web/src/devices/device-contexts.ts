/**
 * The devices slices: the account's own device list (OwnDevices) and linking (new device waiting,
 * or a request to approve). `pc-app` provides them; components read them with a StoreController.
 */
import { createContext } from '@lit/context';
import type { Store } from '../state/store';
import type { OwnDevicesState } from './own-devices';

export const ownDevicesContext = createContext<Store<OwnDevicesState>>(Symbol('peerchat-own-devices'));
