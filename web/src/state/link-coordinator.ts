/**
 * The links to contacts: owns the PeerManager (one secure WebRTC link per contact), the peers
 * state slice, and the redial policy (when to dial again after a link ended). It decides when a
 * dial is allowed (no key change waiting for the person, secure retries left) and reports links
 * coming up and going away to whoever sends over them (outbox, transfers).
 */
import { usernameKey, type ClientMsg, type IceServer, type PeerMsg, type SignalData } from '../../../shared/index';
import type { IdentityKeyPair } from '../../../shared/crypto/index';
import { PeerManager } from '../net/peer-manager';
import { RedialPolicy } from '../net/redial-policy';
import type { LinkFailure, LinkState, PeerLink } from '../net/peer-link';
import type { SecurityService, SessionErrorCode } from './security';
import { Store } from './store';
import type { PeersState } from './contexts';

/** The code the conversation shows for a link that failed its security checks (else null). */
function sessionErrorOf(failure: LinkFailure | null): SessionErrorCode | null {
  if (failure === 'insecure') return 'SECURE_SESSION_FAILED';
  if (failure === 'no-key') return 'PEER_NO_KEY';
  return null;
}

export interface LinkCoordinatorDeps {
  security: SecurityService;
  sendSignal(msg: ClientMsg): boolean;
  /** The contact is online (a redial timer dials only then). */
  isOnline(conv: string): boolean;
  /** A link's secure session is up (transfers resume, the outbox flushes). */
  linkReady(conv: string, link: PeerLink): void;
  /** A link closed or failed. */
  linkClosed(conv: string): void;
  onFrame(conv: string, msg: PeerMsg, link: PeerLink): void;
  onChunk(conv: string, body: Uint8Array): void;
}

export class LinkCoordinator {
  readonly peers = new Store<PeersState>({ links: new Map() });
  private manager: PeerManager | null = null;
  private readonly redials = new RedialPolicy((conv, peerName) => {
    if (this.deps.isOnline(conv) && !this.manager?.get(conv)) this.redialWanted(peerName);
  });
  /** Set by the owner: a redial timer fired; dial if the contact is still wanted. */
  redialWanted: (peerName: string) => void = () => {};

  constructor(private readonly deps: LinkCoordinatorDeps) {}

  /** Logged in: the peer manager exists from here on (an offer may come right after welcome). */
  attach(myName: string, iceServers: IceServer[], identity: IdentityKeyPair): void {
    if (this.manager) return;
    const security = this.deps.security;
    this.manager = new PeerManager({
      myName,
      iceServers,
      security: { myName, identity, peerKey: (name) => security.resolvePeerKey(name) },
      sendSignal: (m) => this.deps.sendSignal(m),
      onState: (conv, state, link) => this.onLinkState(conv, state, link),
      onFrame: (conv, msg, link) => this.deps.onFrame(conv, msg, link),
      onChunk: (conv, body) => this.deps.onChunk(conv, body),
    });
  }

  get(conv: string): PeerLink | undefined {
    return this.manager?.get(conv);
  }

  isReady(conv: string): boolean {
    return this.manager?.isReady(conv) ?? false;
  }

  /** The link to the contact while its secure session is up. */
  readyLink(conv: string): PeerLink | undefined {
    return this.manager?.isReady(conv) ? this.manager.get(conv) : undefined;
  }

  send(conv: string, msg: PeerMsg): boolean {
    return this.manager?.send(conv, msg) ?? false;
  }

  /** Dials unless the contact's key change waits for the person, or secure retries ran out. */
  dial(peerName: string): void {
    const conv = usernameKey(peerName);
    if (this.deps.security.get(conv).pendingKey) return;
    if (!this.redials.allowed(conv)) return;
    this.manager?.connect(peerName);
  }

  /** "Retry" after a failed secure session: a fresh retry budget, and the banner cleared. */
  resetRetries(conv: string): void {
    this.redials.reset(conv);
    this.deps.security.setSessionError(conv, null);
  }

  handleSignal(from: string, cid: string, data: SignalData): void {
    this.manager?.handleSignal(from, cid, data);
  }

  handleUndeliverable(to: string, cid: string | undefined): void {
    this.manager?.handleUndeliverable(to, cid);
  }

  peerOffline(conv: string): void {
    this.manager?.peerOffline(conv);
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

  private onLinkState(conv: string, state: LinkState, link: PeerLink): void {
    this.peers.update((p) => {
      const links = new Map(p.links);
      if (state === 'closed' || state === 'failed') links.delete(conv);
      else links.set(conv, state);
      return { links };
    });
    if (state === 'ready') {
      this.redials.reset(conv);
      this.deps.security.setSessionError(conv, null);
      this.deps.linkReady(conv, link);
    } else if (state === 'closed' || state === 'failed') {
      this.deps.linkClosed(conv);
      const failure = state === 'failed' ? link.failure : null;
      const shown = sessionErrorOf(failure);
      if (shown) {
        // Shown in the conversation at once (with "Retry").
        this.deps.security.setSessionError(conv, shown);
        // A handshake that fails against the pinned key may mean the contact's key changed.
        void this.deps.security.recheck(link.peerName);
      }
      this.redials.ended(conv, link.peerName, failure);
    }
  }
}
