/**
 * An existing device's side of linking (E), as a pure state machine: state and event in, new
 * state and effects out. No I/O, no clock, no randomness of its own (they come in with events).
 *
 * E answers every request at once with a challenge (its ephemeral key, nonce and the account
 * key), checks the reveal against the request's commit, and only then shows the code. A failed
 * check is shown (`failed` LINK_CHECK_FAILED) and the new device is told ('check-failed'). On
 * approve it signs the next device list naming the new device with the account key, asks the
 * runner to publish it, and sends the grant boxed under the link key.
 *
 * Up to {@link MAX_OPEN_LINK_REQUESTS} requests are open at once (more are denied 'busy'); each
 * expires {@link LINK_TIMEOUT_MS} after it arrived; a full list is denied 'full'.
 */
import type { ClientErrorCode } from '../errors';
import { decodePublicKey, encodePublicKey, type IdentityKeyPair } from '../crypto/identity';
import { fromBase64UrlExact, toBase64Url } from '../crypto/bytes';
import {
  MAX_DEVICES,
  deviceEntry,
  deviceIdOf,
  signDeviceList,
  withDevice,
  type DeviceList,
  type SignedDeviceList,
} from './device-list';
import { linkBoxKey, linkCode, linkCommitMatches, linkSas, sealLinkGrant, type LinkEphemeral } from './link-crypto';
import { LINK_COMMIT_BYTES, LINK_NONCE_BYTES, LINK_TIMEOUT_MS, type LinkMsg } from './link-messages';

export { LINK_TIMEOUT_MS };

/** Requests one existing device keeps open at once. */
export const MAX_OPEN_LINK_REQUESTS = 4;

/** One open request, by its rid. */
export interface OpenLinkRequest {
  rid: string;
  /** The device that asked (as the server relayed it); every later message must come from it. */
  fromDevice: string;
  /** The name it asked to be shown under. */
  name: string;
  commit: Uint8Array;
  eph: LinkEphemeral;
  nonce: Uint8Array;
  openedAt: number;
  /** Set once the reveal matched the commit: what the grant needs. */
  revealed: { deviceKey: Uint8Array; code: string; boxKey: Uint8Array } | null;
}

export interface ExistingDeviceLinkState {
  /** The account key pair this device holds. Secret: never log the state. */
  readonly account: IdentityKeyPair;
  /** The newest device list this device knows, signed and parsed. */
  readonly devices: SignedDeviceList;
  readonly list: DeviceList;
  readonly requests: ReadonlyMap<string, OpenLinkRequest>;
}

/** The fresh randomness a challenge needs (from freshLinkSecrets(); its rid is not used here). */
export interface ChallengeSecrets {
  nonce: Uint8Array;
  eph: LinkEphemeral;
}

export type ExistingDeviceLinkEvent =
  /**
   * A parsed link message from another device of the account (`fromDevice` as relayed by the
   * server). `secrets` are used only if it is a new request.
   */
  | { type: 'message'; fromDevice: string; msg: LinkMsg; now: number; secrets: ChallengeSecrets }
  /**
   * The person approved request `rid` after comparing codes. `deviceName` replaces the requested
   * name if given; `boxNonce` is 24 fresh random bytes (freshGrantNonce()).
   */
  | { type: 'approve'; rid: string; now: number; boxNonce: Uint8Array; deviceName?: string }
  /** The person refused request `rid`. */
  | { type: 'reject'; rid: string }
  /** The clock, now and then: expires old requests. */
  | { type: 'tick'; now: number }
  /** A newer device list arrived (verified by the runner): later approvals build on it. */
  | { type: 'list-changed'; devices: SignedDeviceList; list: DeviceList };

/** Why a request closed without being approved or rejected here. */
export type LinkClosedReason = 'expired' | 'cancelled';

