/**
 * The end-to-end layer between a PeerLink's data channel and the chat frames. Its lifecycle
 * (key lookup, waiting for the channel, handshake, deadline, failure) is the pure machine in
 * shared/session/secure-session-machine.ts; this class only runs that machine's effects: it owns
 * the SecureChannel (shared/secure-channel.ts), the deadline timer and the transport.
 *
 * Once the handshake has started, every frame goes straight to the SecureChannel, which seals
 * outgoing and opens incoming frames; only outcomes that change the phase go through the
 * machine. Any failure is reported once through `onFailure`; the link then tears the connection
 * down. Nothing from a frame that failed ever reaches `onMessage`. `keys` gives the session keys
 * for file keys (deriveFileKey), and `onChunk` receives chunk frames (enable with `acceptChunks`);
 * outgoing chunk frames are put on the raw data channel by the transfer send pump.
 */
import { usernameKey, type PeerMsg } from '../../../shared/index';
import type { HandshakeRole, PeerDevice, SessionKeys } from '../../../shared/crypto/index';
import { ChannelError, createSecureChannel, type SecureChannel } from '../../../shared/secure-channel';
import { isCryptoError } from '../../../shared/crypto/index';
import {
  initialSessionState,
  isLive,
  stepSession,
  type SessionEffect,
  type SessionEvent,
  type SessionFailure,
  type SessionState,
} from '../../../shared/session/secure-session-machine';
import { SecurityFailure } from '../crypto/security-failure';
import type { LocalDevice, PeerTrust } from './local-device';

export type { SessionFailure } from '../../../shared/session/secure-session-machine';

export interface SecureSessionOptions {
  /** The simple-peer initiator is the handshake initiator. */
  role: HandshakeRole;
  /** This device: our name, account key, device key and device list. */
  local: LocalDevice;
  peerName: string;
  /** The peer account's pinned key and newest list version seen; rejects with SecurityFailure. Started early, awaited on open. */
  peerKey: Promise<PeerTrust>;
  /** The peer device the signalling named (its hello must name it), or null for any listed device. */
  peerDeviceId: string | null;
  /** Puts one binary message on the data channel. */
  transmit: (frame: Uint8Array) => void;
  onEstablished: () => void;
  onMessage: (msg: PeerMsg) => void;
  onFailure: (why: SessionFailure, detail: string) => void;
  /** Chunk frames (their bodies are sealed with a file key, not by this layer). */
  onChunk?: (body: Uint8Array) => void;
  acceptChunks?: boolean;
  /** From channel open to a verified session. Default 10 s. */
  deadlineMs?: number;
}

export class SecureSession {
  private machine: SessionState = initialSessionState();
  private channel: SecureChannel | null = null;
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private peerMinVersion = 0;

  constructor(private readonly opts: SecureSessionOptions) {
    opts.peerKey.then(
      (trust) => {
        // My own devices are checked with the account key this browser holds, never another.
        if (usernameKey(opts.peerName) === usernameKey(opts.local.username) && !sameBytes(trust.accountKey, opts.local.accountKey)) {
          return this.dispatch({ type: 'peer-key-failed', why: 'no-key' });
        }
        this.peerMinVersion = trust.minVersion;
        this.dispatch({ type: 'peer-key', key: trust.accountKey });
      },
      (err: unknown) => this.dispatch({ type: 'peer-key-failed', why: err instanceof SecurityFailure ? err.reason : 'unreachable' }),
    );
  }

  /** The session keys while established (for file chunk keys); null otherwise. */
  get keys(): SessionKeys | null {
    return this.machine.phase === 'established' ? (this.channel?.keys ?? null) : null;
  }

  /** The peer's device and its verified device list while established; null otherwise. */
  get peer(): PeerDevice | null {
    return this.machine.phase === 'established' ? (this.channel?.peer ?? null) : null;
  }

  /**
   * The data channel is open. `fingerprints` are parsed from the local and remote descriptions
   * actually applied to the RTCPeerConnection.
   */
  begin(fingerprints: { local: string | null; remote: string | null }): void {
    this.dispatch({ type: 'channel-open', fingerprints });
  }

  /** One message from the data channel. The hot path: straight to the SecureChannel. */
  receive(data: unknown): void {
    const channel = this.channel;
    if (!channel) {
      if (isLive(this.machine)) this.dispatch({ type: 'early-frame', data });
      return;
    }
    let r;
    try {
      r = channel.receive(data);
    } catch (e) {
      return this.failFrom(e);
    }
    for (const f of r.send) this.opts.transmit(f);
    if (r.established) this.dispatch({ type: 'established' });
    if (r.message) this.opts.onMessage(r.message);
    if (r.chunk) this.opts.onChunk?.(r.chunk);
    if (channel.state === 'closed') this.dispatch({ type: 'peer-ended' });
  }

  /** Seals and sends a chat/control frame; false unless the session is established. */
  send(msg: PeerMsg): boolean {
    if (this.machine.phase !== 'established' || !this.channel) return false;
    let frame: Uint8Array;
    try {
      frame = this.channel.seal(msg);
    } catch (e) {
      console.warn('secure session: could not seal a frame', e instanceof ChannelError ? e.code : e);
      return false;
    }
    this.opts.transmit(frame);
    return true;
  }

  /** Ends the session and wipes its keys (the link is closing). No failure is reported. */
  close(): void {
    this.dispatch({ type: 'close' });
  }

  private dispatch(event: SessionEvent): void {
    const { state, effects } = stepSession(this.machine, event, this.opts.deadlineMs);
    this.machine = state;
    for (const effect of effects) this.run(effect);
  }

  private run(effect: SessionEffect): void {
    switch (effect.type) {
      case 'set-timer':
        clearTimeout(this.deadline);
        this.deadline = setTimeout(() => this.dispatch({ type: 'deadline' }), effect.ms);
        return;
      case 'clear-timer':
        clearTimeout(this.deadline);
        return;
      case 'start-handshake':
        return this.startHandshake(effect.peerKey, effect.fingerprints);
      case 'replay':
        for (const data of effect.frames) this.receive(data);
        return;
      case 'established':
        return this.opts.onEstablished();
      case 'failed':
        this.dropChannel();
        return this.opts.onFailure(effect.why, effect.detail);
      case 'closed':
        return this.dropChannel();
    }
  }

  private startHandshake(peerKey: Uint8Array, fp: { local: string; remote: string }): void {
    try {
      const local = this.opts.local;
      const devices = local.devices();
      const channel = createSecureChannel({
        role: this.opts.role,
        myName: local.username,
        peerName: this.opts.peerName,
        myIdentity: local.deviceKey,
        myAccountKey: local.accountKey,
        myDevice: devices ? { id: local.deviceId, devices } : null,
        peerIdentityKey: peerKey,
        peerDeviceId: this.opts.peerDeviceId,
        peerMinVersion: this.peerMinVersion,
        myFingerprint: fp.local,
        peerFingerprint: fp.remote,
        acceptChunks: this.opts.acceptChunks ?? false,
      });
      this.channel = channel;
      this.opts.transmit(channel.start());
    } catch (e) {
      return this.failFrom(e);
    }
    this.dispatch({ type: 'handshake-started' });
  }

  private failFrom(e: unknown): void {
    if (e instanceof ChannelError) return this.dispatch({ type: 'channel-error', code: e.code, detail: e.message });
    this.dispatch({ type: 'channel-error', code: null, detail: isCryptoError(e) ? e.code : 'unexpected error' });
  }

  private dropChannel(): void {
    this.channel?.close();
    this.channel = null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
