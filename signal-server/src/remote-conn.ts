/**
 * A stand-in for a logged-in connection held by another instance. It sits in the presence map
 * beside the local connections, so relaying code finds it like any connection; what it is sent
 * (a relayed frame, `logged-out`) and a close go over the bus to the instance holding the socket.
 * It is never sent broadcasts: cluster-presence.ts leaves it out of `allConnections()`.
 */
import type WebSocket from 'ws';
import { Conn, type ConnUser } from './connection';
import type { Logger } from './logger';
import type { TokenBucket } from './rate-limit';

/** Sends to a connection on another instance (redis-bus.ts). */
export interface RemoteLink {
  deliverTo(instance: string, connId: string, frame: string): void;
  closeRemote(instance: string, connId: string, code: number, reason: string): void;
}

export class RemoteConn extends Conn {
  constructor(
    /** The instance holding the socket. */
    readonly instance: string,
    /** The connection's id on that instance. */
    id: string,
    user: ConnUser,
    private readonly link: RemoteLink,
    logger: Logger,
  ) {
    // No socket and no frame budget here: frames from this connection arrive at its own instance.
    super(id, '', null as unknown as WebSocket, null as unknown as TokenBucket, Number.MAX_SAFE_INTEGER, logger);
    this.user = user;
  }

  override get remote(): boolean {
    return true;
  }

  override get isOpen(): boolean {
    return !this.closing;
  }

  override sendRaw(json: string): boolean {
    if (this.closing) return false;
    this.link.deliverTo(this.instance, this.id, json);
    return true;
  }

  override close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.link.closeRemote(this.instance, this.id, code, reason);
  }

  override terminate(): void {
    this.close(1001, 'ended by another instance');
  }
}
