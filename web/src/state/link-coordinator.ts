/**
 * The links to devices: owns the PeerManager (one secure WebRTC link per device of a peer
 * account, our own other devices included), the peers state slice (per account: the best state
 * of its links), and the redial policy per link (when to dial again after a link ended). It
 * decides when a dial is allowed (no key change waiting for the person, secure retries left),
 * dials every online device of an account, and reports links coming up and going away to
 * whoever sends over them (outbox, transfers).
 */
import { usernameKey, type ClientMsg, type IceServer, type PeerMsg, type SignalData } from '../../../shared/index';
import type { PeerDevice } from '../../../shared/crypto/index';
import { PeerManager, convOfLinkKey, type PeerManagerOptions } from '../net/peer-manager';
import { SecurityFailure } from '../crypto/security-failure';
import { linkAdmitted, type KnownDevices } from '../../../shared/devices/device-admission';
import { RedialPolicy } from '../net/redial-policy';
import type { LinkFailure, LinkState, PeerLink } from '../net/peer-link';
import type { LocalDevice, PeerTrust } from '../net/local-device';
import type { SecurityService, SessionErrorCode } from './security';
import { Store } from './store';
import type { PeersState } from './contexts';

/** The code the conversation shows for a link that failed its security checks (else null). */
function sessionErrorOf(failure: LinkFailure | null): SessionErrorCode | null {
  if (failure === 'insecure') return 'SECURE_SESSION_FAILED';
  if (failure === 'no-key') return 'PEER_NO_KEY';
  return null;
}

const RANK: Record<LinkState, number> = { ready: 3, connecting: 2, failed: 1, closed: 0 };

/** What the coordinator uses of a PeerManager (tests hand in a fake). */
export type LinkManager = Pick<PeerManager, 'myName' | 'get' | 'linksOf' | 'readyLinksOf' | 'connect' | 'handleSignal' | 'handleUndeliverable' | 'peerOffline' | 'destroyAll'>;

export interface LinkCoordinatorDeps {
  security: SecurityService;
  /**
   * The account key this browser holds for the logged-in account (null: none held). My own
   * devices are verified with it and nothing else: never with a key the server publishes.
   */
  ownAccountKey(): Uint8Array | null;
  /**
   * The account's newest verified device list (mine: verified with the held key; a contact's:
   * the stored one), or null if none is known. A link to a device it no longer names is closed.
   */
  knownDevices(conv: string): KnownDevices | null;
  /** Makes the peer manager (a fake in tests). */
  createManager?(opts: PeerManagerOptions): LinkManager;
  sendSignal(msg: ClientMsg): boolean;
  /** This device as the handshake presents it (null: not logged in). */
  local(): LocalDevice | null;
  /** The highest device-list version seen for the account (0: none). */
  minListVersion(conv: string): Promise<number>;
  /** A handshake verified a peer account's device list: keep it if it is newer. */
  peerDevices(conv: string, peerName: string, peer: PeerDevice): void;
  /** The account is online (a redial timer dials only then). */
  isOnline(conv: string): boolean;
  /** The account's devices online now (empty: one from before devices). */
  onlineDevices(conv: string): readonly string[];
  /** A link's secure session is up (transfers resume, the outbox flushes). */
  linkReady(conv: string, link: PeerLink): void;
  /** No link to the account is up any more. */
  linkClosed(conv: string): void;
  onFrame(conv: string, msg: PeerMsg, link: PeerLink): void;
  onChunk(conv: string, body: Uint8Array): void;
}

export class LinkCoordinator {
  readonly peers = new Store<PeersState>({ links: new Map() });
  private manager: LinkManager | null = null;
  private readonly redials = new RedialPolicy((key, peerName) => {
    const conv = convOfLinkKey(key);
    if (this.deps.isOnline(conv) && !this.manager?.get(key)) this.redialWanted(peerName);
  });
  /** Set by the owner: a redial timer fired; dial if the account is still wanted. */
  redialWanted: (peerName: string) => void = () => {};

