/**
 * The signalling protocol on the server side: every inbound frame of every connection comes
 * through {@link Hub.onFrame}. Frames of one connection are handled strictly in order (a chain
 * of promises), so a `signal` sent right after `login` is handled after the login finished.
 *
 * Behaviour worth knowing (see shared/signal-protocol.ts for the shapes):
 * - A frame that does not parse gets `error BAD_MESSAGE` (or UNSUPPORTED_VERSION when it carries
 *   a `v` other than ours); `ref` is its `type` when that is one of the client types.
 * - Relayed `signal` frames carry `from` = the sender's display name as stored by the server.
 *   The parser strips any client-supplied `from` (valibot objects drop unknown keys) and the
 *   outgoing frame is built from scratch, so it cannot be spoofed.
 * - `lookup` of an unknown user answers `error UNKNOWN_USER` with `ref:'lookup'` and `to` = the
 *   name asked for (not an `identity` frame with a null key): the UI can tell "no such person"
 *   from "this person has not published a key yet" (`identity` with `identityKey: null`).
 * - `logout` deletes the session token, then every connection that logged in with that token
 *   (the tabs of that browser) gets `logged-out` and is closed with 1000 "logged out". To log in
 *   again, open a new connection. Other devices of the same user (other tokens) stay logged in.
 * - A `signal` is never echoed to the sending connection; it goes to all of the target's other
 *   connections. With none, the answer is `error PEER_OFFLINE` with `to` and `cid`.
 */
import { usernameKey } from '../../shared/account-rules';
import type { ErrorCode } from '../../shared/errors';
import { safeJsonParse } from '../../shared/json';
import { PROTOCOL_VERSION } from '../../shared/limits';
import { parseClientMsg, type ClientMsg, type IceServer, type ServerMsg } from '../../shared/signal-protocol';
import type { Accounts, AuthOk } from './accounts';
import { CLOSE, type Conn } from './connection';
import { usernameTag, type Logger } from './logger';
import { Presence } from './presence';
import type { KeyedLimiter } from './rate-limit';
import type { TestHooks } from './test-hooks';

const CLIENT_TYPES: ReadonlySet<string> = new Set<ClientMsg['type']>(['register', 'login', 'resume', 'logout', 'signal', 'lookup']);

export interface HubOptions {
  accounts: Accounts;
  logger: Logger;
  iceServers: IceServer[];
  loginTimeoutMs: number;
  /** Per-IP limit on password attempts (register/login). */
  authLimiter: KeyedLimiter;
  /** Frames allowed to wait behind a slow one (a login) before new ones are refused. */
  maxQueuedFrames: number;
  /** TEST-ONLY hooks (hostile-server tests); undefined in production. */
  testHooks?: TestHooks | undefined;
}

type RawData = Buffer | ArrayBuffer | Buffer[];

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Why a frame did not parse: the error code, and the client `type` when recognisable. */
export function classifyBadFrame(text: string): { code: ErrorCode; ref?: string } {
  const value = safeJsonParse(text);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { code: 'BAD_MESSAGE' };
  const obj = value as Record<string, unknown>;
  const ref = typeof obj.type === 'string' && CLIENT_TYPES.has(obj.type) ? obj.type : undefined;
  const code: ErrorCode = 'v' in obj && obj.v !== PROTOCOL_VERSION ? 'UNSUPPORTED_VERSION' : 'BAD_MESSAGE';
  return ref ? { code, ref } : { code };
}

export class Hub {
  readonly presence = new Presence<Conn>();
  readonly conns = new Set<Conn>();

  constructor(private readonly opts: HubOptions) {}

  private get log(): Logger {
    return this.opts.logger;
  }

  /** Starts tracking a new connection and its login deadline. */
  attach(conn: Conn): void {
    this.conns.add(conn);
    conn.loginTimer = setTimeout(() => {
      if (conn.user || conn.closing) return;
      this.log.info({ conn: conn.id, ip: conn.ip }, 'login deadline passed');
      conn.sendError('LOGIN_TIMEOUT');
      conn.close(CLOSE.policy, 'login timeout');
    }, this.opts.loginTimeoutMs);
    conn.loginTimer.unref?.();
  }

