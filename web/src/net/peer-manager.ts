/**
 * Keeps at most one live PeerLink per contact and routes relayed signal data to it
 * (shared/session/signal-routing.ts decides where a signal goes, including the glare rule).
 */
import { usernameKey, type PeerMsg, type SignalData, type IceServer, type ClientMsg } from '../../../shared/index';
import { routeSignal } from '../../../shared/session/signal-routing';
import { PeerLink, newConnectionId, type LinkSecurity, type LinkState } from './peer-link';

export interface PeerManagerOptions {
  myName: string;
  iceServers: IceServer[];
  /** Our identity and the contacts' pinned keys, for the end-to-end handshake on every link. */
  security: LinkSecurity;
  sendSignal: (msg: ClientMsg) => boolean;
  onState: (conv: string, state: LinkState, link: PeerLink) => void;
  onFrame: (conv: string, msg: PeerMsg, link: PeerLink) => void;
  /** File chunk frames (body after the kind byte). */
  onChunk?: (conv: string, body: Uint8Array, link: PeerLink) => void;
}

export class PeerManager {
  private readonly links = new Map<string, PeerLink>();
  private readonly myKey: string;

  constructor(private readonly opts: PeerManagerOptions) {
    this.myKey = usernameKey(opts.myName);
  }

  get(conv: string): PeerLink | undefined {
    return this.links.get(conv);
  }

  isReady(conv: string): boolean {
    return this.links.get(conv)?.state === 'ready';
  }

  /** Dials the contact unless a connection exists or is already being set up. */
  connect(peerName: string): void {
    const conv = usernameKey(peerName);
    const existing = this.links.get(conv);
    if (existing && (existing.state === 'connecting' || existing.state === 'ready')) return;
    this.create(peerName, newConnectionId(), true);
  }

  /** Signal data relayed by the server from `from`. */
  handleSignal(from: string, cid: string, data: SignalData): void {
    const conv = usernameKey(from);
    const link = this.links.get(conv);
    const summary = link && { cid: link.cid, initiator: link.initiator, connecting: link.state === 'connecting' };
    switch (routeSignal(summary, { cid, isOffer: data.type === 'offer' }, this.myKey, conv)) {
      case 'to-link':
        return link?.signal(data);
      case 'drop':
        return;
      case 'answer':
        // A new offer replaces whatever we had.
        link?.destroy('closed');
        this.create(from, cid, false).signal(data);
    }
  }

  /** The server could not relay to this peer: the attempt is dead. */
  handleUndeliverable(to: string, cid: string | undefined): void {
    const conv = usernameKey(to);
    const link = this.links.get(conv);
    if (link && (!cid || link.cid === cid) && link.state === 'connecting') link.destroy('failed');
  }

  /**
   * The server says the peer went offline. An open channel is kept (it is direct and may well
   * outlive the server connection); a half-built one cannot finish without signalling.
   */
  peerOffline(conv: string): void {
    const link = this.links.get(conv);
    if (link?.state === 'connecting') link.destroy('failed');
  }

  send(conv: string, msg: PeerMsg): boolean {
    return this.links.get(conv)?.send(msg) ?? false;
  }

  destroyAll(): void {
    for (const link of this.links.values()) link.destroy('closed');
    this.links.clear();
  }

  private create(peerName: string, cid: string, initiator: boolean): PeerLink {
    const conv = usernameKey(peerName);
    const link: PeerLink = new PeerLink({
      peerName,
      cid,
      initiator,
      iceServers: this.opts.iceServers,
      security: this.opts.security,
      onSignal: (data) => {
        if (!this.opts.sendSignal({ type: 'signal', to: peerName, cid, data })) {
          // Server unreachable mid-setup: this attempt cannot complete.
          if (link.state === 'connecting') link.destroy('failed');
        }
      },
      onState: (state) => {
        if (this.links.get(conv) !== link) return; // A replaced link's last words.
        if (state === 'closed' || state === 'failed') this.links.delete(conv);
        this.opts.onState(conv, state, link);
      },
      onFrame: (msg) => {
        if (this.links.get(conv) === link) this.opts.onFrame(conv, msg, link);
      },
      ...(this.opts.onChunk
        ? {
            onChunk: (body: Uint8Array) => {
              if (this.links.get(conv) === link) this.opts.onChunk?.(conv, body, link);
            },
          }
        : {}),
    });
    this.links.set(conv, link);
    this.opts.onState(conv, 'connecting', link);
    return link;
  }
}