export type ExistingDeviceLinkEffect =
  /** Send `msg` in a `link` frame to device `toDevice`. */
  | { type: 'send'; toDevice: string; msg: LinkMsg }
  /** The reveal matched: show "New device: NAME wants to join" with this code, Approve / Reject. */
  | { type: 'show-code'; rid: string; fromDevice: string; name: string; code: string }
  /** Publish this list (devices-publish) before the grant that follows it is sent. */
  | { type: 'publish'; devices: SignedDeviceList; list: DeviceList }
  /** Request `rid` failed here (LINK_CHECK_FAILED, LINK_FULL): show it in its dialog. */
  | { type: 'failed'; rid: string; code: ClientErrorCode }
  /**
   * Request `rid` is gone (timed out, or the new device gave up or chose another of our
   * devices): close its dialog. May name a request that never showed a code (ignore those).
   */
  | { type: 'closed'; rid: string; reason: LinkClosedReason };

export interface ExistingDeviceLinkStep {
  state: ExistingDeviceLinkState;
  effects: ExistingDeviceLinkEffect[];
}

/** The machine for a device holding `account`, whose newest list is `devices` (parsed: `list`). */
export function initialExistingDeviceLinkState(account: IdentityKeyPair, devices: SignedDeviceList, list: DeviceList): ExistingDeviceLinkState {
  return { account, devices, list, requests: new Map() };
}

export function stepExistingDeviceLink(state: ExistingDeviceLinkState, event: ExistingDeviceLinkEvent): ExistingDeviceLinkStep {
  switch (event.type) {
    case 'tick':
      return expire(state, event.now);
    case 'message': {
      const r = expire(state, event.now);
      const next = onMessage(r.state, event);
      return { state: next.state, effects: [...r.effects, ...next.effects] };
    }
    case 'approve': {
      const r = expire(state, event.now);
      const next = approve(r.state, event);
      return { state: next.state, effects: [...r.effects, ...next.effects] };
    }
    case 'reject': {
      const req = state.requests.get(event.rid);
      if (!req) return { state, effects: [] };
      return {
        state: withoutRequest(state, event.rid),
        effects: [{ type: 'send', toDevice: req.fromDevice, msg: { type: 'link-deny', rid: req.rid, reason: 'rejected' } }],
      };
    }
    case 'list-changed':
      if (event.list.version < state.list.version) return { state, effects: [] };
      return { state: { ...state, devices: event.devices, list: event.list }, effects: [] };
  }
}

function expire(state: ExistingDeviceLinkState, now: number): ExistingDeviceLinkStep {
  const effects: ExistingDeviceLinkEffect[] = [];
  let requests: Map<string, OpenLinkRequest> | null = null;
  for (const req of state.requests.values()) {
    if (now - req.openedAt < LINK_TIMEOUT_MS) continue;
    requests ??= new Map(state.requests);
    requests.delete(req.rid);
    effects.push({ type: 'closed', rid: req.rid, reason: 'expired' });
  }
  return { state: requests ? { ...state, requests } : state, effects };
}

