/**
 * The new device's side of linking (N), as a pure state machine: state and event in, new state
 * and effects out. No I/O, no clock, no randomness of its own: the fresh secrets and the time
 * come in with the events; the runner sends the messages, shows the code and stores the grant.
 *
 *   start      → send link-request to every device of the account
 *   challenge  → send link-reveal to that device, show the code (the first challenge wins; a
 *                later one, from another device of the account, is answered with link-deny)
 *   confirm    → the person compared the codes on THIS screen: `match` takes the grant (now, or
 *                when it comes); not matching tells the other side (link-deny 'rejected'), stops
 *                and `failed` LINK_CODES_DIFFER
 *   grant      → held until the person confirmed the codes match; then open it under the link
 *                key, check it, `granted` (or `failed` LINK_BAD_GRANT)
 *   deny       → `denied` with the reason
 *   tick       → `failed` LINK_EXPIRED once LINK_TIMEOUT_MS passed since start
 *   cancel     → tell the other side (link-deny 'rejected') and stop
 *
 * Nothing is granted without the person's `confirm` here: whoever answers the request (a
 * device of the account, or a server playing one) can send a grant that checks out against the
 * key its own challenge named, so only a person who saw the same code on a device they hold can
 * tell the two apart.
 *
 * The grant is accepted only if the secret key is exactly the pair of the account key the
 * challenge named (the one the code is over), and the device list verifies with that key, is for
 * our account, and names our device key under our device id.
 */
import type { ClientErrorCode } from '../errors';
import { decodePublicKey, encodePublicKey, type IdentityKeyPair } from '../crypto/identity';
import { toBase64Url } from '../crypto/bytes';
import { deviceIdOf, findDevice, verifyDeviceList, type DeviceList, type SignedDeviceList } from './device-list';
import {
  accountKeyPairFromGrant,
  linkBoxKey,
  linkCode,
  linkCommit,
  linkSas,
  openLinkGrant,
  type LinkSecrets,
} from './link-crypto';
import { LINK_TIMEOUT_MS, type LinkDenyReason, type LinkMsg } from './link-messages';

export { LINK_TIMEOUT_MS };

/** The code a person sees for each way the other side said no. */
export function linkDenyErrorCode(reason: LinkDenyReason): ClientErrorCode {
  switch (reason) {
    case 'rejected':
      return 'LINK_REJECTED';
    case 'check-failed':
      return 'LINK_CHECK_FAILED';
    case 'busy':
      return 'LINK_BUSY';
    case 'full':
      return 'LINK_FULL';
  }
}

interface Attempt {
  rid: string;
  /** Our account name, lowercased (the list must name it). */
  account: string;
  name: string;
  deviceKey: Uint8Array;
  secrets: LinkSecrets;
  startedAt: number;
}

export type NewDeviceLinkState =
  | { phase: 'idle' }
  /** Request sent; waiting for the first challenge. */
  | ({ phase: 'requested' } & Attempt)
  /** Revealed to `peer`; the code is shown; waiting for the grant or a deny. */
  | ({
      phase: 'revealed';
      peer: string;
      accountKey: Uint8Array;
      code: string;
      boxKey: Uint8Array;
      /** The person said the codes match on this screen. */
      confirmed: boolean;
      /** A grant that came before the person confirmed (its box), opened only after. */
      heldGrant: string | null;
    } & Attempt)
  /** Over: granted, denied, failed or cancelled. A new `start` begins again. */
  | { phase: 'done' };

export type NewDeviceLinkEvent =
  /**
   * Begin an attempt. `deviceKey` is this browser's Ed25519 device public key; `name` what the
   * other device will show (1..64 characters); `secrets` from freshLinkSecrets().
   */
  | { type: 'start'; account: string; name: string; deviceKey: Uint8Array; secrets: LinkSecrets; now: number }
  /** A parsed link message from another device of the account (`fromDevice` as the server relayed it). */
  | { type: 'message'; fromDevice: string; msg: LinkMsg }
  /** The clock, now and then (the runner's timer). */
  | { type: 'tick'; now: number }
  /** The person compared the codes on this screen: the same (`match`) or not. */
  | { type: 'confirm'; match: boolean }
  /** The person gave up (or logged out). */
  | { type: 'cancel' };

