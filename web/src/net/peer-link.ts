/**
 * One WebRTC connection to one contact, through simple-peer. Signal data goes out through
 * `onSignal` (the server relays it); application frames travel only over the data channel.
 */
import SimplePeer from 'simple-peer';
import { parsePeerMsg, type PeerMsg, type SignalData, type IceServer } from '../../../shared/index';

export type LinkState =
  /** Offer/answer/ICE in progress. */
  | 'connecting'
  /** Data channel open, frames flow. */
  | 'ready'
  /** Closed normally or by the peer. */
  | 'closed'
  /** Could not connect or broke; a retry may follow. */
  | 'failed';

export interface PeerLinkOptions {
  peerName: string;
  cid: string;
  initiator: boolean;
  iceServers: IceServer[];
  onSignal: (data: SignalData) => void;
  onState: (state: LinkState) => void;
  onFrame: (msg: PeerMsg) => void;
  /** Give up if the channel is not open by then. */
  connectTimeoutMs?: number;
}

const decoder = new TextDecoder();

/** A random connection id, so the two sides can tell this attempt's signals from stale ones. */
export function newConnectionId(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export class PeerLink {
  readonly cid: string;
  readonly initiator: boolean;
  readonly peerName: string;
  state: LinkState = 'connecting';
  private readonly peer: SimplePeer.Instance;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(private readonly opts: PeerLinkOptions) {
    this.cid = opts.cid;
    this.initiator = opts.initiator;
    this.peerName = opts.peerName;
    // Always pass our own ICE list: simple-peer's default contains public STUN servers.
    this.peer = new SimplePeer({
      initiator: opts.initiator,
      trickle: true,
      config: { iceServers: opts.iceServers as RTCIceServer[] },
      channelName: 'peerchat',
    });
    this.peer.on('signal', (data: SignalData) => {
      if (this.state === 'connecting') opts.onSignal(data);
    });
    this.peer.on('connect', () => {
      clearTimeout(this.timer);
      this.setState('ready');
    });
    this.peer.on('data', (chunk: Uint8Array | string) => {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk);
      const msg = parsePeerMsg(text);
      // A malformed frame from a peer is dropped; it never reaches history or the screen.
      if (msg) opts.onFrame(msg);
    });
    this.peer.on('close', () => this.setState(this.state === 'ready' ? 'closed' : 'failed'));
    this.peer.on('error', () => this.setState('failed'));
    this.timer = setTimeout(() => {
      if (this.state === 'connecting') this.destroy('failed');
    }, opts.connectTimeoutMs ?? 20_000);
  }

  /** Feeds signal data from the peer (via the server) into the connection. */
  signal(data: SignalData): void {
    if (this.state !== 'connecting') return;
    try {
      this.peer.signal(data as SimplePeer.SignalData);
    } catch {
      this.destroy('failed');
    }
  }

  /** Sends a frame; false when the channel is not open (the caller keeps it in the outbox). */
  send(msg: PeerMsg): boolean {
    if (this.state !== 'ready') return false;
    try {
      this.peer.send(JSON.stringify(msg));
      return true;
    } catch {
      this.destroy('failed');
      return false;
    }
  }

  destroy(state: 'closed' | 'failed' = 'closed'): void {
    clearTimeout(this.timer);
    this.setState(state);
    this.peer.destroy();
  }

  private setState(s: LinkState): void {
    if (this.state === s || this.state === 'closed' || this.state === 'failed') return;
    this.state = s;
    this.opts.onState(s);
  }
}
