/**
 * Relaying between connections: WebRTC `signal` frames between accounts (and between the
 * devices of one account), and `link` frames between the devices of one account.
 *
 * - `signal` is only accepted from an approved connection (else `error DEVICE_NOT_APPROVED`)
 *   and only delivered to approved connections. With `toDevice` it goes to that device of the
 *   target only; without, to every approved connection of the target. Never back to the sending
 *   connection. The relayed frame is built from scratch: `from` is the sender's stored display
 *   name and `fromDevice` the device id the sender logged in with (a client-supplied one is
 *   dropped by the parser), so neither can be spoofed.
 * - `link` goes only to the other devices (connections with another device id) of the sender's
 *   own account, approved or not (a new device being linked is not approved yet); `toDevice`
 *   narrows it to one. Any connection with a device id may send it. No other account ever sees it.
 * - Both are budgeted in bytes (the relay limiter): signals per (sender account, target account),
 *   links per sending device. Over budget the frame is dropped and the sender gets RATE_LIMITED.
 */
import { usernameKey } from '../../shared/account-rules';
import type { ClientMsg, ServerMsg } from '../../shared/signal-protocol';
import type { Conn } from './connection';
import type { Logger } from './logger';
import type { Presence } from './presence';
import type { KeyedLimiter } from './rate-limit';
import type { LinkData, TestHooks } from './test-hooks';

type ErrorExtra = { ref?: string; to?: string; cid?: string };

export interface DeviceRoutingDeps {
  presence: Presence<Conn>;
  relayLimiter: KeyedLimiter;
  logger: Logger;
  testHooks?: TestHooks | undefined;
  /** Sends RATE_LIMITED, at most once per second per connection. */
  sendRateLimited(conn: Conn, extra: ErrorExtra): void;
}

export class DeviceRouting {
  constructor(private readonly deps: DeviceRoutingDeps) {}

  signal(conn: Conn, msg: Extract<ClientMsg, { type: 'signal' }>): void {
    const ref = 'signal';
    const user = conn.user;
    if (!user) return void conn.sendError('NOT_LOGGED_IN', { ref, to: msg.to, cid: msg.cid });
    if (!user.approved) return void conn.sendError('DEVICE_NOT_APPROVED', { ref, to: msg.to, cid: msg.cid });
    const targetKey = usernameKey(msg.to);
    const targets: Conn[] = [];
    for (const c of this.deps.presence.connections(targetKey)) {
      if (c !== conn && c.user?.approved === true && (msg.toDevice === undefined || c.user.deviceId === msg.toDevice)) targets.push(c);
    }
    if (targets.length === 0) return void conn.sendError('PEER_OFFLINE', { ref, to: msg.to, cid: msg.cid });
    const rewrite = this.deps.testHooks?.rewriteSignal;
    const data = rewrite ? rewrite(user.username, msg.to, msg.data) : msg.data;
    // Built from scratch: `from` and `fromDevice` are always the server's idea of who sent it.
    const frame: ServerMsg =
      user.deviceId === null
        ? { type: 'signal', from: user.username, cid: msg.cid, data }
        : { type: 'signal', from: user.username, fromDevice: user.deviceId, cid: msg.cid, data };
    const text = JSON.stringify(frame);
    if (!this.spend(conn, `${user.key}\n${targetKey}`, text, { ref, to: msg.to, cid: msg.cid })) return;
    for (const t of targets) t.sendRaw(text);
  }

  link(conn: Conn, msg: Extract<ClientMsg, { type: 'link' }>): void {
    const ref = 'link';
    const user = conn.user;
    if (!user) return void conn.sendError('NOT_LOGGED_IN', { ref });
    if (user.deviceId === null) return void conn.sendError('DEVICE_NOT_APPROVED', { ref });
    const from = user.deviceId;
    const targets = this.devicesOf(user.key, msg.toDevice).filter((c) => c.user?.deviceId !== from);
    if (targets.length === 0) return void conn.sendError('PEER_OFFLINE', { ref, to: user.username });
    const rewrite = this.deps.testHooks?.rewriteLink;
    const data = rewrite ? rewrite(user.username, from, msg.toDevice, msg.data) : msg.data;
    if (data === null) return;
    const text = JSON.stringify({ type: 'link', fromDevice: from, data } satisfies ServerMsg);
    if (!this.spend(conn, `link\n${user.key}\n${from}`, text, { ref })) return;
    for (const t of targets) t.sendRaw(text);
  }

  /** TEST-ONLY (test-hooks.ts `injectLink`): a forged link frame to an account's devices. */
  injectLink(username: string, fromDevice: string, data: LinkData, toDevice?: string): number {
    const text = JSON.stringify({ type: 'link', fromDevice, data } satisfies ServerMsg);
    let sent = 0;
    for (const c of this.devicesOf(usernameKey(username), toDevice)) if (c.sendRaw(text)) sent++;
    return sent;
  }

  /** Logged-in connections of an account that have a device id (only `toDevice`'s when given). */
  private devicesOf(userKey: string, toDevice: string | undefined): Conn[] {
    return [...this.deps.presence.connections(userKey)].filter(
      (c) => c.user?.deviceId != null && (toDevice === undefined || c.user.deviceId === toDevice),
    );
  }

  /** Takes the frame's bytes from the budget `key`; false (and RATE_LIMITED) when spent. */
  private spend(conn: Conn, key: string, text: string, extra: ErrorExtra): boolean {
    if (this.deps.relayLimiter.take(key, Date.now(), Buffer.byteLength(text)) === 'ok') return true;
    if (Date.now() - conn.lastRateLimitedAt >= 1000) this.deps.logger.warn({ conn: conn.id, user: conn.user?.username, ref: extra.ref }, 'relay budget spent; dropping frames');
    this.deps.sendRateLimited(conn, extra);
    return false;
  }
}
