/**
 * Relay of message requests (`request {to, box}` → `request {from, box}`): the first message to
 * someone who has not accepted the sender, sealed to the recipient's account key
 * (shared/requests/request-box.ts). The server cannot read it and keeps nothing of it:
 *
 * - Only from an approved connection (else `error DEVICE_NOT_APPROVED`), only to the target's
 *   approved connections, never to the sender's own account. None online: `error PEER_OFFLINE`
 *   (ref `request`, `to`); the sender's app keeps the message in its outbox and tries again when
 *   the person comes online. Nothing is queued here.
 * - `from` is the sender's stored display name, set here (the parser drops any client-supplied one).
 * - Budgeted in bytes per (sender account, target account) on the relay limiter, with its own key
 *   so requests and signals do not share one budget: over budget the request is dropped and the
 *   sender gets RATE_LIMITED. The box size is capped by the parser (LIMITS.maxRequestBoxChars).
 * - Never stored, never logged: the log line names the two accounts and the size only.
 */
import { usernameKey } from '../../shared/account-rules';
import type { ClientMsg, ServerMsg } from '../../shared/signal-protocol';
import type { Conn } from './connection';
import type { Logger } from './logger';
import type { Presence } from './presence';
import type { KeyedLimiter } from './rate-limit';

export interface RequestRelayDeps {
  presence: Presence<Conn>;
  relayLimiter: KeyedLimiter;
  logger: Logger;
  /** Sends RATE_LIMITED, at most once per second per connection. */
  sendRateLimited(conn: Conn, extra: { ref?: string; to?: string }): void;
}

export class RequestRelay {
  constructor(private readonly deps: RequestRelayDeps) {}

  relay(conn: Conn, msg: Extract<ClientMsg, { type: 'request' }>): void {
    const ref = 'request';
    const user = conn.user;
    if (!user) return void conn.sendError('NOT_LOGGED_IN', { ref, to: msg.to });
    if (!user.approved) return void conn.sendError('DEVICE_NOT_APPROVED', { ref, to: msg.to });
    const targetKey = usernameKey(msg.to);
    const targets =
      targetKey === user.key ? [] : [...this.deps.presence.connections(targetKey)].filter((c) => c.user?.approved === true);
    if (targets.length === 0) return void conn.sendError('PEER_OFFLINE', { ref, to: msg.to });
    const text = JSON.stringify({ type: 'request', from: user.username, box: msg.box } satisfies ServerMsg);
    if (this.deps.relayLimiter.take(`request\n${user.key}\n${targetKey}`, Date.now(), Buffer.byteLength(text)) !== 'ok') {
      if (Date.now() - conn.lastRateLimitedAt >= 1000) this.deps.logger.warn({ conn: conn.id, user: user.username, ref }, 'request budget spent; dropping requests');
      this.deps.sendRateLimited(conn, { ref, to: msg.to });
      return;
    }
    for (const t of targets) t.sendRaw(text);
    this.deps.logger.debug({ conn: conn.id, user: user.username, to: targetKey, bytes: msg.box.length, targets: targets.length }, 'request relayed');
  }
}