function onMessage(state: ExistingDeviceLinkState, event: Extract<ExistingDeviceLinkEvent, { type: 'message' }>): ExistingDeviceLinkStep {
  const { msg, fromDevice } = event;
  const deny = (reason: 'busy' | 'full' | 'check-failed'): ExistingDeviceLinkEffect => ({
    type: 'send',
    toDevice: fromDevice,
    msg: { type: 'link-deny', rid: msg.rid, reason },
  });
  if (msg.type === 'link-request') {
    // A repeated rid (the same request relayed twice, or someone reusing it) is not answered again.
    if (state.requests.has(msg.rid)) return { state, effects: [] };
    if (state.list.devices.length >= MAX_DEVICES) return { state, effects: [deny('full')] };
    if (state.requests.size >= MAX_OPEN_LINK_REQUESTS) return { state, effects: [deny('busy')] };
    const commit = fromBase64UrlExact(msg.commit, LINK_COMMIT_BYTES);
    const { secrets } = event;
    if (!commit || secrets.nonce.length !== LINK_NONCE_BYTES) return { state, effects: [] };
    const req: OpenLinkRequest = {
      rid: msg.rid,
      fromDevice,
      name: msg.name,
      commit,
      eph: secrets.eph,
      nonce: secrets.nonce,
      openedAt: event.now,
      revealed: null,
    };
    const requests = new Map(state.requests);
    requests.set(req.rid, req);
    const challenge: LinkMsg = {
      type: 'link-challenge',
      rid: req.rid,
      eph: toBase64Url(secrets.eph.publicKey),
      nonce: toBase64Url(secrets.nonce),
      accountKey: encodePublicKey(state.account.publicKey),
    };
    return { state: { ...state, requests }, effects: [{ type: 'send', toDevice: fromDevice, msg: challenge }] };
  }

  const req = state.requests.get(msg.rid);
  if (!req || req.fromDevice !== fromDevice) return { state, effects: [] };
  switch (msg.type) {
    case 'link-reveal': {
      if (req.revealed) return { state, effects: [] };
      const revealed = checkReveal(state, req, msg);
      if (!revealed) {
        return {
          state: withoutRequest(state, req.rid),
          effects: [deny('check-failed'), { type: 'failed', rid: req.rid, code: 'LINK_CHECK_FAILED' }],
        };
      }
      const requests = new Map(state.requests);
      requests.set(req.rid, { ...req, revealed });
      return {
        state: { ...state, requests },
        effects: [{ type: 'show-code', rid: req.rid, fromDevice, name: req.name, code: revealed.code }],
      };
    }
    case 'link-deny':
      return { state: withoutRequest(state, req.rid), effects: [{ type: 'closed', rid: req.rid, reason: 'cancelled' }] };
    default:
      return { state, effects: [] };
  }
}

/** The reveal must open the commit, and name the device key of the device that sent it. */
function checkReveal(
  state: ExistingDeviceLinkState,
  req: OpenLinkRequest,
  msg: Extract<LinkMsg, { type: 'link-reveal' }>,
): OpenLinkRequest['revealed'] {
  const ephN = decodePublicKey(msg.eph);
  const nonceN = fromBase64UrlExact(msg.nonce, LINK_NONCE_BYTES);
  const deviceKey = decodePublicKey(msg.deviceKey);
  if (!ephN || !nonceN || !deviceKey) return null;
  if (!linkCommitMatches(req.commit, ephN, nonceN, deviceKey)) return null;
  if (deviceIdOf(deviceKey) !== req.fromDevice) return null;
  const sas = linkSas({ accountKey: state.account.publicKey, deviceKey, ephN, ephE: req.eph.publicKey, nonceN, nonceE: req.nonce });
  const boxKey = linkBoxKey(sas, req.eph.secretKey, ephN);
  if (!boxKey) return null;
  return { deviceKey, code: linkCode(sas), boxKey };
}

function approve(state: ExistingDeviceLinkState, event: Extract<ExistingDeviceLinkEvent, { type: 'approve' }>): ExistingDeviceLinkStep {
  const req = state.requests.get(event.rid);
  if (!req?.revealed) return { state, effects: [] };
  const rest = withoutRequest(state, req.rid);
  const newId = deviceIdOf(req.revealed.deviceKey);
  const already = state.list.devices.some((d) => d.id === newId);
  if (!already && state.list.devices.length >= MAX_DEVICES) {
    return {
      state: rest,
      effects: [
        { type: 'send', toDevice: req.fromDevice, msg: { type: 'link-deny', rid: req.rid, reason: 'full' } },
        { type: 'failed', rid: req.rid, code: 'LINK_FULL' },
      ],
    };
  }
  const name = event.deviceName?.trim() || req.name;
  const list = withDevice(state.list, deviceEntry(req.revealed.deviceKey, name, event.now));
  const devices = signDeviceList(list, state.account);
  const box = sealLinkGrant(req.revealed.boxKey, { accountSecretKey: toBase64Url(state.account.secretKey), devices }, event.boxNonce);
  return {
    state: { ...rest, devices, list },
    effects: [
      { type: 'publish', devices, list },
      { type: 'send', toDevice: req.fromDevice, msg: { type: 'link-grant', rid: req.rid, box } },
    ],
  };
}

function withoutRequest(state: ExistingDeviceLinkState, rid: string): ExistingDeviceLinkState {
  const requests = new Map(state.requests);
  requests.delete(rid);
  return { ...state, requests };
}
