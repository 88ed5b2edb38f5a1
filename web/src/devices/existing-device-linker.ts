/**
 * Runs an approved device's side of linking (shared/devices/link-existing-device.ts): answers
 * requests from new devices of the account, shows "New device: NAME wants to join" with the code
 * once the new device's reveal checked out (or the failed check), and on Approve publishes the
 * new list and then sends the grant. The grant waits until the server has pushed the new list
 * back, so the new device, logging in again, is already in the stored list.
 */
import type { ClientMsg } from '../../../shared/index';
import type { ClientErrorCode } from '../../../shared/errors';
import type { DeviceList, SignedDeviceList } from '../../../shared/devices/device-list';
import { freshGrantNonce, freshLinkSecrets } from '../../../shared/devices/link-crypto';
import { parseLinkMsg } from '../../../shared/devices/link-messages';
import {
  initialExistingDeviceLinkState,
  stepExistingDeviceLink,
  type ExistingDeviceLinkEffect,
  type ExistingDeviceLinkEvent,
  type ExistingDeviceLinkState,
} from '../../../shared/devices/link-existing-device';
import type { IdentityKeyPair } from '../../../shared/crypto/index';
import { Store } from '../state/store';

/** One request shown to the person. */
export interface LinkRequestView {
  rid: string;
  /** The name the new device asked for ("Firefox on Linux"). */
  name: string;
  /** The code to compare, once the check passed. */
  code: string | null;
  /** The check failed (or the account is full): shown plainly, nothing is linked. */
  error: ClientErrorCode | null;
  /** Approved: waiting for the list to be stored before the grant goes out. */
  approving: boolean;
}

export interface ExistingDeviceLinkerDeps {
  send(msg: ClientMsg): boolean;
  now?(): number;
}

const TICK_MS = 10_000;
/** How long a grant waits for the server to push the published list back before going anyway. */
const GRANT_WAIT_MS = 10_000;

interface HeldGrant {
  version: number;
  sends: ClientMsg[];
  timer: ReturnType<typeof setTimeout>;
}

export class ExistingDeviceLinker {
  readonly view = new Store<readonly LinkRequestView[]>([]);
  private machine: ExistingDeviceLinkState | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private held: HeldGrant[] = [];

  constructor(private readonly deps: ExistingDeviceLinkerDeps) {}

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** This device holds the account key and a verified list (initially, or a newer one). */
  listChanged(account: IdentityKeyPair, devices: SignedDeviceList, list: DeviceList): void {
    if (!this.machine || this.machine.account !== account) {
      this.machine = initialExistingDeviceLinkState(account, devices, list);
      clearInterval(this.timer);
      this.timer = setInterval(() => this.dispatch({ type: 'tick', now: this.now() }), TICK_MS);
    } else {
      this.dispatch({ type: 'list-changed', devices, list });
    }
    // Grants held for this version (or an older one) can go now.
    for (const h of this.held.filter((x) => x.version <= list.version)) this.release(h);
  }

  handle(fromDevice: string, data: unknown): void {
    const msg = parseLinkMsg(data);
    if (!msg) {
      console.warn('Peerchat: ignored a malformed link message');
      return;
    }
    if (!this.machine) return;
    const s = freshLinkSecrets();
    this.dispatch({ type: 'message', fromDevice, msg, now: this.now(), secrets: { nonce: s.nonce, eph: s.eph } });
  }

  approve(rid: string): void {
    this.setRequest(rid, (r) => ({ ...r, approving: true }));
    this.dispatch({ type: 'approve', rid, now: this.now(), boxNonce: freshGrantNonce() });
  }

  reject(rid: string): void {
    this.dispatch({ type: 'reject', rid });
    this.drop(rid);
  }

  /** Closes a request's dialog after a failure was shown. */
  dismiss(rid: string): void {
    this.drop(rid);
  }

  stop(): void {
    clearInterval(this.timer);
    for (const h of this.held) clearTimeout(h.timer);
    this.held = [];
    this.machine = null;
    this.view.set([]);
  }

  private dispatch(event: ExistingDeviceLinkEvent): void {
    if (!this.machine) return;
    const before = this.machine.requests;
    const { state, effects } = stepExistingDeviceLink(this.machine, event);
    this.machine = state;
    // A grant follows its list's publication in the same step: hold the sends after a publish.
    let holding: HeldGrant | null = null;
    for (const e of effects) {
      if (e.type === 'publish') {
        this.deps.send({ type: 'devices-publish', devices: e.devices });
        const h: HeldGrant = { version: e.list.version, sends: [], timer: setTimeout(() => this.release(h), GRANT_WAIT_MS) };
        holding = h;
        this.held.push(h);
      } else if (e.type === 'send' && holding) {
        holding.sends.push(this.linkFrame(e));
      } else {
        this.run(e, before.get('rid' in e ? e.rid : '')?.name ?? '');
      }
    }
  }

  private linkFrame(e: Extract<ExistingDeviceLinkEffect, { type: 'send' }>): ClientMsg {
    return { type: 'link', toDevice: e.toDevice, data: { ...e.msg } };
  }

  private release(h: HeldGrant): void {
    clearTimeout(h.timer);
    this.held = this.held.filter((x) => x !== h);
    for (const m of h.sends) this.deps.send(m);
    for (const m of h.sends) if (m.type === 'link' && m.data.type === 'link-grant') this.drop(String(m.data.rid));
  }

  /** `name`: the request's name before this step (a failed request is gone from the state after it). */
  private run(e: ExistingDeviceLinkEffect, name: string): void {
    switch (e.type) {
      case 'send':
        if (!this.deps.send(this.linkFrame(e))) console.warn('Peerchat: a link message could not be sent (not connected)');
        return;
      case 'show-code':
        this.view.update((list) => [...list.filter((r) => r.rid !== e.rid), { rid: e.rid, name: e.name, code: e.code, error: null, approving: false }]);
        return;
      case 'failed':
        this.view.update((list) =>
          list.some((r) => r.rid === e.rid)
            ? list.map((r) => (r.rid === e.rid ? { ...r, error: e.code, approving: false } : r))
            : [...list, { rid: e.rid, name, code: null, error: e.code, approving: false }],
        );
        return;
      case 'closed':
        this.drop(e.rid);
        return;
      case 'publish':
        return;
    }
  }

  private setRequest(rid: string, fn: (r: LinkRequestView) => LinkRequestView): void {
    this.view.update((list) => list.map((r) => (r.rid === rid ? fn(r) : r)));
  }

  private drop(rid: string): void {
    this.view.update((list) => list.filter((r) => r.rid !== rid));
  }
}
