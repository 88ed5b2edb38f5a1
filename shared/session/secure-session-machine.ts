/**
 * The lifecycle of the end-to-end session on one data channel, as a pure state machine: state
 * and event in, new state and effects out; no I/O, no timers, no crypto. The runner
 * (web/src/net/secure-session.ts) owns the SecureChannel (shared/secure-channel.ts), the timer
 * and the transport, reports what happened to them as events, and carries out the effects.
 *
 *   idle ──channel-open──▶ resolving ──(peer key known)──▶ handshaking ──established──▶ established
 *     any live phase ──failure / deadline──▶ failed          any live phase ──close──▶ closed
 *
 * The peer's pinned key is looked up while ICE runs, so it may be known (or have failed) before
 * the channel opens; the handshake starts once both the key and the channel are there. The
 * peer's hello may arrive before our own channel-open: up to {@link MAX_EARLY_FRAMES} frames wait
 * and are fed to the channel right after our hello. A deadline runs from channel open to a
 * verified session. The first failure is reported once; a close reports nothing.
 *
 * Frames after the handshake started never pass through here: the runner hands them straight to
 * the SecureChannel (the file-transfer hot path), and only tells this machine about the outcomes
 * that change the phase.
 */
import type { ChannelErrorCode } from '../secure-channel';

/** Why the peer's pinned key could not be used (resolved by the browser's key directory). */
export type PeerKeyFailure =
  /** The contact's key differs from the pinned one and the person has not accepted it yet. */
  | 'key-changed'
  /** The contact has published no usable key, so nothing can be verified. */
  | 'no-key'
  | 'unknown-user'
  /** First contact and the server did not answer the lookup. */
  | 'unreachable';

export type SessionFailure =
  | PeerKeyFailure
  /** The handshake did not verify: wrong key, rewritten DTLS fingerprints, bad frame. */
  | 'handshake'
  /** A sealed frame did not open (tampered, replayed, reordered, dropped). */
  | 'rejected'
  /** A frame that is never valid at that point. */
  | 'protocol'
  /** No secure session within the deadline. */
  | 'timeout';

export type SessionPhase = 'idle' | 'resolving' | 'handshaking' | 'established' | 'failed' | 'closed';

/** DTLS fingerprints parsed from the local and remote descriptions actually applied. */
export interface Fingerprints {
  local: string | null;
  remote: string | null;
}

export interface SessionState {
  readonly phase: SessionPhase;
  /** The pinned key, once looked up (kept until the handshake starts). */
  readonly peerKey: Uint8Array | null;
  /** The key lookup failed (reported when the channel opens). */
  readonly keyFailure: PeerKeyFailure | null;
  /** Set by channel-open. */
  readonly fingerprints: Fingerprints | null;
  /** Frames that arrived before the handshake started. */
  readonly early: readonly unknown[];
}

export type SessionEvent =
  /** The pinned key lookup resolved. */
  | { type: 'peer-key'; key: Uint8Array }
  /** The pinned key lookup failed. */
  | { type: 'peer-key-failed'; why: PeerKeyFailure }
  /** The data channel opened. */
  | { type: 'channel-open'; fingerprints: Fingerprints }
  /** A data-channel message arrived before the runner had a SecureChannel. */
  | { type: 'early-frame'; data: unknown }
  /** The SecureChannel was created and our hello went out. */
  | { type: 'handshake-started' }
  /** The SecureChannel reports the session verified. */
  | { type: 'established' }
  /** The SecureChannel threw: a ChannelError's code, or null for anything else. */
  | { type: 'channel-error'; code: ChannelErrorCode | null; detail: string }
  /** The peer ended its sealed stream cleanly. */
  | { type: 'peer-ended' }
  /** The deadline timer fired. */
  | { type: 'deadline' }
  /** The link is closing: end quietly. */
  | { type: 'close' };

export type SessionEffect =
  | { type: 'set-timer'; ms: number }
  | { type: 'clear-timer' }
  /** Create the SecureChannel, send our hello, then report handshake-started (or channel-error). */
  | { type: 'start-handshake'; peerKey: Uint8Array; fingerprints: { local: string; remote: string } }
  /** Feed these frames to the SecureChannel, in order, as if just received. */
  | { type: 'replay'; frames: readonly unknown[] }
  | { type: 'established' }
  /** Close the SecureChannel (wipes its keys) and report the failure once. */
  | { type: 'failed'; why: SessionFailure; detail: string }
  /** Close the SecureChannel (wipes its keys); nothing is reported. */
  | { type: 'closed' };

