/**
 * Runs the new device's side of linking (shared/devices/link-new-device.ts) for a browser that
 * logged in without the account key: sends the request to the account's other devices, shows
 * the code once a device answers, and on a grant stores the account key and the list, then logs
 * in again so the server sees an approved device. The machine decides; this only runs effects.
 */
import type { ClientMsg } from '../../../shared/index';
import type { ClientErrorCode } from '../../../shared/errors';
import type { IdentityKeyPair } from '../../../shared/crypto/index';
import type { SignedDeviceList } from '../../../shared/devices/device-list';
import { freshLinkSecrets } from '../../../shared/devices/link-crypto';
import { parseLinkMsg } from '../../../shared/devices/link-messages';
import {
  initialNewDeviceLinkState,
  stepNewDeviceLink,
  type NewDeviceLinkEffect,
  type NewDeviceLinkEvent,
  type NewDeviceLinkState,
} from '../../../shared/devices/link-new-device';
import { saveAccountKey, type DeviceKeys } from '../crypto/device-identity';
import { Store } from '../state/store';
import { thisDeviceName } from './device-name';
import { storeOwnList } from './own-devices-store';

export type NewDeviceLinkPhase =
  /** Not linking (approved, or logged out). */
  | 'idle'
  /** Request sent; no device has answered yet. */
  | 'waiting'
  /** A device answered: the code is shown, waiting for the person to say here whether it matches. */
  | 'code'
  /** The person said the codes match here: waiting for the approval from the other device. */
  | 'confirmed'
  /** Approved: storing the account key and logging in again. */
  | 'granted'
  /** The other device said no (rejected, check failed, busy, full). */
  | 'denied'
  /** Failed here (expired, a grant that did not verify, the key not stored). */
  | 'failed';

export interface NewDeviceLinkView {
  phase: NewDeviceLinkPhase;
  /** The 6-digit code, once known. */
  code: string | null;
  /** Why it was denied or failed. */
  error: ClientErrorCode | 'IDENTITY_STORAGE' | null;
}

export interface NewDeviceLinkerDeps {
  send(msg: ClientMsg): boolean;
  /** The account key is stored: log in again (resume) so the server treats this device as approved. */
  linked(keys: DeviceKeys): void;
  now?(): number;
}

/** How often the time limit is checked. */
const TICK_MS = 5_000;

export class NewDeviceLinker {
  readonly view = new Store<NewDeviceLinkView>({ phase: 'idle', code: null, error: null });
  private machine: NewDeviceLinkState = initialNewDeviceLinkState();
  private username: string | null = null;
  private keys: DeviceKeys | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: NewDeviceLinkerDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Starts (or starts again) asking the account's other devices to approve this one. */
  start(username: string, keys: DeviceKeys): void {
    if (this.machine.phase === 'requested' || this.machine.phase === 'revealed') this.dispatch({ type: 'cancel' });
    this.username = username;
    this.keys = keys;
    this.machine = initialNewDeviceLinkState();
    this.view.set({ phase: 'waiting', code: null, error: null });
    clearInterval(this.timer);
    this.timer = setInterval(() => this.dispatch({ type: 'tick', now: this.now() }), TICK_MS);
    this.dispatch({
      type: 'start',
      account: username,
      name: thisDeviceName(),
      deviceKey: keys.device.publicKey,
      secrets: freshLinkSecrets(),
      now: this.now(),
    });
  }

  /** A device of the account came online while nobody had answered: ask again, so it sees the request. */
  askAgainIfWaiting(): void {
    if (this.machine.phase === 'requested' && this.username && this.keys) this.start(this.username, this.keys);
  }

  /** A `link` frame's data from another device of the account. */
  handle(fromDevice: string, data: unknown): void {
    const msg = parseLinkMsg(data);
    if (!msg) {
      console.warn('Peerchat: ignored a malformed link message');
      return;
    }
    this.dispatch({ type: 'message', fromDevice, msg });
  }

  /**
   * The person compared the codes on this screen: the same (the approval from the other device
   * is taken, now or when it comes) or not (the other device is told, nothing is linked).
   */
  confirm(match: boolean): void {
    if (this.machine.phase !== 'revealed') return;
    if (match) this.view.update((v) => ({ ...v, phase: 'confirmed' }));
    this.dispatch({ type: 'confirm', match });
  }

  /** Logged out, or linked: stop (a running attempt tells the other side). */
  stop(): void {
    if (this.machine.phase === 'requested' || this.machine.phase === 'revealed') this.dispatch({ type: 'cancel' });
    clearInterval(this.timer);
    this.timer = undefined;
    this.machine = initialNewDeviceLinkState();
    this.username = null;
    this.keys = null;
    this.view.set({ phase: 'idle', code: null, error: null });
  }

  private dispatch(event: NewDeviceLinkEvent): void {
    const { state, effects } = stepNewDeviceLink(this.machine, event);
    this.machine = state;
    if (state.phase === 'done') clearInterval(this.timer);
    for (const e of effects) this.run(e);
  }

  private run(e: NewDeviceLinkEffect): void {
    switch (e.type) {
      case 'send':
        if (!this.deps.send({ type: 'link', ...(e.toDevice ? { toDevice: e.toDevice } : {}), data: { ...e.msg } })) {
          console.warn('Peerchat: a link message could not be sent (not connected)');
        }
        return;
      case 'show-code':
        this.view.set({ phase: 'code', code: e.code, error: null });
        return;
      case 'denied':
        this.view.update((v) => ({ ...v, phase: 'denied', error: e.code }));
        return;
      case 'failed':
        this.view.update((v) => ({ ...v, phase: 'failed', error: e.code }));
        return;
      case 'granted':
        this.view.update((v) => ({ ...v, phase: 'granted', error: null }));
        void this.store(e.accountKeyPair, e.devices, e.list.version);
        return;
    }
  }

  private async store(account: IdentityKeyPair, devices: SignedDeviceList, version: number): Promise<void> {
    const username = this.username;
    if (!username) return;
    try {
      // Never over a held account key: a browser that holds one does not wait for approval, and a
      // different key from a grant is refused (IDENTITY_STORAGE). Then the list, the floor for the
      // next login.
      const keys = await saveAccountKey(username, account);
      await storeOwnList(username, devices, version);
      this.deps.linked(keys);
    } catch (err) {
      console.error('Peerchat: the account key from the other device could not be stored', err);
      this.view.update((v) => ({ ...v, phase: 'failed', error: 'IDENTITY_STORAGE' }));
    }
  }
}
