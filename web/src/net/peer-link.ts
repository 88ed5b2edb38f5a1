/**
 * One WebRTC connection to one contact, through simple-peer. Signal data goes out through
 * `onSignal` (the server relays it); application frames travel only over the data channel, and
 * only sealed: a SecureSession runs the end-to-end handshake when the channel opens, and the
 * link becomes 'ready' only once that session is verified. The link's lifecycle is the pure
 * machine in shared/session/peer-link-machine.ts; this class runs its effects.
 */
import SimplePeer from 'simple-peer';
import { parseSdpFingerprints } from '../../../shared/crypto/index';
import { usernameKey, type PeerMsg, type SignalData, type IceServer } from '../../../shared/index';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  initialLinkState,
  stepLink,
  type LinkEffect,
  type LinkEvent,
  type LinkFailure,
  type LinkMachineState,
  type LinkState,
} from '../../../shared/session/peer-link-machine';
import { SecurityFailure } from '../crypto/security-failure';
import { SecureSession } from './secure-session';
import type { LocalDevice, PeerTrust } from './local-device';
import { linkKey } from './link-key';

export type { LinkFailure, LinkState } from '../../../shared/session/peer-link-machine';

export interface LinkSecurity {
  /** This device, as the handshake presents it (read once per link). */
  local: () => LocalDevice;
  /** Resolves the peer account's pinned key and newest list version seen (rejects with SecurityFailure). Called once per link. */
  peerKey: (peerName: string) => Promise<PeerTrust>;
}

export interface PeerLinkOptions {
  peerName: string;
  /** The peer device this link is to (signalled), or null when the peer named none. */
  peerDeviceId: string | null;
  cid: string;
  initiator: boolean;
  iceServers: IceServer[];
  security: LinkSecurity;
  onSignal: (data: SignalData) => void;
  onState: (state: LinkState) => void;
  onFrame: (msg: PeerMsg) => void;
  /** Receive chunk frames (bodies sealed with a file key from `session.keys`). */
  onChunk?: (body: Uint8Array) => void;
  /** Give up if the channel is not open by then. */
  connectTimeoutMs?: number;
}