  /** The socket closed (any reason): forget it, and announce the user offline if it was the last. */
  detach(conn: Conn): void {
    clearTimeout(conn.loginTimer);
    conn.closing = true;
    this.conns.delete(conn);
    this.signOff(conn);
  }

  onFrame(conn: Conn, data: RawData, isBinary: boolean): void {
    if (conn.closing) return;
    const verdict = conn.bucket.take();
    if (verdict !== 'ok') {
      const now = Date.now();
      if (verdict === 'abuse') {
        this.log.warn({ conn: conn.id, ip: conn.ip, user: conn.user?.username }, 'frame flood; closing');
        conn.sendError('RATE_LIMITED');
        conn.close(CLOSE.policy, 'rate limit exceeded');
      } else if (now - conn.lastRateLimitedAt >= 1000) {
        // One error per second while limited, not one per dropped frame.
        conn.lastRateLimitedAt = now;
        conn.sendError('RATE_LIMITED');
      }
      return;
    }

    if (isBinary) {
      this.enqueue(conn, undefined, () => void conn.sendError('BAD_MESSAGE'));
      return;
    }
    const text = toText(data);
    const msg = parseClientMsg(text);
    if (!msg) {
      const { code, ref } = classifyBadFrame(text);
      this.log.debug({ conn: conn.id, code, ref }, 'bad frame');
      this.enqueue(conn, ref, () => void conn.sendError(code, ref ? { ref } : {}));
      return;
    }
    this.enqueue(conn, msg.type, () => this.handle(conn, msg));
  }

  /** Runs `job` after the frames before it; turns a throw into `error INTERNAL`. */
  private enqueue(conn: Conn, ref: string | undefined, job: () => void | Promise<void>): void {
    if (conn.queued >= this.opts.maxQueuedFrames) {
      conn.sendError('RATE_LIMITED', ref ? { ref } : {});
      return;
    }
    conn.queued++;
    conn.chain = conn.chain
      .then(job)
      .catch((err: unknown) => {
        this.log.error({ conn: conn.id, ref, err: (err as Error)?.message }, 'frame handler failed');
        conn.sendError('INTERNAL', ref ? { ref } : {});
      })
      .finally(() => {
        conn.queued--;
      });
  }

  private async handle(conn: Conn, msg: ClientMsg): Promise<void> {
    if (conn.closing) return;
    switch (msg.type) {
      case 'register':
      case 'login':
      case 'resume':
        return this.authenticate(conn, msg);
      case 'logout':
        return this.logout(conn);
      case 'signal':
        return this.relay(conn, msg);
      case 'lookup':
        return this.lookup(conn, msg);
    }
  }

  private async authenticate(conn: Conn, msg: Extract<ClientMsg, { type: 'register' | 'login' | 'resume' }>): Promise<void> {
    const ref = msg.type;
    if (conn.user) return void conn.sendError('ALREADY_LOGGED_IN', { ref });
    if (msg.type !== 'resume' && this.opts.authLimiter.take(conn.ip) !== 'ok') {
      this.log.warn({ conn: conn.id, ip: conn.ip }, 'too many password attempts from this address');
      return void conn.sendError('RATE_LIMITED', { ref });
    }
    const { accounts } = this.opts;
    const result =
      msg.type === 'register'
        ? await accounts.register(msg.username, msg.password, msg.identityKey)
        : msg.type === 'login'
          ? await accounts.login(msg.username, msg.password, msg.identityKey)
          : await accounts.resume(msg.token, msg.identityKey);

    if (!result.ok) {
      this.log.info({ conn: conn.id, ip: conn.ip, ref, code: result.code, userTag: msg.type === 'resume' ? undefined : usernameTag(msg.username) }, 'auth refused');
      conn.sendError(result.code, { ref });
      return;
    }
    if (!conn.isOpen) {
      // Gone while we were hashing: a brand-new token was never delivered, so drop it.
      if (msg.type !== 'resume') await accounts.logout(result.tokenHash);
      return;
    }
    this.signOn(conn, result, ref);
  }