  constructor(private readonly deps: LinkCoordinatorDeps) {}

  /** Logged in: the peer manager exists from here on (an offer may come right after welcome). */
  attach(myName: string, iceServers: IceServer[]): void {
    if (this.manager) return;
    const { security } = this.deps;
    const make = this.deps.createManager ?? ((opts: PeerManagerOptions) => new PeerManager(opts));
    this.manager = make({
      myName,
      myDeviceId: () => this.deps.local()?.deviceId ?? null,
      iceServers,
      security: {
        local: () => {
          const local = this.deps.local();
          if (!local) throw new Error('no local device while logged in');
          return local;
        },
        peerKey: (name) => this.peerTrust(name, security, myName),
      },
      sendSignal: (m) => this.deps.sendSignal(m),
      onState: (conv, state, link) => this.onLinkState(conv, state, link),
      onFrame: (conv, msg, link) => {
        if (this.admitted(conv, link)) this.deps.onFrame(conv, msg, link);
      },
      onChunk: (conv, body, link) => {
        if (this.admitted(conv, link)) this.deps.onChunk(conv, body);
      },
    });
  }

  /** A link to one of the account's devices (a ready one first), in any state. */
  get(conv: string): PeerLink | undefined {
    const all = this.manager?.linksOf(conv) ?? [];
    return all.find((l) => l.state === 'ready') ?? all[0];
  }

  /** Closes every link to the account's devices. */
  dropAll(conv: string): void {
    for (const link of this.manager?.linksOf(conv) ?? []) link.destroy('closed');
  }

  /** A ready link to the account (the first one up), for what goes to one device. */
  readyLink(conv: string): PeerLink | undefined {
    return this.readyLinks(conv)[0];
  }

  /** Every ready link to the account's devices (those its newest known list still names). */
  readyLinks(conv: string): PeerLink[] {
    return (this.manager?.readyLinksOf(conv) ?? []).filter((l) => this.admitted(conv, l));
  }

  /**
   * The account's device list changed: a link to a device the newest list no longer names is
   * closed at once (nothing more goes to it or is taken from it).
   */
  devicesChanged(conv: string): void {
    for (const link of this.manager?.linksOf(conv) ?? []) {
      if (link.state === 'ready' && !this.admitted(conv, link)) {
        console.warn('Peerchat: closing the link to a device no longer in its account’s list');
        link.destroy('closed');
      }
    }
  }

  /** The ready link to one device (null: a peer from before devices). */
  deviceLink(conv: string, deviceId: string | null): PeerLink | undefined {
    return this.readyLinks(conv).find((l) => l.peerDeviceId === deviceId);
  }

  isReady(conv: string): boolean {
    return this.readyLinks(conv).length > 0;
  }

  /** Sends to every ready device of the account; true if at least one took it. */
  send(conv: string, msg: PeerMsg): boolean {
    let sent = false;
    for (const link of this.readyLinks(conv)) if (link.send(msg)) sent = true;
    return sent;
  }

  /**
   * Dials every online device of the account (our own: every other one), unless its key change
   * waits for the person, or secure retries ran out for that device.
   */
  dial(peerName: string): void {
    const conv = usernameKey(peerName);
    const manager = this.manager;
    if (!manager || this.deps.security.get(conv).pendingKey) return;
    const mine = this.deps.local()?.deviceId ?? null;
    const devices = this.deps.onlineDevices(conv).filter((d) => d !== mine);
    const own = conv === usernameKey(manager.myName);
    // Without the account key no device of ours can be verified: no link to them at all.
    if (own && !this.deps.ownAccountKey()) return;
    // An account whose connections name no device: one link, as before devices.
    const targets: (string | null)[] = devices.length > 0 ? devices : own ? [] : [null];
    for (const device of targets) {
      const key = `${conv}/${device ?? ''}`;
      if (this.redials.allowed(key)) manager.connect(peerName, device);
    }
  }