/** A random connection id, so the two sides can tell this attempt's signals from stale ones. */
export function newConnectionId(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** simple-peer's internals this link reaches: the peer connection and the data channel. */
interface SimplePeerInternals {
  _pc?: RTCPeerConnection;
  _channel?: RTCDataChannel;
}

export class PeerLink {
  readonly cid: string;
  readonly initiator: boolean;
  readonly peerName: string;
  readonly peerDeviceId: string | null;
  /** linkKey(usernameKey(peerName), peerDeviceId): this link's key in the peer manager. */
  readonly key: string;
  /** The end-to-end session on this link's data channel (file transfers reach its keys here). */
  readonly session: SecureSession;
  private machine: LinkMachineState = initialLinkState();
  private readonly peer: SimplePeer.Instance;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(private readonly opts: PeerLinkOptions) {
    this.cid = opts.cid;
    this.initiator = opts.initiator;
    this.peerName = opts.peerName;
    this.peerDeviceId = opts.peerDeviceId;
    this.key = linkKey(usernameKey(opts.peerName), opts.peerDeviceId);
    // The contact's key is looked up while ICE runs; a key change ends the attempt at once.
    const peerKey = opts.security.peerKey(opts.peerName);
    this.session = new SecureSession({
      role: opts.initiator ? 'initiator' : 'responder',
      local: opts.security.local(),
      peerName: opts.peerName,
      peerKey,
      peerDeviceId: opts.peerDeviceId,
      transmit: (frame) => this.transmit(frame),
      onEstablished: () => this.dispatch({ type: 'session-established' }),
      onMessage: (msg) => opts.onFrame(msg),
      onFailure: (why, detail) => {
        // The UI shows the outcome (the link's failure); the log keeps the cause.
        console.warn(`secure session failed: ${why} (${detail})`);
        this.dispatch({ type: 'session-failed', why });
      },
      ...(opts.onChunk ? { onChunk: opts.onChunk, acceptChunks: true } : {}),
    });
    // Always pass our own ICE list: simple-peer's default contains public STUN servers.
    // objectMode keeps each data-channel message whole and tells text from binary.
    this.peer = new SimplePeer({
      initiator: opts.initiator,
      trickle: true,
      objectMode: true,
      config: { iceServers: opts.iceServers as RTCIceServer[] },
      channelName: 'peerchat',
    });
    peerKey.catch((err: unknown) => {
      if (err instanceof SecurityFailure) this.dispatch({ type: 'peer-key-failed', why: err.reason });
    });
    this.peer.on('signal', (data: SignalData) => {
      if (this.state === 'connecting') opts.onSignal(data);
    });
    this.peer.on('iceStateChange', (ice: string) => {
      if (ice === 'connected' || ice === 'completed') this.dispatch({ type: 'ice-connected' });
    });
    this.peer.on('connect', () => this.dispatch({ type: 'channel-open' }));
    // Every message goes to the session; only what opens under it reaches onFrame.
    this.peer.on('data', (data: unknown) => this.session.receive(data));
    this.peer.on('close', () => this.dispatch({ type: 'transport-closed' }));
    this.peer.on('error', (err: Error & { code?: string }) =>
      this.dispatch({
        type: 'transport-error',
        sctpFailed: this.internals._pc?.sctp?.transport.state === 'failed',
        connectionFailure: err.code === 'ERR_CONNECTION_FAILURE',
      }),
    );
    this.timer = setTimeout(() => this.dispatch({ type: 'connect-timeout' }), opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  }

  get state(): LinkState {
    return this.machine.state;
  }

  /** Set when the link fails: why (see LinkFailure). */
  get failure(): LinkFailure | null {
    return this.machine.failure;
  }

  /** Feeds signal data from the peer (via the server) into the connection. */
  signal(data: SignalData): void {
    if (this.state !== 'connecting') return;
    try {
      this.peer.signal(data as SimplePeer.SignalData);
    } catch (e) {
      console.warn('peer link: signal data rejected', e instanceof Error ? e.name : e);
      this.dispatch({ type: 'transport-broken' });
    }
  }

  /**
   * The raw data channel while the link is ready (the file send pump puts already sealed chunk
   * frames on it and watches bufferedAmount), else null.
   */
  get channel(): RTCDataChannel | null {
    if (this.state !== 'ready') return null;
    return this.internals._channel ?? null;
  }

  /** Sends a frame, sealed; false unless the secure session is up (the caller keeps it in the outbox). */
  send(msg: PeerMsg): boolean {
    if (this.state !== 'ready') return false;
    return this.session.send(msg) && this.state === 'ready';
  }

  destroy(state: 'closed' | 'failed' = 'closed'): void {
    this.dispatch({ type: 'destroy', as: state });
  }

  private get internals(): SimplePeerInternals {
    return this.peer as unknown as SimplePeerInternals;
  }

  private dispatch(event: LinkEvent): void {
    const { state, effects } = stepLink(this.machine, event);
    this.machine = state;
    for (const effect of effects) this.run(effect);
  }

  private run(effect: LinkEffect): void {
    switch (effect.type) {
      case 'clear-timer':
        return clearTimeout(this.timer);
      case 'begin-session':
        return this.beginSession();
      case 'close-session':
        return this.session.close();
      case 'state':
        return this.opts.onState(effect.state);
      case 'destroy-transport':
        return this.peer.destroy();
    }
  }

  private beginSession(): void {
    const { _pc: pc, _channel: ch } = this.internals;
    // From here on, messages go straight from the channel to the session: simple-peer would
    // wrap each in a Buffer and pass it through a stream, which costs CPU on the file-transfer
    // hot path. Everything before this point still arrives through the 'data' event.
    if (ch) ch.onmessage = (ev: MessageEvent<unknown>) => this.session.receive(ev.data);
    // The fingerprints of the descriptions actually applied, not of what was relayed to us.
    this.session.begin({
      local: pc?.localDescription ? parseSdpFingerprints(pc.localDescription.sdp) : null,
      remote: pc?.remoteDescription ? parseSdpFingerprints(pc.remoteDescription.sdp) : null,
    });
  }

  private transmit(frame: Uint8Array): void {
    try {
      this.peer.send(frame);
    } catch (e) {
      console.warn('peer link: send failed', e instanceof Error ? e.name : e);
      this.dispatch({ type: 'transport-broken' });
    }
  }
}
