/**
 * One WebRTC connection to one contact, through simple-peer. Signal data goes out through
 * `onSignal` (the server relays it); application frames travel only over the data channel, and
 * only sealed: a SecureSession runs the end-to-end handshake when the channel opens, and the
 * link becomes 'ready' only once that session is verified.
 */
import SimplePeer from 'simple-peer';
import { parseSdpFingerprints, type IdentityKeyPair } from '../../../shared/crypto/index';
import type { PeerMsg, SignalData, IceServer } from '../../../shared/index';
import { SecurityFailure } from '../crypto/security-failure';
import { SecureSession, type SessionFailure } from './secure-session';

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

export interface LinkSecurity {
  myName: string;
  identity: IdentityKeyPair;
  /** Resolves the contact's pinned key (rejects with SecurityFailure). Called once per link. */
  peerKey: (peerName: string) => Promise<Uint8Array>;
}

export interface PeerLinkOptions {
  peerName: string;
  cid: string;
  initiator: boolean;
  iceServers: IceServer[];
  security: LinkSecurity;
  onSignal: (data: SignalData) => void;
  onState: (state: LinkState) => void;
  onFrame: (msg: PeerMsg) => void;
  /** Issue 4: receive chunk frames (bodies sealed with a file key from `session.keys`). */
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

function failureOf(why: SessionFailure): LinkFailure {
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

export class PeerLink {
  readonly cid: string;
  readonly initiator: boolean;
  readonly peerName: string;
  state: LinkState = 'connecting';
  /** Set when the link fails: why (see LinkFailure). */
  failure: LinkFailure | null = null;
  /** The end-to-end session on this link's data channel (file transfers reach its keys here). */
  readonly session: SecureSession;
  private readonly peer: SimplePeer.Instance;
  private readonly timer: ReturnType<typeof setTimeout>;
  private iceConnected = false;
  private channelOpen = false;

  constructor(private readonly opts: PeerLinkOptions) {
    this.cid = opts.cid;
    this.initiator = opts.initiator;
    this.peerName = opts.peerName;
    // The contact's key is looked up while ICE runs; a key change ends the attempt at once.
    const peerKey = opts.security.peerKey(opts.peerName);
    this.session = new SecureSession({
      role: opts.initiator ? 'initiator' : 'responder',
      myName: opts.security.myName,
      peerName: opts.peerName,
      identity: opts.security.identity,
      peerKey,
      transmit: (frame) => this.transmit(frame),
      onEstablished: () => this.setState('ready'),
      onMessage: (msg) => opts.onFrame(msg),
      onFailure: (why) => this.fail(failureOf(why)),
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
      // Before the channel opens, a key problem ends the attempt right away (after it, the
      // session reports it). A missing answer from the server is left to the session's deadline.
      if (!this.channelOpen && err instanceof SecurityFailure && err.reason !== 'unreachable') this.fail(failureOf(err.reason));
    });
    this.peer.on('signal', (data: SignalData) => {
      if (this.state === 'connecting') opts.onSignal(data);
    });
    this.peer.on('iceStateChange', (ice: string) => {
      if (ice === 'connected' || ice === 'completed') this.iceConnected = true;
    });
    this.peer.on('connect', () => {
      clearTimeout(this.timer);
      this.channelOpen = true;
      const pc = (this.peer as unknown as { _pc?: RTCPeerConnection })._pc;
      // From here on, messages go straight from the channel to the session: simple-peer would
      // wrap each in a Buffer and pass it through a stream, which costs CPU on the file-transfer
      // hot path. Everything before this point still arrives through the 'data' event below.
      const ch = (this.peer as unknown as { _channel?: RTCDataChannel })._channel;
      if (ch) ch.onmessage = (ev: MessageEvent<unknown>) => this.session.receive(ev.data);
      // The fingerprints of the descriptions actually applied, not of what was relayed to us.
      this.session.begin({
        local: pc?.localDescription ? parseSdpFingerprints(pc.localDescription.sdp) : null,
        remote: pc?.remoteDescription ? parseSdpFingerprints(pc.remoteDescription.sdp) : null,
      });
    });
    // Every message goes to the session; only what opens under it reaches onFrame.
    this.peer.on('data', (data: unknown) => this.session.receive(data));
    this.peer.on('close', () => (this.state === 'ready' ? this.destroy('closed') : this.fail(this.failure ?? 'network')));
    this.peer.on('error', (err: Error & { code?: string }) => this.fail(this.dtlsFailed(err) ? 'insecure' : 'network'));
    this.timer = setTimeout(() => {
      if (this.state === 'connecting') this.fail('network');
    }, opts.connectTimeoutMs ?? 20_000);
  }

  /**
   * ICE reached the peer but the connection failed before the channel opened: DTLS did not
   * accept the certificate the SDP announced (e.g. a server rewrote the fingerprints).
   */
  private dtlsFailed(err: Error & { code?: string }): boolean {
    const pc = (this.peer as unknown as { _pc?: RTCPeerConnection })._pc;
    if (pc?.sctp?.transport.state === 'failed') return true;
    return err.code === 'ERR_CONNECTION_FAILURE' && this.iceConnected && !this.channelOpen;
  }

  /** Feeds signal data from the peer (via the server) into the connection. */
  signal(data: SignalData): void {
    if (this.state !== 'connecting') return;
    try {
      this.peer.signal(data as SimplePeer.SignalData);
    } catch {
      this.fail('network');
    }
  }

  /**
   * The raw data channel while the link is ready (issue 4: the send pump puts already sealed
   * chunk frames on it and watches bufferedAmount), else null.
   */
  get channel(): RTCDataChannel | null {
    if (this.state !== 'ready') return null;
    return (this.peer as unknown as { _channel?: RTCDataChannel })._channel ?? null;
  }

  /** Sends a frame, sealed; false unless the secure session is up (the caller keeps it in the outbox). */
  send(msg: PeerMsg): boolean {
    if (this.state !== 'ready') return false;
    return this.session.send(msg) && this.state === 'ready';
  }

  destroy(state: 'closed' | 'failed' = 'closed'): void {
    clearTimeout(this.timer);
    this.session.close();
    this.setState(state);
    this.peer.destroy();
  }

  /** Tears the connection down, remembering why (the first reason wins). */
  private fail(why: LinkFailure): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    this.failure ??= why;
    this.destroy('failed');
  }

  private transmit(frame: Uint8Array): void {
    try {
      this.peer.send(frame);
    } catch {
      this.fail('network');
    }
  }

  private setState(s: LinkState): void {
    if (this.state === s || this.state === 'closed' || this.state === 'failed') return;
    this.state = s;
    this.opts.onState(s);
  }
}