export type NewDeviceLinkEffect =
  /** Send `msg` in a `link` frame, to one device (`toDevice`) or to every device of the account (absent). */
  | { type: 'send'; toDevice?: string; msg: LinkMsg }
  /** Show this 6-digit code; the person compares it with the one on the other device. */
  | { type: 'show-code'; code: string }
  /**
   * Linked: store the account key pair and the list; log in again so the server sees an
   * approved device.
   */
  | { type: 'granted'; accountKeyPair: IdentityKeyPair; devices: SignedDeviceList; list: DeviceList }
  /** The other device said no. */
  | { type: 'denied'; reason: LinkDenyReason; code: ClientErrorCode }
  /** The attempt failed here: LINK_BAD_GRANT, LINK_EXPIRED or LINK_CODES_DIFFER. */
  | { type: 'failed'; code: ClientErrorCode };

export interface NewDeviceLinkStep {
  state: NewDeviceLinkState;
  effects: NewDeviceLinkEffect[];
}

export function initialNewDeviceLinkState(): NewDeviceLinkState {
  return { phase: 'idle' };
}

const DONE: NewDeviceLinkState = { phase: 'done' };

export function stepNewDeviceLink(state: NewDeviceLinkState, event: NewDeviceLinkEvent): NewDeviceLinkStep {
  switch (event.type) {
    case 'start':
      return start(event);
    case 'tick':
      if (state.phase === 'idle' || state.phase === 'done') return { state, effects: [] };
      if (event.now - state.startedAt < LINK_TIMEOUT_MS) return { state, effects: [] };
      return { state: DONE, effects: [{ type: 'failed', code: 'LINK_EXPIRED' }] };
    case 'cancel': {
      if (state.phase === 'idle' || state.phase === 'done') return { state: DONE, effects: [] };
      const deny: LinkMsg = { type: 'link-deny', rid: state.rid, reason: 'rejected' };
      return { state: DONE, effects: [state.phase === 'revealed' ? { type: 'send', toDevice: state.peer, msg: deny } : { type: 'send', msg: deny }] };
    }
    case 'confirm':
      return onConfirm(state, event.match);
    case 'message':
      return onMessage(state, event.fromDevice, event.msg);
  }
}

function onConfirm(state: NewDeviceLinkState, match: boolean): NewDeviceLinkStep {
  // Only a shown code can be confirmed; once confirmed, a second answer changes nothing.
  if (state.phase !== 'revealed' || state.confirmed) return { state, effects: [] };
  if (!match) {
    const deny: LinkMsg = { type: 'link-deny', rid: state.rid, reason: 'rejected' };
    return { state: DONE, effects: [{ type: 'send', toDevice: state.peer, msg: deny }, { type: 'failed', code: 'LINK_CODES_DIFFER' }] };
  }
  if (state.heldGrant !== null) return takeGrant(state, state.heldGrant);
  return { state: { ...state, confirmed: true }, effects: [] };
}

function takeGrant(state: Extract<NewDeviceLinkState, { phase: 'revealed' }>, box: string): NewDeviceLinkStep {
  const granted = checkGrant(state, box);
  if (!granted) return { state: DONE, effects: [{ type: 'failed', code: 'LINK_BAD_GRANT' }] };
  return { state: DONE, effects: [{ type: 'granted', ...granted }] };
}