export interface SessionStep {
  state: SessionState;
  effects: SessionEffect[];
}

/** The peer's hello may arrive before our own channel-open; this many frames may wait. */
export const MAX_EARLY_FRAMES = 4;
/** From channel open to a verified session, unless the runner sets another. */
export const DEFAULT_SESSION_DEADLINE_MS = 10_000;

export function initialSessionState(): SessionState {
  return { phase: 'idle', peerKey: null, keyFailure: null, fingerprints: null, early: [] };
}

/** The session failure a SecureChannel error stands for. */
export function failureOfChannelError(code: ChannelErrorCode | null): SessionFailure {
  if (code === 'SEAL_REJECTED') return 'rejected';
  if (code === 'HANDSHAKE_FAILED' || code === null) return 'handshake';
  return 'protocol';
}

const DEAD: ReadonlySet<SessionPhase> = new Set(['failed', 'closed']);

/** True in the phases where frames are still accepted and a failure can still be reported. */
export function isLive(state: SessionState): boolean {
  return !DEAD.has(state.phase);
}

/** `deadlineMs` applies only to channel-open. */
export function stepSession(state: SessionState, event: SessionEvent, deadlineMs = DEFAULT_SESSION_DEADLINE_MS): SessionStep {
  if (!isLive(state)) return { state, effects: [] };
  switch (event.type) {
    case 'peer-key':
      if (state.phase === 'idle') return { state: { ...state, peerKey: event.key }, effects: [] };
      if (state.phase === 'resolving') return startHandshake({ ...state, peerKey: event.key });
      return { state, effects: [] };
    case 'peer-key-failed':
      if (state.phase === 'idle') return { state: { ...state, keyFailure: event.why }, effects: [] };
      if (state.phase === 'resolving') return fail(state, event.why, 'peer key unavailable');
      return { state, effects: [] };
    case 'channel-open': {
      if (state.phase !== 'idle') return { state, effects: [] };
      const opened: SessionState = { ...state, phase: 'resolving', fingerprints: event.fingerprints };
      if (state.keyFailure) return fail(opened, state.keyFailure, 'peer key unavailable');
      const timer: SessionEffect = { type: 'set-timer', ms: deadlineMs };
      if (!state.peerKey) return { state: opened, effects: [timer] };
      const next = startHandshake(opened);
      return { state: next.state, effects: [timer, ...next.effects] };
    }
    case 'early-frame':
      if (state.phase === 'handshaking' || state.phase === 'established') return { state, effects: [] };
      if (state.early.length >= MAX_EARLY_FRAMES) return fail(state, 'protocol', 'too many frames before the handshake');
      return { state: { ...state, early: [...state.early, event.data] }, effects: [] };
    case 'handshake-started': {
      if (state.phase !== 'handshaking') return { state, effects: [] };
      const frames = state.early;
      const next: SessionState = { ...state, early: [] };
      return { state: next, effects: frames.length ? [{ type: 'replay', frames }] : [] };
    }
    case 'established':
      if (state.phase !== 'handshaking') return { state, effects: [] };
      return { state: { ...state, phase: 'established' }, effects: [{ type: 'clear-timer' }, { type: 'established' }] };
    case 'channel-error':
      return fail(state, failureOfChannelError(event.code), event.detail);
    case 'deadline':
      if (state.phase === 'established') return { state, effects: [] };
      return fail(state, 'timeout', 'no secure session in time');
    case 'peer-ended':
    case 'close':
      return { state: ended(state, 'closed'), effects: [{ type: 'clear-timer' }, { type: 'closed' }] };
  }
}

function startHandshake(state: SessionState): SessionStep {
  const fp = state.fingerprints;
  if (!state.peerKey || !fp) return { state, effects: [] };
  if (!fp.local || !fp.remote) return fail(state, 'handshake', 'no DTLS fingerprint in the applied SDP');
  return {
    state: { ...state, phase: 'handshaking', peerKey: null },
    effects: [{ type: 'start-handshake', peerKey: state.peerKey, fingerprints: { local: fp.local, remote: fp.remote } }],
  };
}

function fail(state: SessionState, why: SessionFailure, detail: string): SessionStep {
  return { state: ended(state, 'failed'), effects: [{ type: 'clear-timer' }, { type: 'failed', why, detail }] };
}

function ended(state: SessionState, phase: 'failed' | 'closed'): SessionState {
  return { ...state, phase, peerKey: null, early: [] };
}
