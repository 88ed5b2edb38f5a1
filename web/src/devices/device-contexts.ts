/**
 * The devices slices: the account's own device list (OwnDevices) and linking (new device waiting,
 * or a request to approve). `pc-app` provides them; components read them with a StoreController.
 */
import { createContext } from '@lit/context';
import type { Store } from '../state/store';
import type { OwnDevicesState } from './own-devices';
import type { NewDeviceLinkView } from './new-device-linker';
import type { LinkRequestView } from './existing-device-linker';

export const ownDevicesContext = createContext<Store<OwnDevicesState>>(Symbol('peerchat-own-devices'));

/** This browser waiting to be approved: the phase and the code. */
export const joiningContext = createContext<Store<NewDeviceLinkView>>(Symbol('peerchat-joining'));
/** New devices asking to join, as this approved device shows them. */
export const approvingContext = createContext<Store<readonly LinkRequestView[]>>(Symbol('peerchat-approving'));
