/**
 * The lifecycle of one WebRTC connection to one contact, as a pure state machine: state and
 * event in, new state and effects out. The runner (web/src/net/peer-link.ts) owns the
 * RTCPeerConnection (through simple-peer), the connect timer and the SecureSession, reports what
 * they do as events, and carries out the effects.
 *
 *   connecting ──session-established──▶ ready ──transport-closed──▶ closed
 *   connecting / ready ──any failure──▶ failed (the first reason is kept)
 *
 * The link is 'ready' only once the end-to-end session on its data channel is verified; until
 * then the connect timer runs (it stops when the channel opens: from there the session's own
 * deadline applies).
 */
import type { PeerKeyFailure, SessionFailure } from './secure-session-machine';

export type LinkState =
  /** Offer/answer/ICE, then the end-to-end handshake, in progress. */
  | 'connecting'
  /** Secure session up: sealed frames flow. */
  | 'ready'
  /** Closed normally or by the peer. */
  | 'closed'
  /** Could not connect or broke; a retry may follow. */
  | 'failed';

/**
 * Why a link failed, for the UI and the redial policy:
 * - 'network': never connected or dropped; retry quietly.
 * - 'insecure': the connection could not be verified (DTLS failed against the fingerprints,
 *   the handshake did not verify, a sealed frame was rejected, or no session in time).
 * - 'key-changed': the contact's key differs from the pinned one; wait for the person.
 * - 'no-key': the contact has no usable published key.
 */
export type LinkFailure = 'network' | 'insecure' | 'key-changed' | 'no-key';

export interface LinkMachineState {
  readonly state: LinkState;
  /** Set when the link fails: why. */
  readonly failure: LinkFailure | null;
  /** ICE reached the peer at some point. */
  readonly iceConnected: boolean;
  /** The data channel opened. */
  readonly channelOpen: boolean;
}

export type LinkEvent =
  | { type: 'ice-connected' }
  /** The pinned key lookup failed (the session reports it too, once the channel is open). */
  | { type: 'peer-key-failed'; why: PeerKeyFailure }
  | { type: 'channel-open' }
  | { type: 'session-established' }
  | { type: 'session-failed'; why: SessionFailure }
  /** The transport closed (by us, the peer or the network). */
  | { type: 'transport-closed' }
  /**
   * The transport reported an error. `sctpFailed`: the SCTP transport's state is 'failed';
   * `connectionFailure`: simple-peer's ERR_CONNECTION_FAILURE.
   */
  | { type: 'transport-error'; sctpFailed: boolean; connectionFailure: boolean }
  /** Sending (a frame, or signal data into the connection) threw, or the server cannot relay. */
  | { type: 'transport-broken' }
  | { type: 'connect-timeout' }
  /** The owner ends the link. */
  | { type: 'destroy'; as: 'closed' | 'failed' };

export type LinkEffect =
  | { type: 'clear-timer' }
  /** Start the end-to-end session on the open channel. */
  | { type: 'begin-session' }
  /** Close the session quietly (wipes its keys). */
  | { type: 'close-session' }
  /** Tell the owner the new state. */
  | { type: 'state'; state: LinkState }
  /** Destroy the RTCPeerConnection. */
  | { type: 'destroy-transport' };

export interface LinkStep {
  state: LinkMachineState;
  effects: LinkEffect[];
}

/** Give up if the channel is not open by then, unless the runner sets another. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;

export function initialLinkState(): LinkMachineState {
  return { state: 'connecting', failure: null, iceConnected: false, channelOpen: false };
}

/** What a session failure means for the link (and so for the UI and redials). */
export function linkFailureOf(why: SessionFailure): LinkFailure {
  switch (why) {
    case 'key-changed':
      return 'key-changed';
    case 'no-key':
    case 'unknown-user':
      return 'no-key';
    case 'unreachable':
      return 'network';
    default:
      return 'insecure';
  }
}

export function stepLink(s: LinkMachineState, event: LinkEvent): LinkStep {
  switch (event.type) {
    case 'ice-connected':
      return { state: s.iceConnected ? s : { ...s, iceConnected: true }, effects: [] };
    case 'peer-key-failed':
      // Before the channel opens, a key problem ends the attempt at once (after it, the session
      // reports it). A missing answer from the server is left to the session's deadline.
      if (s.channelOpen || event.why === 'unreachable') return { state: s, effects: [] };
      return fail(s, linkFailureOf(event.why));
    case 'channel-open':
      return { state: { ...s, channelOpen: true }, effects: [{ type: 'clear-timer' }, { type: 'begin-session' }] };
    case 'session-established':
      return setState(s, 'ready', []);
    case 'session-failed':
      return fail(s, linkFailureOf(event.why));
    case 'transport-closed':
      return s.state === 'ready' ? destroy(s, 'closed') : fail(s, 'network');
    case 'transport-error': {
      // ICE reached the peer but the connection failed before the channel opened: DTLS did not
      // accept the certificate the SDP announced (e.g. a server rewrote the fingerprints).
      const dtls = event.sctpFailed || (event.connectionFailure && s.iceConnected && !s.channelOpen);
      return fail(s, dtls ? 'insecure' : 'network');
    }
    case 'transport-broken':
      return fail(s, 'network');
    case 'connect-timeout':
      return s.state === 'connecting' ? fail(s, 'network') : { state: s, effects: [] };
    case 'destroy':
      return destroy(s, event.as);
  }
}

function ended(s: LinkMachineState): boolean {
  return s.state === 'closed' || s.state === 'failed';
}

/** Tears the connection down, remembering why (only the first failure counts: later ones find it ended). */
function fail(s: LinkMachineState, why: LinkFailure): LinkStep {
  if (ended(s)) return { state: s, effects: [] };
  return destroy({ ...s, failure: why }, 'failed');
}

function destroy(s: LinkMachineState, as: 'closed' | 'failed'): LinkStep {
  return setState(s, as, [{ type: 'clear-timer' }, { type: 'close-session' }], [{ type: 'destroy-transport' }]);
}

function setState(s: LinkMachineState, next: LinkState, before: LinkEffect[], after: LinkEffect[] = []): LinkStep {
  if (s.state === next || ended(s)) return { state: s, effects: [...before, ...after] };
  return { state: { ...s, state: next }, effects: [...before, { type: 'state', state: next }, ...after] };
}
