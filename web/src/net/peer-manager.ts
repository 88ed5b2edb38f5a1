/**
 * Keeps at most one live PeerLink per device of a peer account, keyed `${usernameKey}/${deviceId}`
 * (the device id is empty for a peer from before devices, which the server names no device for),
 * and routes relayed signal data to it (shared/session/signal-routing.ts decides where a signal
 * goes, including the glare rule). Signals to a device carry `toDevice`; the server stamps
 * `fromDevice` on what it relays, so answers come back to the right link.
 */
import { usernameKey, type PeerMsg, type SignalData, type IceServer, type ClientMsg } from '../../../shared/index';
import { routeSignal } from '../../../shared/session/signal-routing';
import { PeerLink, newConnectionId, type LinkSecurity, type LinkState } from './peer-link';
import { convOfLinkKey, linkKey } from './link-key';

export { convOfLinkKey, linkKey } from './link-key';

export interface PeerManagerOptions {
  myName: string;
  /** This device's id as the server knows it (null: we sent none), for the glare rule between our own devices. */
  myDeviceId: () => string | null;
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

  get myName(): string {
    return this.opts.myName;
  }

  constructor(private readonly opts: PeerManagerOptions) {
    this.myKey = usernameKey(opts.myName);
  }

  /** The link to one device (by link key). */
  get(key: string): PeerLink | undefined {
    return this.links.get(key);
  }

  isReady(key: string): boolean {
    return this.links.get(key)?.state === 'ready';
  }

  /** Every link to a device of the account `conv`. */
  linksOf(conv: string): PeerLink[] {
    const out: PeerLink[] = [];
    for (const [key, link] of this.links) if (convOfLinkKey(key) === conv) out.push(link);
    return out;
  }

  /** The links to `conv`'s devices whose secure session is up. */
  readyLinksOf(conv: string): PeerLink[] {
    return this.linksOf(conv).filter((l) => l.state === 'ready');
  }

  /** Dials one device of the peer (null: whichever the server picks, a peer from before devices) unless a link exists or is being set up. */
  connect(peerName: string, deviceId: string | null): void {
    const existing = this.links.get(linkKey(usernameKey(peerName), deviceId));
    if (existing && (existing.state === 'connecting' || existing.state === 'ready')) return;
    this.create(peerName, deviceId, newConnectionId(), true);
  }

  /** Signal data relayed by the server from `from` (device `fromDevice`, if it named one). */
  handleSignal(from: string, fromDevice: string | undefined, cid: string, data: SignalData): void {
    const conv = usernameKey(from);
    const device = fromDevice ?? null;
    const key = linkKey(conv, device);
    const link = this.links.get(key);
    const summary = link && { cid: link.cid, initiator: link.initiator, connecting: link.state === 'connecting' };
    // Between two devices of one account the names tie; the device ids break it.
    const [mine, theirs] = conv === this.myKey ? [this.opts.myDeviceId() ?? '', device ?? ''] : [this.myKey, conv];
    switch (routeSignal(summary, { cid, isOffer: data.type === 'offer' }, mine, theirs)) {
      case 'to-link':
        return link?.signal(data);
      case 'drop':
        return;
      case 'answer':
        // A new offer replaces whatever we had.
        link?.destroy('closed');
        this.create(from, device, cid, false).signal(data);
    }
  }

  /** The server could not relay to this peer (device): the attempt is dead. */
  handleUndeliverable(to: string, toDevice: string | undefined, cid: string | undefined): void {
    const conv = usernameKey(to);
    const targets = toDevice !== undefined ? [this.links.get(linkKey(conv, toDevice))] : this.linksOf(conv);
    for (const link of targets) if (link && (!cid || link.cid === cid) && link.state === 'connecting') link.destroy('failed');
  }

  /**
   * The server says devices of the peer went offline (`online`: the ones still online; absent:
   * all gone). An open channel is kept (it is direct and may well outlive the server
   * connection); a half-built one cannot finish without signalling.
   */
  peerOffline(conv: string, online?: readonly string[]): void {
    for (const link of this.linksOf(conv)) {
      if (online && link.peerDeviceId !== null && online.includes(link.peerDeviceId)) continue;
      if (link.state === 'connecting') link.destroy('failed');
    }
  }

  send(key: string, msg: PeerMsg): boolean {
    return this.links.get(key)?.send(msg) ?? false;
  }

  destroyAll(): void {
    for (const link of this.links.values()) link.destroy('closed');
    this.links.clear();
  }

  private create(peerName: string, deviceId: string | null, cid: string, initiator: boolean): PeerLink {
    const conv = usernameKey(peerName);
    const key = linkKey(conv, deviceId);
    const link: PeerLink = new PeerLink({
      peerName,
      peerDeviceId: deviceId,
      cid,
      initiator,
      iceServers: this.opts.iceServers,
      security: this.opts.security,
      onSignal: (data) => {
        const msg: ClientMsg = deviceId ? { type: 'signal', to: peerName, toDevice: deviceId, cid, data } : { type: 'signal', to: peerName, cid, data };
        if (!this.opts.sendSignal(msg)) {
          // Server unreachable mid-setup: this attempt cannot complete.
          if (link.state === 'connecting') link.destroy('failed');
        }
      },
      onState: (state) => {
        if (this.links.get(key) !== link) return; // A replaced link's last words.
        if (state === 'closed' || state === 'failed') this.links.delete(key);
        this.opts.onState(conv, state, link);
      },
      onFrame: (msg) => {
        if (this.links.get(key) === link) this.opts.onFrame(conv, msg, link);
      },
      ...(this.opts.onChunk
        ? {
            onChunk: (body: Uint8Array) => {
              if (this.links.get(key) === link) this.opts.onChunk?.(conv, body, link);
            },
          }
        : {}),
    });
    this.links.set(key, link);
    this.opts.onState(conv, 'connecting', link);
    return link;
  }
}