function start(event: Extract<NewDeviceLinkEvent, { type: 'start' }>): NewDeviceLinkStep {
  const { secrets } = event;
  const commit = linkCommit(secrets.eph.publicKey, secrets.nonce, event.deviceKey);
  const attempt: Attempt = {
    rid: secrets.rid,
    account: event.account.toLowerCase(),
    name: event.name,
    deviceKey: event.deviceKey,
    secrets,
    startedAt: event.now,
  };
  return {
    state: { phase: 'requested', ...attempt },
    effects: [{ type: 'send', msg: { type: 'link-request', rid: secrets.rid, name: event.name, commit: toBase64Url(commit) } }],
  };
}

function onMessage(state: NewDeviceLinkState, fromDevice: string, msg: LinkMsg): NewDeviceLinkStep {
  if (state.phase !== 'requested' && state.phase !== 'revealed') return { state, effects: [] };
  if (msg.rid !== state.rid) return { state, effects: [] };
  // After the reveal only the device we answered counts; a deny before it may come from any
  // device (e.g. 'full' or 'busy'). Another device's challenge is answered with a deny so that
  // its request closes at once instead of waiting for the time limit.
  if (state.phase === 'revealed' && fromDevice !== state.peer) {
    if (msg.type !== 'link-challenge') return { state, effects: [] };
    return { state, effects: [{ type: 'send', toDevice: fromDevice, msg: { type: 'link-deny', rid: state.rid, reason: 'rejected' } }] };
  }
  switch (msg.type) {
    case 'link-challenge': {
      if (state.phase !== 'requested') return { state, effects: [] };
      const accountKey = decodePublicKey(msg.accountKey);
      const ephE = decodePublicKey(msg.eph);
      const nonceE = decodePublicKey(msg.nonce); // 32 bytes, same encoding as a key
      if (!accountKey || !ephE || !nonceE) return { state, effects: [] };
      const { secrets } = state;
      const sas = linkSas({ accountKey, deviceKey: state.deviceKey, ephN: secrets.eph.publicKey, ephE, nonceN: secrets.nonce, nonceE });
      const boxKey = linkBoxKey(sas, secrets.eph.secretKey, ephE);
      // A low-order ephemeral key cannot come from an honest device: wait for another challenge.
      if (!boxKey) return { state, effects: [] };
      const code = linkCode(sas);
      const reveal: LinkMsg = {
        type: 'link-reveal',
        rid: state.rid,
        eph: toBase64Url(secrets.eph.publicKey),
        nonce: toBase64Url(secrets.nonce),
        deviceKey: encodePublicKey(state.deviceKey),
      };
      return {
        state: { ...state, phase: 'revealed', peer: fromDevice, accountKey, code, boxKey, confirmed: false, heldGrant: null },
        effects: [
          { type: 'send', toDevice: fromDevice, msg: reveal },
          { type: 'show-code', code },
        ],
      };
    }
    case 'link-grant': {
      if (state.phase !== 'revealed') return { state, effects: [] };
      // Before the person said the codes match here, the grant waits (the newest one counts).
      if (!state.confirmed) return { state: { ...state, heldGrant: msg.box }, effects: [] };
      return takeGrant(state, msg.box);
    }
    case 'link-deny':
      return { state: DONE, effects: [{ type: 'denied', reason: msg.reason, code: linkDenyErrorCode(msg.reason) }] };
    default:
      return { state, effects: [] };
  }
}

function checkGrant(
  state: Extract<NewDeviceLinkState, { phase: 'revealed' }>,
  box: string,
): { accountKeyPair: IdentityKeyPair; devices: SignedDeviceList; list: DeviceList } | null {
  const content = openLinkGrant(state.boxKey, box);
  if (!content) return null;
  const accountKeyPair = accountKeyPairFromGrant(content.accountSecretKey, state.accountKey);
  if (!accountKeyPair) return null;
  const check = verifyDeviceList(content.devices, { accountKey: state.accountKey, account: state.account });
  if (!check.ok) return null;
  const me = findDevice(check.list, deviceIdOf(state.deviceKey));
  if (!me || me.key !== encodePublicKey(state.deviceKey)) return null;
  return { accountKeyPair, devices: content.devices, list: check.list };
}
