/**
 * One client WebSocket and its per-connection state. Sending goes through {@link Conn.send},
 * which refuses to buffer without bound: a client that does not read its socket is dropped.
 */
import WebSocket from 'ws';
import type { ServerMsg } from '../../shared/signal-protocol';
import type { ErrorCode } from '../../shared/errors';
import { errorFrame } from '../../shared/signal-protocol';
import type { TokenBucket } from './rate-limit';
import type { Logger } from './logger';

export interface ConnUser {
  /** usernameKey (lower case). */
  key: string;
  /** Display form. */
  username: string;
  /** SHA-256 of the session token this connection logged in with. */
  tokenHash: string;
  /** The device this connection is (login/resume `deviceId`), or null: a client from before devices. */
  deviceId: string | null;
  /**
   * Whether it acts as a device of the account: its device is in the account's device list, or
   * it has no device id, or the account has no list (device-list-check.ts `isApproved`). An
   * unapproved connection may only look up, log out, link and reset the account, and is never
   * sent signals. Changes when the account publishes a new list.
   */
  approved: boolean;
}

/** Close codes used by the server. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  tryAgainLater: 1013,
} as const;

export class Conn {
  user: ConnUser | null = null;
  /** Answered the last ping (heartbeat). */
  alive = true;
  /** close() or terminate() was called: ignore anything that still arrives. */
  closing = false;
  /** Frames are handled one at a time, in order, even when one waits for a password hash. */
  chain: Promise<void> = Promise.resolve();
  /** Frames waiting in {@link chain}. */
  queued = 0;
  /** When the last RATE_LIMITED error was sent (so a flood is not answered frame by frame). */
  lastRateLimitedAt = -Infinity;
  loginTimer: ReturnType<typeof setTimeout> | undefined;
  /** The address group every per-address limit counts this connection under (ip-key.ts). */
  ipKey: string;

  constructor(
    readonly id: string,
    readonly ip: string,
    readonly ws: WebSocket,
    readonly bucket: TokenBucket,
    private readonly maxBufferedBytes: number,
    private readonly logger: Logger,
  ) {
    this.ipKey = ip;
  }

  /** A stand-in for a connection held by another instance (remote-conn.ts). */
  get remote(): boolean {
    return false;
  }

  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a server frame; see {@link sendRaw}. */
  send(msg: ServerMsg): boolean {
    return this.sendRaw(JSON.stringify(msg));
  }

  sendError(code: ErrorCode, extra: { ref?: string; to?: string; cid?: string } = {}): boolean {
    return this.send(errorFrame(code, extra));
  }

  /**
   * Sends an already serialised frame. A client whose unsent backlog passes the cap is
   * terminated rather than buffered forever; returns false when nothing was sent.
   */
  sendRaw(json: string): boolean {
    if (!this.isOpen) return false;
    if (this.ws.bufferedAmount + json.length > this.maxBufferedBytes) {
      this.logger.warn({ conn: this.id, user: this.user?.username, buffered: this.ws.bufferedAmount }, 'client not reading; dropping it');
      this.terminate();
      return false;
    }
    this.ws.send(json);
    return true;
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.loginTimer);
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.closing = true;
    clearTimeout(this.loginTimer);
    this.ws.terminate();
  }
}