  /** "Retry" after a failed secure session: a fresh retry budget, and the banner cleared. */
  resetRetries(conv: string): void {
    for (const device of [null, ...this.deps.onlineDevices(conv)]) this.redials.reset(`${conv}/${device ?? ''}`);
    this.deps.security.setSessionError(conv, null);
  }

  handleSignal(from: string, fromDevice: string | undefined, cid: string, data: SignalData): void {
    const manager = this.manager;
    // An offer from "my own device" is answered only with the account key held here to check it.
    if (manager && usernameKey(from) === usernameKey(manager.myName) && (!fromDevice || !this.deps.ownAccountKey())) return;
    manager?.handleSignal(from, fromDevice, cid, data);
  }

  handleUndeliverable(to: string, toDevice: string | undefined, cid: string | undefined): void {
    this.manager?.handleUndeliverable(to, toDevice, cid);
  }

  peerOffline(conv: string, online?: readonly string[]): void {
    this.manager?.peerOffline(conv, online);
  }

  destroyAll(): void {
    this.manager?.destroyAll();
  }

  /** Logged out: every link closes and nothing is redialled. */
  teardown(): void {
    this.manager?.destroyAll();
    this.manager = null;
    this.redials.clear();
  }

  /** After teardown, once the rest of the account state is gone. */
  clearState(): void {
    this.peers.set({ links: new Map() });
  }

  /**
   * The key a peer's handshake is verified with. A contact's: the pinned key (the directory is
   * asked, a change waits for the person). My own devices': only the account key this browser
   * holds; a list the server made up for my name can never pass, and with no key held no link
   * to my devices comes up.
   */
  private async peerTrust(peerName: string, security: SecurityService, myName: string): Promise<PeerTrust> {
    const conv = usernameKey(peerName);
    if (conv === usernameKey(myName)) {
      const held = this.deps.ownAccountKey();
      if (!held) throw new SecurityFailure('no-key');
      return { accountKey: held.slice(), minVersion: await this.deps.minListVersion(conv) };
    }
    const [accountKey, minVersion] = await Promise.all([security.resolvePeerKey(peerName), this.deps.minListVersion(conv)]);
    return { accountKey, minVersion };
  }

  /** The link's verified device is still named by the account's newest known list. */
  private admitted(conv: string, link: PeerLink): boolean {
    const peer = link.session.peer;
    if (!peer) return true; // Not verified yet: judged once it is ready.
    return linkAdmitted(this.deps.knownDevices(conv), { deviceId: peer.deviceId, listVersion: peer.devices?.version ?? 0 });
  }

  private onLinkState(conv: string, state: LinkState, link: PeerLink): void {
    // Verified against a list older than one known since, which no longer names the device.
    if (state === 'ready' && !this.admitted(conv, link)) {
      console.warn('Peerchat: refused a link to a device no longer in its account’s list');
      link.destroy('closed');
      return;
    }
    const others = (this.manager?.linksOf(conv) ?? []).filter((l) => l !== link).map((l) => l.state);
    const best = [state, ...others].reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
    this.peers.update((p) => {
      const links = new Map(p.links);
      if (best === 'closed' || best === 'failed') links.delete(conv);
      else links.set(conv, best);
      return { links };
    });
    if (state === 'ready') {
      this.redials.reset(link.key);
      this.deps.security.setSessionError(conv, null);
      const peer = link.session.peer;
      if (peer) this.deps.peerDevices(conv, link.peerName, peer);
      this.deps.linkReady(conv, link);
    } else if (state === 'closed' || state === 'failed') {
      if (!others.includes('ready')) this.deps.linkClosed(conv);
      const failure = state === 'failed' ? link.failure : null;
      const shown = sessionErrorOf(failure);
      if (shown) {
        // Shown in the conversation at once (with "Retry").
        this.deps.security.setSessionError(conv, shown);
        // A handshake that fails against the pinned key may mean the contact's key changed
        // (never asked for my own account: its key is the one held here).
        if (conv !== usernameKey(this.manager?.myName ?? '')) void this.deps.security.recheck(link.peerName);
      }
      this.redials.ended(link.key, link.peerName, failure);
    }
  }
}