  /** Marks the connection logged in and sends welcome + presence; announces a 0→1 transition. */
  private signOn(conn: Conn, auth: AuthOk, how: string): void {
    clearTimeout(conn.loginTimer);
    conn.user = { key: auth.userKey, username: auth.username, tokenHash: auth.tokenHash };
    const cameOnline = this.presence.add(auth.userKey, auth.username, conn);
    conn.send({
      type: 'welcome',
      v: PROTOCOL_VERSION,
      username: auth.username,
      token: auth.token,
      expiresAt: auth.expiresAt,
      iceServers: this.opts.iceServers,
    });
    conn.send({ type: 'presence', online: this.presence.onlineNames(auth.userKey) });
    this.log.info({ conn: conn.id, ip: conn.ip, user: auth.username, how, online: this.presence.onlineCount }, 'logged in');
    if (cameOnline) this.broadcastPresence(auth.userKey, auth.username, true);
  }

  /** Takes a connection out of presence (if logged in); announces a 1→0 transition. */
  private signOff(conn: Conn): void {
    const user = conn.user;
    if (!user) return;
    conn.user = null;
    if (this.presence.remove(user.key, conn)) {
      this.log.info({ conn: conn.id, user: user.username, online: this.presence.onlineCount }, 'user offline');
      this.broadcastPresence(user.key, user.username, false);
    }
  }

  private broadcastPresence(userKey: string, username: string, online: boolean): void {
    const frame = JSON.stringify({ type: 'presence-update', username, online } satisfies ServerMsg);
    for (const c of [...this.presence.allConnections()]) {
      if (c.user && c.user.key !== userKey) c.sendRaw(frame);
    }
  }

  private async logout(conn: Conn): Promise<void> {
    const user = conn.user;
    if (!user) return void conn.sendError('NOT_LOGGED_IN', { ref: 'logout' });
    await this.opts.accounts.logout(user.tokenHash);
    const sameSession = [...this.presence.connections(user.key)].filter((c) => c.user?.tokenHash === user.tokenHash);
    if (!sameSession.includes(conn)) sameSession.push(conn);
    for (const c of sameSession) {
      c.send({ type: 'logged-out' });
      this.signOff(c);
      c.close(CLOSE.normal, 'logged out');
    }
    this.log.info({ conn: conn.id, user: user.username, connections: sameSession.length }, 'logged out');
  }

  private relay(conn: Conn, msg: Extract<ClientMsg, { type: 'signal' }>): void {
    const ref = 'signal';
    if (!conn.user) return void conn.sendError('NOT_LOGGED_IN', { ref, to: msg.to, cid: msg.cid });
    const targets = [...this.presence.connections(usernameKey(msg.to))].filter((c) => c !== conn);
    if (targets.length === 0) return void conn.sendError('PEER_OFFLINE', { ref, to: msg.to, cid: msg.cid });
    const rewrite = this.opts.testHooks?.rewriteSignal;
    const data = rewrite ? rewrite(conn.user.username, msg.to, msg.data) : msg.data;
    // Built from scratch: `from` is always the server's idea of who sent it.
    const frame = JSON.stringify({ type: 'signal', from: conn.user.username, cid: msg.cid, data } satisfies ServerMsg);
    for (const t of targets) t.sendRaw(frame);
  }

  private async lookup(conn: Conn, msg: Extract<ClientMsg, { type: 'lookup' }>): Promise<void> {
    const ref = 'lookup';
    if (!conn.user) return void conn.sendError('NOT_LOGGED_IN', { ref });
    const user = await this.opts.accounts.lookup(msg.username);
    if (!user) return void conn.sendError('UNKNOWN_USER', { ref, to: msg.username });
    const rewrite = this.opts.testHooks?.rewriteIdentityKey;
    const identityKey = rewrite ? rewrite(user.username, user.identityKey) : user.identityKey;
    conn.send({ type: 'identity', username: user.username, identityKey });
  }

  /** Heartbeat tick: terminate connections that did not answer the previous ping, ping the rest. */
  heartbeat(): void {
    for (const c of this.conns) {
      if (!c.alive) {
        this.log.info({ conn: c.id, user: c.user?.username }, 'no pong; dropping connection');
        c.terminate();
        continue;
      }
      c.alive = false;
      if (c.isOpen) c.ws.ping();
    }
  }
}
