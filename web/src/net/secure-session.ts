/**
 * The end-to-end layer between a PeerLink's data channel and the chat frames: it runs the inner
 * handshake (shared/secure-channel.ts) as soon as the channel opens, under a deadline, then
 * seals every outgoing frame and opens every incoming one. Any failure — the peer's key cannot
 * be resolved, the handshake does not verify, a frame does not open, the deadline passes — is
 * reported once through `onFailure`; the link then tears the connection down. Nothing from a
 * frame that failed ever reaches `onMessage`.
 *
 * Seam for file transfers (issue 4): `keys` gives the session keys for deriveFileKey(), and
 * `sendChunk`/`onChunk` carry separately sealed chunk frames (enable with `acceptChunks`).
 */
import type { PeerMsg } from '../../../shared/index';
import type { HandshakeRole, IdentityKeyPair, SessionKeys } from '../../../shared/crypto/index';
import { ChannelError, createSecureChannel, type SecureChannel } from '../../../shared/secure-channel';
import { isCryptoError } from '../../../shared/crypto/index';
import { SecurityFailure, type SecurityFailureReason } from '../crypto/security-failure';

export type SessionFailure =
  | SecurityFailureReason
  /** The handshake did not verify: wrong key, rewritten DTLS fingerprints, bad frame. */
  | 'handshake'
  /** A sealed frame did not open (tampered, replayed, reordered, dropped). */
  | 'rejected'
  /** A frame that is never valid at that point. */
  | 'protocol'
  /** No secure session within the deadline. */
  | 'timeout';

export interface SecureSessionOptions {
  /** The simple-peer initiator is the handshake initiator. */
  role: HandshakeRole;
  myName: string;
  peerName: string;
  identity: IdentityKeyPair;
  /** The contact's pinned key; rejects with SecurityFailure. Started early, awaited on open. */
  peerKey: Promise<Uint8Array>;
  /** Puts one binary message on the data channel. */
  transmit: (frame: Uint8Array) => void;
  onEstablished: () => void;
  onMessage: (msg: PeerMsg) => void;
  onFailure: (why: SessionFailure, detail: string) => void;
  /** Issue 4: chunk frames (their bodies are sealed with a file key, not by this layer). */
  onChunk?: (body: Uint8Array) => void;
  acceptChunks?: boolean;
  /** From channel open to a verified session. Default 10 s. */
  deadlineMs?: number;
}

export type SecureSessionState = 'idle' | 'resolving' | 'handshaking' | 'established' | 'failed' | 'closed';

/** The peer's hello may arrive before our own 'connect' event; a few frames wait for us. */
const MAX_EARLY_FRAMES = 4;

export class SecureSession {
  state: SecureSessionState = 'idle';
  private channel: SecureChannel | null = null;
  private early: unknown[] = [];
  private deadline: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: SecureSessionOptions) {}

  /** The session keys while established (for file chunk keys); null otherwise. */
  get keys(): SessionKeys | null {
    return this.state === 'established' ? (this.channel?.keys ?? null) : null;
  }

  /**
   * The data channel is open. `fingerprints` are parsed from the local and remote descriptions
   * actually applied to the RTCPeerConnection.
   */
  begin(fingerprints: { local: string | null; remote: string | null }): void {
    if (this.state !== 'idle') return;
    this.state = 'resolving';
    this.deadline = setTimeout(() => this.fail('timeout', 'no secure session in time'), this.opts.deadlineMs ?? 10_000);
    void this.opts.peerKey.then(
      (peerKey) => this.startHandshake(peerKey, fingerprints),
      (err: unknown) => this.fail(err instanceof SecurityFailure ? err.reason : 'unreachable', 'peer key unavailable'),
    );
  }

  /** One message from the data channel. */
  receive(data: unknown): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    if (!this.channel) {
      if (this.early.length >= MAX_EARLY_FRAMES) return this.fail('protocol', 'too many frames before the handshake');
      this.early.push(data);
      return;
    }
    let r;
    try {
      r = this.channel.receive(data);
    } catch (e) {
      return this.failFrom(e);
    }
    for (const f of r.send) this.opts.transmit(f);
    if (r.established) {
      clearTimeout(this.deadline);
      this.state = 'established';
      this.opts.onEstablished();
    }
    if (r.message) this.opts.onMessage(r.message);
    if (r.chunk) this.opts.onChunk?.(r.chunk);
    if (this.channel.state === 'closed') this.close();
  }

  /** Seals and sends a chat/control frame; false unless the session is established. */
  send(msg: PeerMsg): boolean {
    if (this.state !== 'established' || !this.channel) return false;
    let frame: Uint8Array;
    try {
      frame = this.channel.seal(msg);
    } catch {
      return false;
    }
    this.opts.transmit(frame);
    return true;
  }

  /** Sends a chunk body sealed by the caller (issue 4); false unless established. */
  sendChunk(body: Uint8Array): boolean {
    if (this.state !== 'established' || !this.channel) return false;
    this.opts.transmit(this.channel.sealChunk(body));
    return true;
  }

  /** Ends the session and wipes its keys (the link is closing). No failure is reported. */
  close(): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    this.state = 'closed';
    this.cleanup();
  }

  private startHandshake(peerKey: Uint8Array, fp: { local: string | null; remote: string | null }): void {
    if (this.state !== 'resolving') return;
    if (!fp.local || !fp.remote) return this.fail('handshake', 'no DTLS fingerprint in the applied SDP');
    try {
      this.channel = createSecureChannel({
        role: this.opts.role,
        myName: this.opts.myName,
        peerName: this.opts.peerName,
        myIdentity: this.opts.identity,
        peerIdentityKey: peerKey,
        myFingerprint: fp.local,
        peerFingerprint: fp.remote,
        acceptChunks: this.opts.acceptChunks ?? false,
      });
      this.state = 'handshaking';
      this.opts.transmit(this.channel.start());
    } catch (e) {
      return this.failFrom(e);
    }
    const early = this.early;
    this.early = [];
    for (const data of early) this.receive(data);
  }

  private failFrom(e: unknown): void {
    if (e instanceof ChannelError) {
      const why: SessionFailure = e.code === 'SEAL_REJECTED' ? 'rejected' : e.code === 'HANDSHAKE_FAILED' ? 'handshake' : 'protocol';
      return this.fail(why, e.message);
    }
    this.fail('handshake', isCryptoError(e) ? e.code : 'unexpected error');
  }

  private fail(why: SessionFailure, detail: string): void {
    if (this.state === 'failed' || this.state === 'closed') return;
    this.state = 'failed';
    this.cleanup();
    this.opts.onFailure(why, detail);
  }

  private cleanup(): void {
    clearTimeout(this.deadline);
    this.early = [];
    this.channel?.close();
    this.channel = null;
  }
}
